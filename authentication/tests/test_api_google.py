"""E05 Google sign-in: tokens signed with a local RSA key, keys served by a local JWKS server."""

import time

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail

from authentication.models import User
from authentication.tests.conftest import last_code
from authentication.tests.factories import UserFactory
from designiaBackend.observability import metrics

pytestmark = pytest.mark.django_db


def google_login(api_client, token):
    return api_client.post("/api/auth/google/login/", {"token": token}, format="json")


def test_first_sign_in_creates_a_verified_account(api_client, google_idp):
    before = metrics.SIGNUPS.labels(method="google")._value.get()
    response = google_login(api_client, google_idp.token(email="grace@gmail.com", sub="g-1"))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user", "message"}
    assert body["message"] == "Signed in with Google."
    user = User.objects.get(email="grace@gmail.com")
    assert (user.google_sub, user.is_email_verified, user.has_usable_password()) == ("g-1", True, False)
    assert (user.first_name, user.last_name, user.username) == ("Grace", "Hopper", "grace")
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["two_factor_enabled"] is False
    assert metrics.SIGNUPS.labels(method="google")._value.get() == before + 1
    # Second sign-in: same account, nothing new.
    again = google_login(api_client, google_idp.token(email="grace@gmail.com", sub="g-1"))
    assert again.status_code == 200
    assert User.objects.count() == 1
    assert metrics.SIGNUPS.labels(method="google")._value.get() == before + 1


def test_links_an_existing_verified_account(api_client, google_idp):
    user = UserFactory(email="ada@example.com")
    response = google_login(api_client, google_idp.token(email="Ada@Example.com", sub="g-ada"))
    assert response.status_code == 200
    assert response.json()["user"]["id"] == str(user.pk)
    user.refresh_from_db()
    assert user.google_sub == "g-ada"
    assert user.first_name == "Ada"  # existing data is not overwritten


def test_refuses_to_link_an_unverified_account(api_client, google_idp):
    user = UserFactory(email="ada@example.com", is_email_verified=False)
    response = google_login(api_client, google_idp.token(email="ada@example.com", sub="g-ada"))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_google_token"
    user.refresh_from_db()
    assert user.google_sub is None and user.is_email_verified is False


def test_two_factor_still_applies(api_client, google_idp):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    response = google_login(api_client, google_idp.token(email="ada@example.com"))
    assert response.status_code == 202
    assert response.json()["user_id"] == str(user.pk)
    code = last_code("ada@example.com")
    done = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": code}, format="json"
    )
    assert done.status_code == 200


def _refused(api_client, token):
    response = google_login(api_client, token)
    assert response.status_code == 400
    assert response.json()["code"] in ("invalid_google_token", "invalid")
    assert User.objects.count() == 0
    assert mail.outbox == []
    return response


def test_forged_signature_is_refused(api_client, google_idp):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    _refused(api_client, google_idp.token(email="eve@gmail.com", key=other_key))


def test_wrong_audience_is_refused(api_client, google_idp):
    _refused(
        api_client, google_idp.token(email="eve@gmail.com", aud="someone-else.apps.googleusercontent.com")
    )


def test_wrong_issuer_is_refused(api_client, google_idp):
    _refused(api_client, google_idp.token(email="eve@gmail.com", iss="https://evil.example.com"))


def test_expired_token_is_refused(api_client, google_idp):
    past = int(time.time()) - 7200
    _refused(api_client, google_idp.token(email="eve@gmail.com", iat=past, exp=past + 3600))


def test_unverified_google_email_is_refused(api_client, google_idp):
    response = _refused(api_client, google_idp.token(email="eve@gmail.com", email_verified=False))
    assert response.json()["detail"] == "Your Google account's email address is not verified."


def test_garbage_is_refused(api_client, google_idp):
    _refused(api_client, "not-a-jwt")


def test_hs256_token_with_the_public_key_is_refused(api_client, google_idp):
    import jwt

    token = jwt.encode(
        {
            "iss": "accounts.google.com",
            "aud": "x",
            "sub": "1",
            "email": "e@x.com",
            "exp": int(time.time()) + 60,
        },
        "a-shared-secret-of-at-least-32-bytes!",
        algorithm="HS256",
        headers={"kid": google_idp.kid},
    )
    _refused(api_client, token)


def test_keys_are_fetched_over_http_and_cached(api_client, google_idp):
    google_login(api_client, google_idp.token(email="one@gmail.com", sub="s1"))
    fetched = google_idp.requests
    google_login(api_client, google_idp.token(email="two@gmail.com", sub="s2"))
    assert fetched >= 1
    assert google_idp.requests == fetched


def test_unreachable_key_server_is_503(api_client, google_idp, settings):
    token = google_idp.token(email="eve@gmail.com")
    settings.GOOGLE_JWKS_URL = "http://127.0.0.1:9/certs"
    response = google_login(api_client, token)
    assert response.status_code == 503
    assert User.objects.count() == 0
