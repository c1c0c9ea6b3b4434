"""Metaflow's own `argo-workflows create` (or `trigger`) of the sample flow, against the rehearsal's
API server.

Run by rehearsal/workloads.ts with the Python layer's interpreter (.venv, Metaflow 2.19.39):

    python rehearsal/metaflow_create.py <stack> <profile.json> <kubeconfig> <workdir> [create|trigger]

The profile is the deployed stack's `metaflowConfig` output; the kubeconfig authenticates as the
stack's member (not an admin), so the member Role is what allows or refuses each call. Metaflow
uploads the code package to its datastore: a GCS emulator on 127.0.0.1 (the Python layer's
OfflineGcp, tests/python/conftest.py). Without `--only-json`, `create` sends the WorkflowTemplate,
the CronWorkflow of `@schedule` and, where the stack runs Argo Events, the Sensor of `@trigger` to
the API server; `trigger` (after `create`, same workdir) submits a Workflow from the template;
`run` (after `create`, same workdir) is `python flow.py run` from a laptop: Metaflow posts the
start step's Job and waits on it; it is stopped (SIGTERM, as Ctrl-C would) once the file
`<workdir>/stop` appears, which the rehearsal writes when it has checked the Job.
Prints one JSON line: the return code and the end of stdout and stderr.
"""
import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests" / "python"))

from conftest import SUBPROCESS_TIMEOUT_S, OfflineGcp, _sample_flow_for, datastore_bucket, metaflow_env  # noqa: E402


class _MetadataStub(BaseHTTPRequestHandler):
    """Stands in for the metadata service behind `npm run tunnel` (the profile's METAFLOW_SERVICE_URL):
    `argo-workflows` asks its /ping for the METADATA_SERVICE_VERSION header first
    (metaflow/plugins/metadata_providers/service.py); the service's pods are simulated here."""

    def _reply(self):
        self.send_response(200)
        self.send_header("METADATA_SERVICE_VERSION", "2.5.0")
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST = do_PATCH = _reply

    def log_message(self, *args):
        pass


def _run_until_stopped(workdir, env):
    """`run` with local metadata (as tests/python/conftest.py's kubernetes_jobs), until <workdir>/stop."""
    stop = workdir / "stop"
    argv = [sys.executable, "sample_flow.py", "--no-pylint", "run"]
    process = subprocess.Popen(argv, cwd=workdir / "flow", env={**env, "METAFLOW_DEFAULT_METADATA": "local"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + SUBPROCESS_TIMEOUT_S
    while process.poll() is None and not stop.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    if process.poll() is None:
        process.terminate()
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        stdout, stderr = process.communicate()
    return subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)


def main(stack, profile_file, kubeconfig, workdir, command="create"):
    profile = json.loads(Path(profile_file).read_text())
    workdir = Path(workdir)
    (workdir / "flow").mkdir(parents=True, exist_ok=True)
    if command == "create":
        (workdir / "flow" / "sample_flow.py").write_text(_sample_flow_for(profile))
    gcp = OfflineGcp()
    service = ThreadingHTTPServer(("127.0.0.1", 0), _MetadataStub)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    profile = {**profile, "METAFLOW_SERVICE_URL": f"http://127.0.0.1:{service.server_address[1]}"}
    try:
        gcp.create_bucket(datastore_bucket(profile))
        env = metaflow_env(workdir / "home", stack, profile, {**gcp.client_env(), "KUBECONFIG": kubeconfig})
        if command == "run":
            done = _run_until_stopped(workdir, env)
        else:
            argv = [sys.executable, "sample_flow.py", "--no-pylint", "argo-workflows", command]
            done = subprocess.run(argv, cwd=workdir / "flow", env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
    finally:
        gcp.stop()
        service.shutdown()
    print(json.dumps({"returncode": done.returncode, "stdout": done.stdout[-3000:], "stderr": done.stderr[-3000:]}))


if __name__ == "__main__":
    main(*sys.argv[1:6])
