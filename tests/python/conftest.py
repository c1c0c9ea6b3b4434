"""Shared fixtures of the Python test layer.

`stack_outputs` renders the fixture stacks (tests/fixtures/stacks: dev and prod as shipped) once
per session with the TypeScript harness (tests/harness/exportStack.ts, under Pulumi's mocks) and
hands their outputs to the tests, which then ask the real Metaflow client what it makes of them.
The repository's own Pulumi.<stack>.yaml are the user's: the mocha suite checks those
(tests/stacks.test.ts, tests/policy.test.ts), whatever they hold.
"""
import json
import os
import re
import socket
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


FIXTURE_STACKS = REPO_ROOT / "tests" / "fixtures" / "stacks"
# The fixture stacks (Pulumi.<stack>.yaml in FIXTURE_STACKS), as tests/harness/fixtures.ts lists them.
STACKS = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in FIXTURE_STACKS.glob("Pulumi.*.yaml"))


def export_stacks(*args):
    """Renders stacks with the TypeScript harness (tests/harness/exportStack.ts; `args` are its
    arguments) and returns {stack: {output name: value}}, secrets shown as "[secret]"."""
    result = subprocess.run(
        [str(REPO_ROOT / "node_modules" / ".bin" / "ts-node"), "--transpile-only", "tests/harness/exportStack.ts", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PULUMI_CONFIG_PASSPHRASE": ""},
    )
    if result.returncode != 0:
        raise RuntimeError(f"exportStack {' '.join(args)} failed:\n{result.stderr}")
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def stack_exports():
    """Both renders the layer reads, from one harness process (starting one costs more than the
    renders): {"shipped": {stack: outputs}, "endpoint": {stack: outputs with the example
    HTTPS endpoint on}}."""
    return export_stacks("--both", *STACKS)


@pytest.fixture(scope="session")
def stack_outputs(stack_exports):
    """{stack: {output name: value}} for every fixture stack (secrets shown as "[secret]")."""
    return stack_exports["shipped"]


@pytest.fixture()
def isolated_home(tmp_path, monkeypatch):
    """A HOME and METAFLOW_HOME of the test's own, so no developer profile leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("METAFLOW_HOME", str(home / ".metaflowconfig"))
    for key in list(os.environ):
        if key.startswith("METAFLOW_") and key != "METAFLOW_HOME":
            monkeypatch.delenv(key)
    return home


# ---- offline Google Cloud: a GCS emulator and a metadata server, on loopback only -------------

VENV_IMAGE = REPO_ROOT / ".venv-image"
FLOWS = Path(__file__).resolve().parent / "flows"
SAMPLE_FLOW = FLOWS / "sample_flow.py"
TRIGGER_LINE = '@trigger(event="data_ready")\n'
# Every subprocess the layer starts is bounded; nothing waits on the network.
SUBPROCESS_TIMEOUT_S = 120


def free_loopback_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _MetadataServer(BaseHTTPRequestHandler):
    """What google-auth asks GKE's metadata server for (google/auth/compute_engine/_metadata.py):
    the `Metadata-Flavor: Google` ping, the project id, the service account and a token. Workload
    Identity serves the same paths to our pods; here the token is a dummy the emulator ignores."""

    def do_GET(self):
        path = self.path.split("?")[0]
        prefix = "/computeMetadata/v1/"
        bodies = {
            "project/project-id": "offline-project",
            "instance/service-accounts/default/": json.dumps(
                {"email": "metaflow-task@offline-project.iam.gserviceaccount.com", "aliases": ["default"], "scopes": []}
            ),
            "instance/service-accounts/default/token": json.dumps(
                {"access_token": "offline-dummy-token", "expires_in": 3600, "token_type": "Bearer"}
            ),
            "universe/universe-domain": "googleapis.com",
        }
        key = path[len(prefix):] if path.startswith(prefix) else ""
        # After its first refresh google-auth asks by the account's email instead of "default"
        # (compute_engine/credentials.py `_retrieve_info`); a retried refresh under load does so.
        key = re.sub(r"^instance/service-accounts/[^/]+/", "instance/service-accounts/default/", key)
        body = bodies.get(key, "")
        self.send_response(200)
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Type", "application/json" if body.startswith("{") else "text/plain")
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


class OfflineGcp:
    """A GCS emulator (gcp-storage-emulator, pinned in requirements.txt) and a metadata server,
    both on 127.0.0.1, started once per session and stopped at its end."""

    def __init__(self):
        from gcp_storage_emulator.server import create_server

        self._gcs_port = free_loopback_port()
        self._gcs = create_server("127.0.0.1", self._gcs_port, in_memory=True)
        self._gcs.start()
        self._metadata = ThreadingHTTPServer(("127.0.0.1", 0), _MetadataServer)
        threading.Thread(target=self._metadata.serve_forever, daemon=True).start()

    @property
    def storage_host(self):
        return f"http://127.0.0.1:{self._gcs_port}"

    def client_env(self):
        """What points Google's client libraries at the fakes."""
        metadata = f"127.0.0.1:{self._metadata.server_address[1]}"
        return {"STORAGE_EMULATOR_HOST": self.storage_host, "GCE_METADATA_HOST": metadata, "GCE_METADATA_IP": metadata}

    def create_bucket(self, name):
        request = urllib.request.Request(
            f"{self.storage_host}/storage/v1/b?project=offline-project",
            data=json.dumps({"name": name}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200, response.read()

    def stop(self):
        self._gcs.stop()
        self._metadata.shutdown()
        self._metadata.server_close()


@pytest.fixture(scope="session")
def offline_gcp(stack_outputs):
    gcp = OfflineGcp()
    for outputs in stack_outputs.values():
        gcp.create_bucket(datastore_bucket(outputs["metaflowConfig"]))
    yield gcp
    gcp.stop()


def datastore_bucket(profile):
    root = profile["METAFLOW_DATASTORE_SYSROOT_GS"]
    assert root.startswith("gs://"), root
    return root[len("gs://"):].split("/")[0]


def metaflow_env(home, stack, profile, extra=None):
    """A clean environment for a Metaflow CLI subprocess: only `profile`, saved the way
    `npm run profile` saves it (config_<stack>.json in METAFLOW_HOME), chosen by METAFLOW_PROFILE."""
    config_dir = home / ".metaflowconfig"
    config_dir.mkdir(parents=True, exist_ok=True)
    (config_dir / f"config_{stack}.json").write_text(json.dumps(profile))
    return {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "METAFLOW_HOME": str(config_dir),
        "METAFLOW_PROFILE": stack,
        "USERNAME": "offline-test",
        **(extra or {}),
    }


class CompiledFlow:
    """One stack's `argo-workflows create --only-json` of the sample flow."""

    def __init__(self, stack, profile, workdir, process):
        self.stack, self.profile, self.workdir, self.process = stack, profile, workdir, process
        self.template = json.loads(process.stdout) if process.returncode == 0 else None

    @property
    def step_templates(self):
        """{step name: template} of the templates that run a Metaflow step."""
        return {
            t["name"]: t
            for t in self.template["spec"]["templates"]
            if "container" in t and any(e["name"] == "METAFLOW_STEP_NAME" for e in t["container"].get("env", []))
        }


def _sample_flow_for(profile):
    """The sample flow; without @trigger where the stack has no Argo Events (Metaflow refuses it
    there, which tests/python/test_argo_compile.py checks)."""
    source = SAMPLE_FLOW.read_text()
    assert source.count(TRIGGER_LINE) == 1
    return source if "METAFLOW_ARGO_EVENTS_EVENT" in profile else source.replace(TRIGGER_LINE, "")


def compile_flows(jobs, offline_gcp):
    """Runs Metaflow's Argo compiler for each (stack, profile, flow source, workdir) in parallel."""
    started = []
    for stack, profile, source, workdir in jobs:
        (workdir / "flow").mkdir(parents=True)
        (workdir / "flow" / "sample_flow.py").write_text(source)
        env = metaflow_env(workdir / "home", stack, profile, offline_gcp.client_env())
        command = [sys.executable, "sample_flow.py", "--no-pylint", "argo-workflows", "create", "--only-json"]
        process = subprocess.Popen(command, cwd=workdir / "flow", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started.append((stack, profile, workdir, process))
    compiled = []
    for stack, profile, workdir, process in started:
        try:
            stdout, stderr = process.communicate(timeout=SUBPROCESS_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
        done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        compiled.append(CompiledFlow(stack, profile, workdir, done))
    return compiled


@pytest.fixture(scope="session")
def _compilations(stack_outputs, offline_gcp, tmp_path_factory):
    """All of the session's compiler runs, in parallel: ("flow", stack) is the sample flow for every
    fixture stack, ("trigger", stack) the flow with @trigger for every stack without Argo Events."""
    jobs = {}
    for stack, outputs in stack_outputs.items():
        profile = outputs["metaflowConfig"]
        jobs[("flow", stack)] = (stack, profile, _sample_flow_for(profile), tmp_path_factory.mktemp(f"argo-{stack}"))
        if "METAFLOW_ARGO_EVENTS_EVENT" not in profile:
            jobs[("trigger", stack)] = (stack, profile, SAMPLE_FLOW.read_text(), tmp_path_factory.mktemp(f"argo-{stack}-trigger"))
    return dict(zip(jobs, compile_flows(list(jobs.values()), offline_gcp)))


@pytest.fixture(scope="session")
def compiled_flows(_compilations):
    """{stack: CompiledFlow} for every fixture stack, compiled against the GCS emulator (the
    compiler uploads the code package to the stack's datastore, as it would to GCS)."""
    compiled = {stack: c for (kind, stack), c in _compilations.items() if kind == "flow"}
    for c in compiled.values():
        assert c.process.returncode == 0, f"{c.stack}: argo-workflows create --only-json failed:\n{c.process.stderr}"
    return compiled


class FakeKubernetesApi:
    """A Kubernetes API server on 127.0.0.1 that records every request and refuses to create Jobs
    (403, a Kubernetes Status body): Metaflow's `run` then stops after posting the first step's
    Job (plugins/kubernetes/kubernetes_job.py `execute`: "Unable to launch Kubernetes job"), and
    the recorded body is exactly what a cluster would have been asked to run."""

    def __init__(self):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                server.requests.append((self.command, self.path.split("?")[0], json.loads(body) if body else None))
                status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Forbidden", "code": 403,
                          "message": "the offline test records the Job and runs nothing"}
                data = json.dumps(status).encode()
                self.send_response(403)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def kubeconfig(self, path):
        """A kubeconfig whose current context is this server (JSON is YAML)."""
        server = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        path.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "offline",
            "clusters": [{"name": "offline", "cluster": {"server": server}}],
            "users": [{"name": "offline", "user": {"token": "offline-token"}}],
            "contexts": [{"name": "offline", "context": {"cluster": "offline", "user": "offline"}}],
        }))
        return path

    def jobs_posted(self, namespace):
        return [body for method, path, body in self.requests if method == "POST" and path == f"/apis/batch/v1/namespaces/{namespace}/jobs"]

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(scope="session")
def kubernetes_jobs(stack_outputs, offline_gcp, tmp_path_factory):
    """{stack: the Job Metaflow posts for the sample flow's first step}: `python sample_flow.py run`
    with each stack's profile against FakeKubernetesApi, as `python flow.py run --with kubernetes`
    from a laptop (metadata kept local: no metadata service here), all stacks in parallel."""
    api = FakeKubernetesApi()
    started = []
    for stack, outputs in stack_outputs.items():
        profile = outputs["metaflowConfig"]
        workdir = tmp_path_factory.mktemp(f"job-{stack}")
        (workdir / "sample_flow.py").write_text(_sample_flow_for(profile))
        extra = {**offline_gcp.client_env(), "KUBECONFIG": str(api.kubeconfig(workdir / "kubeconfig")), "METAFLOW_DEFAULT_METADATA": "local"}
        env = metaflow_env(workdir / "home", stack, profile, extra)
        command = [sys.executable, "sample_flow.py", "--no-pylint", "run"]
        started.append((stack, profile, subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
    jobs = {}
    try:
        for stack, profile, process in started:
            try:
                output, _ = process.communicate(timeout=SUBPROCESS_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                raise
            posted = api.jobs_posted(profile["METAFLOW_KUBERNETES_NAMESPACE"])
            assert process.returncode != 0 and "Unable to launch Kubernetes job" in output, output
            assert len(posted) == 1, f"{stack}: expected the start step's Job, got {len(posted)} posts:\n{output}"
            jobs[stack] = posted[0]
    finally:
        api.stop()
    return jobs


@pytest.fixture(scope="session")
def trigger_without_argo_events(_compilations):
    """{stack: CompiledFlow} of the flow with @trigger for the stacks without Argo Events."""
    return {stack: c for (kind, stack), c in _compilations.items() if kind == "trigger"}
