"""E06 refresh (rotation without blacklist) and 401 for bad access tokens (contract §2.1)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def tokens(api_client, email="ada@example.com"):
    UserFactory(email=email)
    body = api_client.post(
        "/api/auth/login/", {"email": email, "password": DEFAULT_PASSWORD}, format="json"
    ).json()
    return body["access"], body["refresh"]


def test_access_token_carries_exp(api_client, settings):
    access, _refresh = tokens(api_client)
    payload = AccessToken(access).payload
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    assert abs(payload["exp"] - (timezone.now().timestamp() + lifetime)) < 10


def test_refresh_rotates_and_the_old_refresh_stays_usable(api_client):
    _access, refresh = tokens(api_client)
    first = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    assert first.json()["refresh"] != refresh
    # A parallel request refreshing with the same old token still succeeds.
    second = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert second.status_code == 200
    new_access = second.json()["access"]
    assert api_client.get("/api/auth/profile/", HTTP_AUTHORIZATION=f"Bearer {new_access}").status_code == 200


@pytest.mark.parametrize("refresh", ["garbage", "a.b.c"])
def test_invalid_refresh_is_401(api_client, refresh):
    response = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert "detail" in response.json()


def test_expired_refresh_is_401(api_client, settings):
    _access, refresh = tokens(api_client)
    later = timezone.now() + settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"] + timedelta(minutes=1)
    with time_machine.travel(later):
        response = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert response.status_code == 401


def test_access_token_cannot_be_used_as_refresh(api_client):
    access, _refresh = tokens(api_client)
    assert api_client.post("/api/auth/token/refresh/", {"refresh": access}, format="json").status_code == 401


def test_missing_token_on_a_user_endpoint_is_401(api_client):
    response = api_client.get("/api/auth/profile/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_tampered_access_token_is_401_not_403(api_client):
    access, _refresh = tokens(api_client)
    header, payload, signature = access.split(".")
    tampered = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = api_client.get("/api/auth/profile/", HTTP_AUTHORIZATION=f"Bearer {tampered}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"


def test_access_token_signed_with_another_key_is_401(api_client):
    user = UserFactory()
    forged = AccessToken.for_user(user)
    forged_string = forged.token_backend.__class__(
        "HS256", "someone-elses-key-that-is-long-enough-1234"
    ).encode(forged.payload)
    response = api_client.get("/api/auth/profile/", HTTP_AUTHORIZATION=f"Bearer {forged_string}")
    assert response.status_code == 401


def test_expired_access_token_is_401(api_client, settings):
    access, _refresh = tokens(api_client)
    later = timezone.now() + settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] + timedelta(seconds=5)
    with time_machine.travel(later):
        response = api_client.get("/api/auth/account/status/", HTTP_AUTHORIZATION=f"Bearer {access}")
    assert response.status_code == 401


def test_refresh_of_a_deactivated_user_is_401(api_client):
    user = UserFactory()
    refresh = str(RefreshToken.for_user(user))
    user.is_active = False
    user.save()
    assert api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json").status_code == 401
