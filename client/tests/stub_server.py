"""Test helpers: a local HTTP server on 127.0.0.1 that records what it receives, and a runner
for metaflow_probe.py (the real Metaflow in a fresh interpreter)."""
import json
import os
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RecordingServer(object):
    """Serves `responses` ({path: (status, body)}) and records (method, path, headers, body).
    With `require_bearer`, answers a request without `Authorization: Bearer ...` with 401, as IAP
    does for programmatic requests without a token (cloud.google.com/iap/docs, programmatic
    authentication: a POST is never redirected to a sign-in page)."""

    def __init__(self, responses, require_bearer=False):
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                # Header names lowercased: HTTP header names are case-insensitive.
                server.requests.append((self.command, path, {k.lower(): v for k, v in self.headers.items()}, body))
                status, payload = responses.get(path, (404, {"error": "not found"}))
                if require_bearer and not self.headers.get("Authorization", "").startswith("Bearer "):
                    status, payload = 401, {"error": "Invalid IAP credentials: empty token"}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _serve

            def log_message(self, *args):
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._httpd.shutdown()
        self._httpd.server_close()


PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metaflow_probe.py")
ARGO_EVENT_PROBE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "argo_event_probe.py")


def run_probe(metaflow_env, profile=None, probe=PROBE, args=()):
    """Runs a probe (metaflow_probe.py by default) with only the given METAFLOW_ settings (and
    profile) and `args`; returns its JSON."""
    with tempfile.TemporaryDirectory() as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
        env.update(HOME=home, METAFLOW_HOME=os.path.join(home, ".metaflowconfig"), USER="tester")
        if profile is not None:
            os.makedirs(env["METAFLOW_HOME"])
            with open(os.path.join(env["METAFLOW_HOME"], "config_endpoint.json"), "w") as f:
                json.dump(profile, f)
            env["METAFLOW_PROFILE"] = "endpoint"
        env.update(metaflow_env)
        done = subprocess.run([sys.executable, probe, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError("probe failed:\n" + done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])
