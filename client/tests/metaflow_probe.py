"""Run in a fresh interpreter (`python metaflow_probe.py`) so Metaflow loads its config, and its
extensions, from the environment and profile it is given, as on a laptop or in a pod. Sends the
metadata client's ping and a run heartbeat to METAFLOW_SERVICE_URL, then prints what it saw as
JSON. The token source is replaced after loading: no Google call is made; everything else is
Metaflow's own code (metaflow 2.19.39).
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
