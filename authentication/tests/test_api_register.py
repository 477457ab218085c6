"""E01 register, E02 verify e-mail, and resending the link."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from authentication.models import EmailVerificationToken, User
from authentication.tests.conftest import emails_to, last_link
from authentication.tests.factories import UserFactory
from designiaBackend.observability import metrics

pytestmark = pytest.mark.django_db

PASSWORD = "Walnut-Table-42"


def register(api_client, email="anna@example.com", **overrides):
    body = {
        "username": email.split("@")[0],
        "email": email,
        "first_name": "Anna",
        "last_name": "Berg",
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        **overrides,
    }
    return api_client.post("/api/auth/register/", body, format="json")


def test_register_returns_the_user_and_sends_a_verification_link(api_client, settings):
    before = metrics.SIGNUPS.labels(method="email")._value.get()
    response = register(api_client)
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Registration successful. Check your email to verify your account."
    user = User.objects.get(email="anna@example.com")
    assert body["user"] == {
        "id": str(user.pk),
        "username": "anna",
        "email": "anna@example.com",
        "first_name": "Anna",
        "last_name": "Berg",
        "role": "customer",
        "avatar": None,
        "profile": body["user"]["profile"],
        "two_factor_enabled": False,
        "is_email_verified": False,
        "last_login": None,
        "language": "en",
        "date_joined": body["user"]["date_joined"],
    }
    assert body["user"]["profile"]["profile_picture_url"] is None
    assert body["user"]["profile"]["phone_number"] is None
    assert "access" not in body and "refresh" not in body
    assert user.check_password(PASSWORD)
    assert metrics.SIGNUPS.labels(method="email")._value.get() == before + 1
    [message] = emails_to("anna@example.com")
    link = last_link("anna@example.com", f"{settings.FRONTEND_URL}/verify-email/")
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 40
    assert message.alternatives[0][1] == "text/html" and link in message.alternatives[0][0]
    # Only a hash is stored.
    assert not EmailVerificationToken.objects.filter(token_hash=token).exists()
    assert EmailVerificationToken.objects.filter(user=user).count() == 1


def test_username_is_derived_from_the_email_and_deduplicated(api_client):
    UserFactory(username="anna", email="anna@elsewhere.com")
    assert register(api_client, email="anna@example.com").json()["user"]["username"] == "anna-2"
    assert register(api_client, email="anna@example.org").json()["user"]["username"] == "anna-3"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "short1", "password_confirm": "short1"}, "password"),
        ({"password": "password", "password_confirm": "password"}, "password"),
        ({"password": "1234567890", "password_confirm": "1234567890"}, "password"),
        ({"password_confirm": "Other-Pass-99"}, "password_confirm"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_register_refusals_are_field_errors(api_client, overrides, field):
    response = register(api_client, **overrides)
    assert response.status_code == 400
    body = response.json()
    assert isinstance(body[field], list) and body[field]
    assert "detail" not in body and "message" not in body
    assert User.objects.count() == 0
    assert mail.outbox == []


def test_register_refuses_a_taken_email(api_client):
    UserFactory(email="anna@example.com")
    response = register(api_client, email="Anna@Example.com")
    assert response.status_code == 400
    assert response.json()["email"] == ["An account with this email already exists."]
    assert User.objects.count() == 1


def test_register_cannot_set_role_or_verification(api_client):
    response = register(
        api_client, role="admin", is_email_verified=True, is_staff=True, two_factor_enabled=True
    )
    assert response.status_code == 201
    user = User.objects.get(email="anna@example.com")
    assert (user.role, user.is_email_verified, user.is_staff, user.two_factor_enabled) == (
        "customer",
        False,
        False,
        False,
    )


def _token_from_mail(settings, email="anna@example.com"):
    return last_link(email, f"{settings.FRONTEND_URL}/verify-email/").rsplit("/", 1)[1]


def test_verification_link_works_once(api_client, settings):
    register(api_client)
    token = _token_from_mail(settings)
    response = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 200
    assert response.json() == {"message": "Your email is verified. You can log in now."}
    assert User.objects.get(email="anna@example.com").is_email_verified is True
    again = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert again.status_code == 400
    assert again.json()["code"] == "invalid_token"


def test_verification_link_expires(api_client, settings):
    register(api_client)
    token = _token_from_mail(settings)
    later = timezone.now() + timedelta(hours=settings.EMAIL_VERIFICATION_TTL_HOURS, minutes=1)
    with time_machine.travel(later):
        response = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "This verification link is invalid or has expired."
    assert User.objects.get(email="anna@example.com").is_email_verified is False


def test_unknown_token_is_refused(api_client):
    response = api_client.post("/api/auth/verify-email/", {"token": "forged"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_token"


def test_resend_sends_a_new_link_and_kills_the_old_one(api_client, settings):
    register(api_client)
    old = _token_from_mail(settings)
    resend = {"email": "anna@example.com"}
    # Within the resend window nothing new goes out.
    assert api_client.post("/api/auth/verify-email/resend/", resend, format="json").status_code == 200
    assert len(emails_to("anna@example.com")) == 1
    later = timezone.now() + timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS + 1)
    with time_machine.travel(later):
        response = api_client.post("/api/auth/verify-email/resend/", resend, format="json")
    assert response.status_code == 200
    new = _token_from_mail(settings)
    assert new != old and len(emails_to("anna@example.com")) == 2
    assert api_client.post("/api/auth/verify-email/", {"token": old}, format="json").status_code == 400
    assert api_client.post("/api/auth/verify-email/", {"token": new}, format="json").status_code == 200


def test_resend_is_silent_for_unknown_and_verified_addresses(api_client):
    UserFactory(email="done@example.com")
    for email in ("nobody@example.com", "done@example.com"):
        response = api_client.post("/api/auth/verify-email/resend/", {"email": email}, format="json")
        assert response.status_code == 200
    assert mail.outbox == []


def test_register_is_throttled_per_ip(api_client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "register": "2/min"},
    }
    assert register(api_client, email="a1@example.com").status_code == 201
    assert register(api_client, email="a2@example.com").status_code == 201
    response = register(api_client, email="a3@example.com")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert "detail" in response.json()
    assert not User.objects.filter(email="a3@example.com").exists()
