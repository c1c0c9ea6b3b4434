"""Run in a fresh interpreter (`python argo_event_probe.py [url]`) so Metaflow loads its config and
extensions from the environment and profile it is given, as on a laptop. Publishes
ArgoEvent("data_ready") with Metaflow's own `publish(ignore_errors=False)` (metaflow 2.19.39
plugins/argo/argo_events.py) to METAFLOW_ARGO_EVENTS_WEBHOOK_URL, or to `url`, then prints what
happened as JSON. The token source is replaced after loading: no Google call is made.
"""
import json
import sys

from metaflow import metaflow_config
from metaflow.integrations import ArgoEvent
from metaflow_extensions.gcp_iap.config.iap_auth import IapServiceHeaders

headers = metaflow_config.SERVICE_HEADERS


class Tokens(object):
    calls = 0

    def token(self):
        Tokens.calls += 1
        return "laptop-token-%d" % Tokens.calls


if isinstance(headers, IapServiceHeaders):
    headers._tokens = Tokens()

event = ArgoEvent("data_ready", **({"url": sys.argv[1]} if len(sys.argv) > 1 else {}))
result = {"headers_type": type(headers).__name__, "tokens_minted": 0}
try:
    result["id"] = event.publish(payload={"day": "2026-12-06"}, ignore_errors=False)
except Exception as e:  # what the user sees: ArgoEventException("Unable to publish Argo Event ...")
    result["error"] = "%s: %s" % (type(e).__name__, e)
result["tokens_minted"] = Tokens.calls
print(json.dumps(result))
