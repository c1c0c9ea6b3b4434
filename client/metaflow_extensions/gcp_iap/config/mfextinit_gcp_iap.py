"""Metaflow config extension (loaded by metaflow/extension_support as the `config` extension
point of the `gcp_iap` package): on a laptop configured for the platform's IAP endpoint, replaces
SERVICE_HEADERS with an object that adds a fresh Google ID token to each request.

Every public name left in this module is copied into metaflow.metaflow_config, so helpers are
deleted at the end and SERVICE_HEADERS is defined only when signing is on.
"""
import sys as _sys

from metaflow.metaflow_config_funcs import from_conf as _from_conf

from .iap_auth import (
    IapServiceHeaders as _IapServiceHeaders,
    IdTokenCache as _IdTokenCache,
    impersonated_id_token_fetcher as _fetcher,
    should_sign as _should_sign,
)

#: OAuth client ID of the endpoint's IAP (the token's audience); from the Metaflow profile.
GCP_IAP_CLIENT_ID = _from_conf("GCP_IAP_CLIENT_ID")
#: Service account the ID token is minted as; from the Metaflow profile.
GCP_IAP_SERVICE_ACCOUNT = _from_conf("GCP_IAP_SERVICE_ACCOUNT")

_service_url = _from_conf("SERVICE_URL")
if _should_sign(GCP_IAP_CLIENT_ID, GCP_IAP_SERVICE_ACCOUNT, _service_url, _from_conf("SERVICE_INTERNAL_URL")):
    # metaflow_config is still loading (it imports this module at its end); the static headers
    # it computed so far (METAFLOW_SERVICE_HEADERS, x-api-key) are kept.
    SERVICE_HEADERS = _IapServiceHeaders(
        _sys.modules["metaflow.metaflow_config"].SERVICE_HEADERS,
        _IdTokenCache(_fetcher(GCP_IAP_SERVICE_ACCOUNT, GCP_IAP_CLIENT_ID)),
    )

del _sys, _from_conf, _IapServiceHeaders, _IdTokenCache, _fetcher, _should_sign, _service_url
