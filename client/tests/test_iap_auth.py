"""Unit tests of metaflow_extensions.gcp_iap.config.iap_auth (standard library unittest)."""
import base64
import json
import unittest
from unittest import mock

import requests

from metaflow_extensions.gcp_iap.config import iap_auth
from stub_server import RecordingServer

CLIENT_ID = "123456789012-abcdefghijklmnop.apps.googleusercontent.com"
SERVICE_ACCOUNT = "mf-dev-iap@example-project.iam.gserviceaccount.com"


class FakeClock(object):
    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


class CountingFetch(object):
    """A token fetch: token-1, token-2, ..., each valid for an hour from the fake clock's now."""

    def __init__(self, clock):
        self.clock = clock
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return "token-%d" % self.calls, self.clock() + 3600


def unsigned_jwt(claims):
    encode = lambda part: base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()
    return "%s.%s.%s" % (encode({"alg": "RS256", "typ": "JWT"}), encode(claims), encode("signature"))


class IdTokenCacheTest(unittest.TestCase):
    def test_reuses_a_token_until_five_minutes_before_it_expires_then_fetches_a_new_one(self):
        clock = FakeClock()
        fetch = CountingFetch(clock)
        cache = iap_auth.IdTokenCache(fetch, clock=clock)
        self.assertEqual(cache.token(), "token-1")
        clock.now += 3600 - iap_auth.REFRESH_MARGIN_SECONDS - 1
        self.assertEqual(cache.token(), "token-1")
        self.assertEqual(fetch.calls, 1)
        clock.now += 1
        self.assertEqual(cache.token(), "token-2")
        self.assertEqual(fetch.calls, 2)

    def test_the_margin_is_well_inside_the_one_hour_lifetime_of_iap_tokens(self):
        self.assertTrue(60 <= iap_auth.REFRESH_MARGIN_SECONDS <= 900)


