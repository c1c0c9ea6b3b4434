"""The extension inside the real Metaflow from PyPI (the pinned one in the test venv), loaded
through Metaflow's own extension mechanism (metaflow/extension_support, `config` extension point)
from a Metaflow profile, as on a laptop; and what a pod sees."""
import json
import unittest

from stub_server import ARGO_EVENT_PROBE, RecordingServer, run_probe

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


class ArgoEventTest(unittest.TestCase):
    """ArgoEvent.publish from a laptop (metaflow 2.19.39 plugins/argo/argo_events.py): it builds its
    own headers and sends a token only as its `access_token`; the `toplevel` extension gives it one
    for events sent to the endpoint. The stub answers 401 without a bearer token, as IAP does."""

    EVENTS = "/events/metaflow-event"

    def endpoint_profile(self, origin):
        return {
            "METAFLOW_SERVICE_URL": origin + "/metadata",
            "METAFLOW_SERVICE_INTERNAL_URL": INTERNAL_URL,
            "METAFLOW_ARGO_EVENTS_WEBHOOK_URL": origin + self.EVENTS,
            "METAFLOW_GCP_IAP_CLIENT_ID": CLIENT_ID,
            "METAFLOW_GCP_IAP_SERVICE_ACCOUNT": SERVICE_ACCOUNT,
        }

    def test_an_event_published_to_the_endpoint_carries_the_id_token(self):
        with RecordingServer({self.EVENTS: (200, "")}, require_bearer=True) as iap:
            result = run_probe({}, self.endpoint_profile(iap.url), probe=ARGO_EVENT_PROBE)
        self.assertNotIn("error", result)
        [(method, path, headers, body)] = iap.requests
        self.assertEqual((method, path, headers.get("authorization")), ("POST", self.EVENTS, "Bearer laptop-token-1"))
        self.assertEqual(json.loads(body)["payload"]["day"], "2026-12-06")
        self.assertEqual(json.loads(body)["name"], "data_ready")

    def test_the_token_goes_to_the_endpoint_only(self):
        with RecordingServer({self.EVENTS: (200, "")}) as elsewhere:
            result = run_probe({}, self.endpoint_profile("https://metaflow.example.com"), probe=ARGO_EVENT_PROBE, args=[elsewhere.url + self.EVENTS])
        self.assertNotIn("error", result)
        self.assertEqual([headers.get("authorization") for _, _, headers, _ in elsewhere.requests], [None])
        self.assertEqual(result["tokens_minted"], 0)

    def test_without_the_token_iap_refuses_and_publish_says_so(self):
        # What Metaflow alone does against the endpoint (no signing: a pod-like environment
        # pointed at the endpoint): 401, raised as ArgoEventException with ignore_errors=False.
        with RecordingServer({self.EVENTS: (200, "")}, require_bearer=True) as iap:
            events = run_probe({"METAFLOW_ARGO_EVENTS_WEBHOOK_URL": iap.url + self.EVENTS}, probe=ARGO_EVENT_PROBE)
        self.assertEqual(events["headers_type"], "dict")
        self.assertIn("ArgoEventException", events["error"])
        self.assertIn("401", events["error"])


if __name__ == "__main__":
    unittest.main()
