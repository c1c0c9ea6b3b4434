"""The profile the program emits with the HTTPS endpoint on, loaded by the real Metaflow with the
client extension (client/) installed: the laptop signs its requests, pods get no token.

The example endpoint (tests/harness/endpointExample.ts) is rendered under the mocks; a local stub
on 127.0.0.1 stands in for https://<hostname>/metadata (no network), everything else in the
profile is used as emitted.
"""
import json
import sys
from urllib.parse import urlsplit

import pytest

from conftest import REPO_ROOT, _sample_flow_for, compile_flows

sys.path.insert(0, str(REPO_ROOT / "client" / "tests"))
from stub_server import ARGO_EVENT_PROBE, RecordingServer, run_probe  # noqa: E402

HEARTBEAT = "/flows/F/runs/1/heartbeat"


@pytest.fixture(scope="session")
def endpoint_outputs(stack_exports):
    """{stack: outputs} of every fixture stack with the example endpoint turned on."""
    return stack_exports["endpoint"]


def test_the_laptop_profile_points_at_the_endpoint_and_pods_at_the_cluster(endpoint_outputs):
    for stack, outputs in endpoint_outputs.items():
        profile = outputs["metaflowConfig"]
        assert profile["METAFLOW_SERVICE_URL"] == outputs["endpoint"]["urls"]["metadata"], stack
        assert profile["METAFLOW_SERVICE_URL"].startswith("https://"), stack
        assert profile["METAFLOW_SERVICE_INTERNAL_URL"].endswith(".svc.cluster.local:8080"), stack
        assert profile["METAFLOW_GCP_IAP_SERVICE_ACCOUNT"] == outputs["endpoint"]["clientServiceAccount"], stack


def test_real_metaflow_with_the_emitted_profile_signs_every_request_and_serializes_no_token(endpoint_outputs):
    for stack, outputs in endpoint_outputs.items():
        profile = dict(outputs["metaflowConfig"])
        with RecordingServer({"/ping": (200, "OK"), HEARTBEAT: (200, json.dumps({"wait_time_in_seconds": 10}))}) as stub:
            profile["METAFLOW_SERVICE_URL"] = stub.url  # stands in for https://<hostname>/metadata
            seen = run_probe({}, profile)
        assert seen["headers_type"] == "IapServiceHeaders", stack
        assert seen["client_id"] == outputs["metaflowConfig"]["METAFLOW_GCP_IAP_CLIENT_ID"], stack
        assert [h.get("authorization", "").startswith("Bearer laptop-token-") for _, _, h, _ in stub.requests] == [True, True], stack
        assert json.loads(seen["kubernetes_env"]) == {} and json.loads(seen["argo_env"]) == {}, stack


def test_without_the_endpoint_the_fixture_profiles_leave_metaflow_unchanged(stack_outputs):
    for stack, outputs in stack_outputs.items():
        profile = dict(outputs["metaflowConfig"])
        assert "METAFLOW_GCP_IAP_CLIENT_ID" not in profile, stack
        with RecordingServer({"/ping": (200, "OK"), HEARTBEAT: (200, json.dumps({"wait_time_in_seconds": 10}))}) as stub:
            profile["METAFLOW_SERVICE_URL"] = stub.url  # stands in for the tunnel's localhost URL
            seen = run_probe({}, profile)
        assert seen["headers_type"] == "dict", stack
        assert all("authorization" not in h for _, _, h, _ in stub.requests), stack


def test_an_argo_event_published_from_the_laptop_through_the_endpoint_carries_the_token(endpoint_outputs):
    """`ArgoEvent("data_ready").publish()` with the emitted profile and the extension installed
    (Metaflow's own publish, metaflow 2.19.39 plugins/argo/argo_events.py): the stub stands in for
    the endpoint's origin, every path kept, and answers 401 without a bearer token, as IAP does."""
    with_events = {s: o for s, o in endpoint_outputs.items() if "METAFLOW_ARGO_EVENTS_WEBHOOK_URL" in o["metaflowConfig"]}
    if not with_events:
        pytest.skip("no committed stack deploys Argo Events")
    for stack, outputs in with_events.items():
        profile = dict(outputs["metaflowConfig"])
        webhook, service = urlsplit(profile["METAFLOW_ARGO_EVENTS_WEBHOOK_URL"]), urlsplit(profile["METAFLOW_SERVICE_URL"])
        assert (webhook.scheme, webhook.netloc) == (service.scheme, service.netloc) == ("https", outputs["endpoint"]["hostname"]), stack
        with RecordingServer({webhook.path: (200, "")}, require_bearer=True) as stub:
            profile["METAFLOW_SERVICE_URL"] = stub.url + service.path
            profile["METAFLOW_ARGO_EVENTS_WEBHOOK_URL"] = stub.url + webhook.path
            seen = run_probe({}, profile, probe=ARGO_EVENT_PROBE)
        assert "error" not in seen, (stack, seen)
        assert [(path, headers.get("authorization")) for _, path, headers, _ in stub.requests] == [(webhook.path, "Bearer laptop-token-1")], stack


def test_argo_templates_compiled_on_a_laptop_with_the_extension_carry_no_token(endpoint_outputs, offline_gcp, tmp_path):
    """Metaflow's own compiler (`argo-workflows create --only-json`), run with the endpoint profile
    and the extension installed, as on a laptop: the WorkflowTemplate's steps get the static
    headers only and the in-cluster URL, never an Authorization header or the IAP settings."""
    static = {"x-team": "ml"}
    jobs = []
    for stack, outputs in endpoint_outputs.items():
        profile = {**outputs["metaflowConfig"], "METAFLOW_SERVICE_HEADERS": json.dumps(static)}
        jobs.append((stack, profile, _sample_flow_for(profile), tmp_path / stack))
    for compiled in compile_flows(jobs, offline_gcp):
        assert compiled.process.returncode == 0, f"{compiled.stack}:\n{compiled.process.stderr}"
        text = json.dumps(compiled.template)
        assert "Authorization" not in text and "Bearer" not in text and "GCP_IAP" not in text, compiled.stack
        assert compiled.step_templates, compiled.stack
        for name, template in compiled.step_templates.items():
            env = {e["name"]: e.get("value") for e in template["container"].get("env", [])}
            assert json.loads(env["METAFLOW_SERVICE_HEADERS"]) == static, (compiled.stack, name)
            assert env["METAFLOW_SERVICE_URL"] == compiled.profile["METAFLOW_SERVICE_INTERNAL_URL"], (compiled.stack, name)
