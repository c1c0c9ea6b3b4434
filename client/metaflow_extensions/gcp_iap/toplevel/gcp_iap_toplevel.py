"""On a laptop whose requests the `config` extension signs, Argo events sent to the endpoint carry
the ID token too: ArgoEvent.publish builds its own headers and never asks SERVICE_HEADERS for one
(metaflow 2.19.39 `plugins/argo/argo_events.py`), so `sign_argo_events` hands it the token where it
reads one, its `access_token`. Elsewhere (pods, the tunnel, no endpoint) nothing changes.

Every public name left in this module is copied into the `metaflow` namespace: helpers are deleted.
"""
from metaflow import metaflow_config as _config

from ..config.iap_auth import IapServiceHeaders as _IapServiceHeaders, sign_argo_events as _sign_argo_events

if isinstance(_config.SERVICE_HEADERS, _IapServiceHeaders):
    from metaflow.plugins.argo import argo_events as _argo_events

    _sign_argo_events(_argo_events.ArgoEvent, _config.SERVICE_HEADERS, _config.SERVICE_URL)
    del _argo_events

del _config, _IapServiceHeaders, _sign_argo_events
