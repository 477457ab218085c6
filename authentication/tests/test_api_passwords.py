"""E08/E09 password reset by code, E10 re-confirmation, and change password."""

from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from rest_framework_simplejwt.tokens import RefreshToken

from authentication.tests.conftest import last_code, last_link
from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Oak-77"


def reset(api_client, email):
    return api_client.post("/api/auth/password/reset/", {"email": email}, format="json")


def confirm(api_client, email, code, password=NEW_PASSWORD, confirm_password=None):
    body = {
        "email": email,
        "code": code,
        "password": password,
        "password_confirm": confirm_password or password,
    }
    return api_client.post("/api/auth/password/reset/verify/", body, format="json")


def test_reset_emails_a_link_with_email_and_code(api_client, settings):
    UserFactory(email="ada+shop@example.com")
    response = reset(api_client, "ada+shop@example.com")
    assert response.status_code == 200
    link = last_link("ada+shop@example.com", f"{settings.FRONTEND_URL}/reset-password?")
    query = parse_qs(urlparse(link).query)
    assert query["email"] == ["ada+shop@example.com"]
    assert "email=ada%2Bshop%40example.com" in link
    assert query["code"][0].isdigit() and len(query["code"][0]) == 6


def test_reset_is_200_for_unknown_addresses_and_sends_nothing(api_client):
    response = reset(api_client, "nobody@example.com")
    assert response.status_code == 200
    assert response.json() == {
        "message": "If an account exists for this email, we have sent a link to reset the password."
    }
    assert mail.outbox == []


def test_reset_within_cooldown_is_still_200_without_a_new_mail(api_client):
    UserFactory(email="ada@example.com")
    reset(api_client, "ada@example.com")
    assert reset(api_client, "ada@example.com").status_code == 200
    assert len(mail.outbox) == 1


def test_reset_verify_sets_the_new_password(api_client):
    user = UserFactory(email="ada@example.com")
    reset(api_client, "ada@example.com")
    response = confirm(api_client, "ada@example.com", last_code("ada@example.com"))
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(DEFAULT_PASSWORD)


def test_reset_code_is_single_use_and_expires(api_client, settings):
    user = UserFactory(email="ada@example.com")
    reset(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.VERIFICATION_CODE_TTL_MINUTES + 1)):
        assert confirm(api_client, "ada@example.com", code).status_code == 400
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


def test_reset_with_a_wrong_code_or_email_changes_nothing(api_client):
    user = UserFactory(email="ada@example.com")
    reset(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    wrong = confirm(api_client, "ada@example.com", f"{(int(code) + 1) % 1_000_000:06d}")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_code"
    assert confirm(api_client, "other@example.com", code).status_code == 400
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)


@pytest.mark.parametrize(
    ("password", "confirm_password", "field"),
    [("short", None, "password"), ("Brand-New-Oak-77", "Different-Oak-77", "password_confirm")],
)
def test_reset_validates_the_password_without_using_the_code(api_client, password, confirm_password, field):
    user = UserFactory(email="ada@example.com")
    reset(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    response = confirm(api_client, "ada@example.com", code, password, confirm_password)
    assert response.status_code == 400
    assert field in response.json()
    assert confirm(api_client, "ada@example.com", code).status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_reset_is_throttled(api_client, settings):
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "password_reset_account": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    for _ in range(2):
        assert reset(api_client, "ada@example.com").status_code == 200
    assert reset(api_client, "ada@example.com").status_code == 429


def test_verify_password(auth_client):
    client = auth_client(UserFactory())
    ok = client.post("/api/auth/verify-password/", {"password": DEFAULT_PASSWORD}, format="json")
    assert ok.status_code == 200
    assert ok.json() == {"message": "Password confirmed."}
    wrong = client.post("/api/auth/verify-password/", {"password": "nope"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json() == {
        "detail": "The password is incorrect.",
        "error": "The password is incorrect.",
        "code": "wrong_password",
    }


def test_change_password_signs_out_other_sessions_and_keeps_this_one(auth_client, api_client):
    user = UserFactory()
    client, other_device = auth_client(user), auth_client(user)
    old_refresh = str(RefreshToken.for_user(user))
    body = {
        "current_password": DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    response = client.post("/api/auth/password/change/", body, format="json")
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)

    assert other_device.get("/api/auth/profile/").status_code == 401
    refused = api_client.post("/api/auth/token/refresh/", {"refresh": old_refresh}, format="json")
    assert refused.status_code == 401
    tokens = response.json()
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert api_client.get("/api/auth/profile/").json()["id"] == str(user.pk)
    renewed = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert renewed.status_code == 200


def test_reset_signs_out_every_session(auth_client, api_client):
    user = UserFactory(email="ada@example.com")
    signed_in = auth_client(user)
    refresh = str(RefreshToken.for_user(user))
    assert signed_in.get("/api/auth/profile/").status_code == 200

    reset(api_client, "ada@example.com")
    assert confirm(api_client, "ada@example.com", last_code("ada@example.com")).status_code == 200

    assert signed_in.get("/api/auth/profile/").status_code == 401
    refused = api_client.post("/api/auth/token/refresh/", {"refresh": refresh}, format="json")
    assert refused.status_code == 401
    assert "access" not in refused.json()
    login = api_client.post("/api/auth/login/", {"email": "ada@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("overrides", "status", "key"),
    [
        ({"current_password": "wrong"}, 400, "detail"),
        ({"new_password": "12345678", "new_password_confirm": "12345678"}, 400, "new_password"),
        ({"new_password_confirm": "Mismatch-Oak-77"}, 400, "new_password_confirm"),
    ],
)
def test_change_password_refusals(auth_client, overrides, status, key):
    user = UserFactory()
    client = auth_client(user)
    body = {
        "current_password": DEFAULT_PASSWORD,
        "new_password": NEW_PASSWORD,
        "new_password_confirm": NEW_PASSWORD,
    }
    response = client.post("/api/auth/password/change/", {**body, **overrides}, format="json")
    assert response.status_code == status
    assert key in response.json()
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