class IapServiceHeadersTest(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()
        self.fetch = CountingFetch(self.clock)
        self.headers = iap_auth.IapServiceHeaders({"x-team": "ml"}, iap_auth.IdTokenCache(self.fetch, clock=self.clock))

    def test_each_copy_carries_the_current_token_and_the_static_headers(self):
        self.assertEqual(self.headers.copy(), {"x-team": "ml", "Authorization": "Bearer token-1"})
        self.clock.now += 3600
        self.assertEqual(self.headers.copy()["Authorization"], "Bearer token-2")

    def test_what_metaflow_serializes_for_pods_never_holds_a_token(self):
        self.headers.copy()  # a token has been fetched and cached
        for serialized in (json.dumps(self.headers), json.dumps(dict(self.headers)), repr(self.headers)):
            self.assertNotIn("token-", serialized)
            self.assertNotIn("Authorization", serialized)
        self.assertEqual(json.loads(json.dumps(self.headers)), {"x-team": "ml"})

    def test_a_request_to_a_local_stub_carries_the_bearer_token(self):
        with RecordingServer({"/ping": (200, "OK")}) as stub:
            requests.get(stub.url + "/ping", headers=self.headers.copy(), timeout=5).raise_for_status()
            self.clock.now += 3600
            requests.get(stub.url + "/ping", headers=self.headers.copy(), timeout=5).raise_for_status()
        sent = [headers.get("authorization") for _, _, headers, _ in stub.requests]
        self.assertEqual(sent, ["Bearer token-1", "Bearer token-2"])


class ShouldSignTest(unittest.TestCase):
    INTERNAL = "http://metaflow-metadata.metaflow-dev.svc.cluster.local:8080"

    def test_signs_on_a_laptop_configured_for_the_endpoint(self):
        self.assertTrue(iap_auth.should_sign(CLIENT_ID, SERVICE_ACCOUNT, "https://mf.example.com/metadata", self.INTERNAL))

    def test_never_signs_in_a_pod_where_the_service_url_is_the_internal_one(self):
        self.assertFalse(iap_auth.should_sign(CLIENT_ID, SERVICE_ACCOUNT, self.INTERNAL, self.INTERNAL))
        self.assertFalse(iap_auth.should_sign(CLIENT_ID, SERVICE_ACCOUNT, self.INTERNAL + "/", None))

    def test_never_signs_without_the_iap_settings(self):
        self.assertFalse(iap_auth.should_sign(None, SERVICE_ACCOUNT, "https://mf.example.com/metadata", self.INTERNAL))
        self.assertFalse(iap_auth.should_sign(CLIENT_ID, None, "https://mf.example.com/metadata", self.INTERNAL))


class ImpersonatedFetchTest(unittest.TestCase):
    """The real google-auth path, against a stub of the IAM Credentials API's generateIdToken
    (google/auth/impersonated_credentials.py IDTokenCredentials.refresh, google-auth 2.63.0)."""

    def test_mints_an_id_token_for_the_client_as_the_service_account_with_the_users_credentials(self):
        import google.auth
        import google.auth.iam
        from google.oauth2 import credentials as user_credentials

        exp = 2_000_000_000
        id_token = unsigned_jwt({"aud": CLIENT_ID, "email": SERVICE_ACCOUNT, "exp": exp})
        path = "/v1/projects/-/serviceAccounts/%s:generateIdToken" % SERVICE_ACCOUNT
        user = user_credentials.Credentials(token="user-access-token")
        with RecordingServer({path: (200, {"token": id_token})}) as stub, mock.patch.object(
            google.auth, "default", return_value=(user, None)
        ), mock.patch.object(google.auth.iam, "_IAM_IDTOKEN_ENDPOINT", stub.url + "/v1/projects/-/serviceAccounts/{}:generateIdToken"):
            token, expiry = iap_auth.impersonated_id_token_fetcher(SERVICE_ACCOUNT, CLIENT_ID)()
        self.assertEqual((token, expiry), (id_token, exp))
        method, seen_path, headers, body = stub.requests[0]
        self.assertEqual((method, seen_path), ("POST", path))
        self.assertEqual(headers["authorization"], "Bearer user-access-token")
        self.assertEqual(json.loads(body), {"audience": CLIENT_ID, "delegates": None, "includeEmail": True})


class FakeArgoEvent(object):
    """The parts of metaflow 2.19.39 ArgoEvent that sign_argo_events relies on: `_url`,
    `_access_token`, and publish formatting `"Bearer {}".format(access_token)` inside its own try."""

    def __init__(self, url, access_token=None):
        self._url, self._access_token = url, access_token
        self.sent = []

    def publish(self, payload=None, force=True, ignore_errors=True):
        try:
            headers = {"Authorization": "Bearer {}".format(self._access_token)} if self._access_token else {}
            self.sent.append(headers)
            return "event-id"
        except Exception as e:
            if not ignore_errors:
                raise RuntimeError("Unable to publish Argo Event: %s" % e)
            return None


class SignArgoEventsTest(unittest.TestCase):
    ENDPOINT = "https://metaflow.example.com"

    def setUp(self):
        self.clock = FakeClock()
        self.fetch = CountingFetch(self.clock)
        self.headers = iap_auth.IapServiceHeaders({}, iap_auth.IdTokenCache(self.fetch, clock=self.clock))
        self.cls = type("ArgoEvent", (FakeArgoEvent,), {})
        iap_auth.sign_argo_events(self.cls, self.headers, self.ENDPOINT + "/metadata")

    def test_an_event_to_the_endpoint_is_sent_with_the_token_and_keeps_none(self):
        event = self.cls(self.ENDPOINT + "/events/metaflow-event")
        self.assertEqual(event.publish(), "event-id")
        self.assertEqual(event.sent, [{"Authorization": "Bearer token-1"}])
        self.assertIsNone(event._access_token, "the token is not kept on the event (it expires)")

    def test_other_hosts_and_a_callers_own_token_are_left_alone(self):
        elsewhere = self.cls("https://events.example.org/metaflow-event")
        elsewhere.publish()
        own = self.cls(self.ENDPOINT + "/events/metaflow-event", access_token="mine")
        own.publish()
        self.assertEqual((elsewhere.sent, own.sent, self.fetch.calls), ([{}], [{"Authorization": "Bearer mine"}], 0))

    def test_a_token_that_cannot_be_minted_is_publishs_own_error(self):
        def broken():
            raise OSError("no Application Default Credentials")

        headers = iap_auth.IapServiceHeaders({}, iap_auth.IdTokenCache(broken))
        cls = type("ArgoEvent", (FakeArgoEvent,), {})
        iap_auth.sign_argo_events(cls, headers, self.ENDPOINT)
        self.assertIsNone(cls(self.ENDPOINT + "/events/e").publish())
        with self.assertRaisesRegex(RuntimeError, "no Application Default Credentials"):
            cls(self.ENDPOINT + "/events/e").publish(ignore_errors=False)

    def test_signing_twice_wraps_once(self):
        wrapped = self.cls.publish
        iap_auth.sign_argo_events(self.cls, self.headers, self.ENDPOINT)
        self.assertIs(self.cls.publish, wrapped)

    def test_same_origin_is_scheme_host_and_port(self):
        self.assertTrue(iap_auth.same_origin("https://a.example.com/events/x", "https://A.example.com/metadata"))
        for other in ("http://a.example.com/metadata", "https://a.example.com:8443/metadata", "https://b.example.com/metadata", None):
            self.assertFalse(iap_auth.same_origin("https://a.example.com/events/x", other), other)


if __name__ == "__main__":
    unittest.main()
