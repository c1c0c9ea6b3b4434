"""Google ID tokens for an IAP-protected Metaflow service, and the header object that carries them.

Metaflow sends ``SERVICE_HEADERS.copy()`` with every request to the metadata service
(``plugins/metadata_providers/service.py``) and every heartbeat (``metadata_provider/heartbeat.py``),
but writes ``json.dumps(SERVICE_HEADERS)`` into pod env and Argo templates
(``plugins/kubernetes/kubernetes.py``, ``plugins/argo/argo_workflows.py``; metaflow 2.19.39).
``IapServiceHeaders`` adds the token in ``copy()`` only, so requests carry a fresh token and
nothing that leaves the laptop in a pod spec ever holds one.

Argo events are the exception: ``ArgoEvent.publish`` (``plugins/argo/argo_events.py``) builds its
headers itself and sends ``Authorization: Bearer <access_token>`` only when the event was given an
``access_token``; ``sign_argo_events`` gives it one for events sent to the endpoint.

No Metaflow import here: the module is tested on its own.
"""
import functools
import threading
import time
from datetime import timezone
from urllib.parse import urlsplit

CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
#: IAP ID tokens live an hour; take a new one this long before the old one expires.
REFRESH_MARGIN_SECONDS = 300


class IdTokenCache(object):
    """Caches one ID token and fetches a new one ``margin`` seconds before it expires.

    ``fetch()`` returns ``(token, expiry)`` with expiry in seconds since the epoch.
    """

    def __init__(self, fetch, margin=REFRESH_MARGIN_SECONDS, clock=time.time):
        self._fetch = fetch
        self._margin = margin
        self._clock = clock
        self._token = None
        self._expiry = 0.0
        self._lock = threading.Lock()

    def token(self):
        with self._lock:
            if self._token is None or self._clock() >= self._expiry - self._margin:
                self._token, self._expiry = self._fetch()
            return self._token


def impersonated_id_token_fetcher(service_account, audience):
    """A ``fetch`` for ``IdTokenCache``: an ID token for ``audience`` (the IAP OAuth client ID)
    minted as ``service_account`` through the IAM Credentials API (generateIdToken), called with
    the user's Application Default Credentials.

    A user's own ADC cannot mint an ID token for another client's audience; Google's IAP docs
    ("Programmatic authentication") accept a service account's ID token whose audience is the
    OAuth client ID. The platform lets each member do exactly that, and nothing more
    (roles/iam.serviceAccountOpenIdTokenCreator on that one account).
    """

    def fetch():
        # Imported here: a laptop without the endpoint never needs google-auth.
        import google.auth
        from google.auth import impersonated_credentials
        from google.auth.transport.requests import Request

        source, _ = google.auth.default(scopes=[CLOUD_PLATFORM_SCOPE])
        target = impersonated_credentials.Credentials(
            source_credentials=source,
            target_principal=service_account,
            target_scopes=[CLOUD_PLATFORM_SCOPE],
        )
        id_credentials = impersonated_credentials.IDTokenCredentials(
            target, target_audience=audience, include_email=True
        )
        id_credentials.refresh(Request())
        # google-auth keeps expiry as a naive UTC datetime.
        expiry = id_credentials.expiry.replace(tzinfo=timezone.utc).timestamp()
        return id_credentials.token, expiry

    return fetch


class IapServiceHeaders(dict):
    """Metaflow's SERVICE_HEADERS on a laptop that talks to the IAP endpoint.

    As a dict it holds only the static headers (what Metaflow serializes for pods); ``copy()``,
    which Metaflow calls for each request, returns them plus ``Authorization: Bearer <ID token>``.
    """

    def __init__(self, static_headers, tokens):
        super(IapServiceHeaders, self).__init__(static_headers)
        self._tokens = tokens

    def copy(self):
        headers = dict(self)
        headers["Authorization"] = "Bearer %s" % self.bearer_token()
        return headers

    def bearer_token(self):
        """The current ID token (cached, refreshed before it expires)."""
        return self._tokens.token()


class _TokenOnUse(object):
    """An ``access_token`` for ``ArgoEvent`` that mints the ID token only when ``publish`` formats
    its header (``"Bearer {}".format(token)``), inside publish's own ``try``: a token that cannot be
    minted is then reported like any other publishing error (printed, or raised as
    ArgoEventException with ``ignore_errors=False``), and an event that is not sent mints nothing."""

    def __init__(self, headers):
        self._headers = headers

    def __format__(self, spec):
        return format(self._headers.bearer_token(), spec)

    def __str__(self):
        return self._headers.bearer_token()

    def __repr__(self):
        return "<IAP ID token, minted when sent>"


def same_origin(url, other):
    """Whether two URLs share scheme, host and port: the IAP endpoint serves every path of its
    host behind the same OAuth client, and a token never goes to another host."""
    if not url or not other:
        return False
    a, b = urlsplit(url), urlsplit(other)
    return (a.scheme, a.netloc.lower()) == (b.scheme, b.netloc.lower())


def sign_argo_events(argo_event_class, headers, service_url):
    """Wraps ``argo_event_class.publish`` (metaflow 2.19.39 ``ArgoEvent``) so that an event whose
    URL is on the endpoint (``service_url``'s origin: the profile's ARGO_EVENTS_WEBHOOK_URL is
    ``https://<host>/events/<event>``) and that was given no ``access_token`` is published with the
    ID token as its access token, which ``publish`` sends as ``Authorization: Bearer``. Events to
    other URLs, and tokens the caller passed, are left alone. Idempotent."""
    original = argo_event_class.publish
    if getattr(original, "_gcp_iap_signed", False):
        return

    @functools.wraps(original)
    def publish(self, *args, **kwargs):
        if self._access_token or not same_origin(self._url, service_url):
            return original(self, *args, **kwargs)
        self._access_token = _TokenOnUse(headers)
        try:
            return original(self, *args, **kwargs)
        finally:
            self._access_token = None

    publish._gcp_iap_signed = True
    argo_event_class.publish = publish


def should_sign(client_id, service_account, service_url, internal_url):
    """Sign only on a laptop configured for the endpoint: both IAP settings present, and the
    service URL is not the in-cluster one (pods get METAFLOW_SERVICE_URL = the internal URL)."""
    if not client_id or not service_account or not service_url:
        return False
    return service_url.rstrip("/") != (internal_url or service_url).rstrip("/")
