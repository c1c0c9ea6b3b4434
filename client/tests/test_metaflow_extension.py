"""The extension inside the real Metaflow from PyPI (the pinned one in the test venv), loaded
through Metaflow's own extension mechanism (metaflow/extension_support, `config` extension point)
from a Metaflow profile, as on a laptop; and what a pod sees."""
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import unittest

from stub_server import RecordingServer

CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
SERVICE_ACCOUNT = "mf-dev-iap@example-project.iam.gserviceaccount.com"
INTERNAL_URL = "http://metaflow-metadata.metaflow-dev.svc.cluster.local:8080"

# Runs in a fresh interpreter so Metaflow loads its config (and extensions) from the given env.
# The token source is replaced after loading: no Google call is made; everything else is Metaflow's.
PROBE = textwrap.dedent(
    """
    import json, os
    from metaflow import metaflow_config
    from metaflow_extensions.gcp_iap.config.iap_auth import IapServiceHeaders

    headers = metaflow_config.SERVICE_HEADERS

    class Tokens(object):
        calls = 0
        def token(self):
            Tokens.calls += 1
            return "laptop-token-%d" % Tokens.calls

    if isinstance(headers, IapServiceHeaders):
        headers._tokens = Tokens()

    # What the laptop sends: the metadata client's ping and a run heartbeat.
    from metaflow.plugins.metadata_providers.service import ServiceMetadataProvider
    from metaflow.metadata_provider.heartbeat import MetadataHeartBeat
    ServiceMetadataProvider.compute_info(metaflow_config.SERVICE_URL)
    beat = MetadataHeartBeat()
    beat.hb_url = metaflow_config.SERVICE_URL + "/flows/F/runs/1/heartbeat"
    beat._heartbeat()

    # What Metaflow writes into pod env and Argo templates: json.dumps(SERVICE_HEADERS) as bound
    # in those modules (plugins/kubernetes/kubernetes.py, plugins/argo/argo_workflows.py).
    from metaflow.plugins.kubernetes import kubernetes as kubernetes_plugin
    from metaflow.plugins.argo import argo_workflows as argo_plugin
    print(json.dumps({
        "headers_type": type(headers).__name__,
        "kubernetes_env": json.dumps(kubernetes_plugin.SERVICE_HEADERS),
        "argo_env": json.dumps(argo_plugin.SERVICE_HEADERS),
        "client_id": getattr(metaflow_config, "GCP_IAP_CLIENT_ID", None),
    }))
    """
)


class MetaflowExtensionTest(unittest.TestCase):
    def run_probe(self, metaflow_env, profile=None):
        with tempfile.TemporaryDirectory() as home:
            env = {k: v for k, v in os.environ.items() if not k.startswith("METAFLOW_")}
            env.update(HOME=home, METAFLOW_HOME=os.path.join(home, ".metaflowconfig"), USER="tester")
            if profile is not None:
                os.makedirs(env["METAFLOW_HOME"])
                with open(os.path.join(env["METAFLOW_HOME"], "config_endpoint.json"), "w") as f:
                    json.dump(profile, f)
                env["METAFLOW_PROFILE"] = "endpoint"
            env.update(metaflow_env)
            done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.strip().splitlines()[-1])

    def test_on_a_laptop_the_profile_loads_the_extension_and_every_request_carries_a_token(self):
        with RecordingServer({"/ping": (200, "OK"), "/flows/F/runs/1/heartbeat": (200, json.dumps({"wait_time_in_seconds": 10}))}) as stub:
            profile = {
                "METAFLOW_SERVICE_URL": stub.url,
                "METAFLOW_SERVICE_INTERNAL_URL": INTERNAL_URL,
                "METAFLOW_GCP_IAP_CLIENT_ID": CLIENT_ID,
                "METAFLOW_GCP_IAP_SERVICE_ACCOUNT": SERVICE_ACCOUNT,
            }
            result = self.run_probe({"METAFLOW_SERVICE_HEADERS": json.dumps({"x-team": "ml"})}, profile)
        self.assertEqual(result["headers_type"], "IapServiceHeaders")
        self.assertEqual(result["client_id"], CLIENT_ID)
        sent = [(path, headers.get("authorization"), headers.get("x-team")) for _, path, headers, _ in stub.requests]
        self.assertEqual(sent, [("/ping", "Bearer laptop-token-1", "ml"), ("/flows/F/runs/1/heartbeat", "Bearer laptop-token-2", "ml")])
        # Pods and Argo templates get the static headers only.
        self.assertEqual(json.loads(result["kubernetes_env"]), {"x-team": "ml"})
        self.assertEqual(json.loads(result["argo_env"]), {"x-team": "ml"})

    def test_in_a_pod_the_extension_adds_nothing(self):
        # Metaflow gives pods METAFLOW_SERVICE_URL = the internal URL, and no profile.
        with RecordingServer({"/ping": (200, "OK"), "/flows/F/runs/1/heartbeat": (200, json.dumps({"wait_time_in_seconds": 10}))}) as stub:
            result = self.run_probe({"METAFLOW_SERVICE_URL": stub.url, "METAFLOW_SERVICE_HEADERS": "{}"})
        self.assertEqual(result["headers_type"], "dict")
        self.assertEqual([headers.get("authorization") for _, _, headers, _ in stub.requests], [None, None])
        self.assertEqual(json.loads(result["kubernetes_env"]), {})


if __name__ == "__main__":
    unittest.main()
