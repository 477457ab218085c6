"""E11 account status, E12 send code, E13 enable, E14 disable."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from authentication.tests.conftest import emails_to, last_code
from authentication.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return UserFactory(email="ada@example.com")


@pytest.fixture
def client(auth_client, user):
    return auth_client(user)


def test_account_status(client):
    response = client.get("/api/auth/account/status/")
    assert response.status_code == 200
    assert response.json() == {
        "two_factor_enabled": False,
        "is_email_verified": True,
        "role": "customer",
        "has_usable_password": True,
    }


def test_account_status_needs_a_user(api_client):
    assert api_client.get("/api/auth/account/status/").status_code == 401


def test_enable_then_disable(client, user):
    response = client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "A 6-digit code has been sent to your email."}
    [message] = emails_to("ada@example.com")
    assert message.subject == "Your code to enable two-factor authentication"
    enabled = client.post("/api/auth/2fa/enable/", {"code": last_code("ada@example.com")}, format="json")
    assert enabled.status_code == 200
    assert enabled.json() == {"message": "Two-factor authentication is on.", "two_factor_enabled": True}
    user.refresh_from_db()
    assert user.two_factor_enabled is True
    assert client.get("/api/auth/profile/").json()["two_factor_enabled"] is True
    assert client.get("/api/auth/account/status/").json()["two_factor_enabled"] is True

    assert (
        client.post("/api/auth/2fa/send-code/", {"purpose": "disable_2fa"}, format="json").status_code == 200
    )
    disabled = client.post("/api/auth/2fa/disable/", {"code": last_code("ada@example.com")}, format="json")
    assert disabled.status_code == 200
    user.refresh_from_db()
    assert user.two_factor_enabled is False


def test_wrong_code_does_not_enable(client, user):
    client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json")
    code = last_code("ada@example.com")
    wrong = f"{(int(code) + 7) % 1_000_000:06d}"
    response = client.post("/api/auth/2fa/enable/", {"code": wrong}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_code"
    user.refresh_from_db()
    assert user.two_factor_enabled is False


def test_an_enable_code_cannot_disable(client, user):
    user.two_factor_enabled = True
    user.save()
    client.post("/api/auth/2fa/send-code/", {"purpose": "disable_2fa"}, format="json")
    code = last_code("ada@example.com")
    user.two_factor_enabled = False
    user.save()
    response = client.post("/api/auth/2fa/enable/", {"code": code}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.two_factor_enabled is False


def test_enable_code_expires(client, user, settings):
    client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json")
    code = last_code("ada@example.com")
    with time_machine.travel(timezone.now() + timedelta(minutes=settings.VERIFICATION_CODE_TTL_MINUTES + 1)):
        response = client.post("/api/auth/2fa/enable/", {"code": code}, format="json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.two_factor_enabled is False


def test_resend_cooldown_is_429(client, settings):
    client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json")
    response = client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "code_cooldown"
    assert len(mail.outbox) == 1
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS + 1)
    ):
        assert (
            client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json").status_code
            == 200
        )
    assert len(mail.outbox) == 2


def test_state_errors(client, user):
    response = client.post("/api/auth/2fa/send-code/", {"purpose": "disable_2fa"}, format="json")
    assert response.status_code == 400
    assert (
        response.json()["detail"] == "Two-factor authentication is not enabled; there is nothing to disable."
    )
    assert client.post("/api/auth/2fa/disable/", {"code": "123456"}, format="json").status_code == 400
    bad_purpose = client.post("/api/auth/2fa/send-code/", {"purpose": "root"}, format="json")
    assert bad_purpose.status_code == 400
    assert "purpose" in bad_purpose.json()
    assert mail.outbox == []


def test_two_factor_endpoints_need_a_user(api_client):
    for path in ("/api/auth/2fa/send-code/", "/api/auth/2fa/enable/", "/api/auth/2fa/disable/"):
        assert api_client.post(path, {}, format="json").status_code == 401
