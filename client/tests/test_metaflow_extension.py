"""The extension inside the real Metaflow from PyPI (the pinned one in the test venv), loaded
through Metaflow's own extension mechanism (metaflow/extension_support, `config` extension point)
from a Metaflow profile, as on a laptop; and what a pod sees."""
import json
import unittest

from stub_server import RecordingServer, run_probe

CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
SERVICE_ACCOUNT = "mf-dev-iap@example-project.iam.gserviceaccount.com"
INTERNAL_URL = "http://metaflow-metadata.metaflow-dev.svc.cluster.local:8080"


class MetaflowExtensionTest(unittest.TestCase):
    def test_on_a_laptop_the_profile_loads_the_extension_and_every_request_carries_a_token(self):
        with RecordingServer({"/ping": (200, "OK"), "/flows/F/runs/1/heartbeat": (200, json.dumps({"wait_time_in_seconds": 10}))}) as stub:
            profile = {
                "METAFLOW_SERVICE_URL": stub.url,
                "METAFLOW_SERVICE_INTERNAL_URL": INTERNAL_URL,
                "METAFLOW_GCP_IAP_CLIENT_ID": CLIENT_ID,
                "METAFLOW_GCP_IAP_SERVICE_ACCOUNT": SERVICE_ACCOUNT,
            }
            result = run_probe({"METAFLOW_SERVICE_HEADERS": json.dumps({"x-team": "ml"})}, profile)
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
            result = run_probe({"METAFLOW_SERVICE_URL": stub.url, "METAFLOW_SERVICE_HEADERS": "{}"})
        self.assertEqual(result["headers_type"], "dict")
        self.assertEqual([headers.get("authorization") for _, _, headers, _ in stub.requests], [None, None])
        self.assertEqual(json.loads(result["kubernetes_env"]), {})


if __name__ == "__main__":
    unittest.main()
