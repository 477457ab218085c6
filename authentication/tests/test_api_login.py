"""E03 login and E04 the 2FA second step (contract §2.3), with codes, attempts and throttling."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from authentication.models import User, VerificationCode
from authentication.tests.conftest import emails_to, last_code
from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory
from designiaBackend.observability import metrics

pytestmark = pytest.mark.django_db


def login(api_client, email, password=DEFAULT_PASSWORD):
    return api_client.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def logins(outcome):
    return metrics.LOGINS.labels(outcome=outcome)._value.get()


def test_login_returns_tokens_and_the_full_user(api_client):
    user = UserFactory(email="ada@example.com")
    before = logins("ok")
    response = login(api_client, "ADA@example.com")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access", "refresh", "user", "message"}
    assert body["message"] == "Login successful."
    assert body["access"].count(".") == 2 and body["refresh"].count(".") == 2
    user.refresh_from_db()
    assert user.last_login is not None
    assert body["user"]["id"] == str(user.pk)
    assert body["user"]["two_factor_enabled"] is False
    assert body["user"]["role"] == "customer"
    assert body["user"]["profile"]["profile_picture_url"] is None
    assert body["user"]["last_login"] is not None
    assert logins("ok") == before + 1
    profile = api_client.get("/api/auth/profile/", HTTP_AUTHORIZATION=f"Bearer {body['access']}")
    assert profile.status_code == 200
    assert profile.json() == {**body["user"], "last_login": profile.json()["last_login"]}


def test_wrong_password_is_401_with_readable_text(api_client):
    user = UserFactory(email="ada@example.com")
    before = logins("failed")
    response = login(api_client, "ada@example.com", "wrong-password")
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Invalid email or password.",
        "error": "Invalid email or password.",
        "code": "invalid_credentials",
    }
    assert login(api_client, "nobody@example.com").status_code == 401
    user.refresh_from_db()
    assert user.last_login is None
    assert logins("failed") == before + 2


def test_unverified_email_is_403(api_client):
    UserFactory(email="new@example.com", is_email_verified=False)
    before = logins("unverified")
    response = login(api_client, "new@example.com")
    assert response.status_code == 403
    body = response.json()
    assert body["error"] == body["detail"]
    assert "verify your email" in body["error"]
    assert body["code"] == "email_not_verified"
    assert "access" not in body
    assert logins("unverified") == before + 1


def test_unverified_with_wrong_password_reveals_nothing(api_client):
    UserFactory(email="new@example.com", is_email_verified=False)
    assert login(api_client, "new@example.com", "nope-nope").status_code == 401


def test_inactive_account_cannot_log_in(api_client):
    UserFactory(email="gone@example.com", is_active=False)
    response = login(api_client, "gone@example.com")
    assert response.status_code == 401
    assert "access" not in response.json()


def test_stale_bearer_token_on_login_is_ignored(api_client):
    UserFactory(email="ada@example.com")
    response = api_client.post(
        "/api/auth/login/",
        {"email": "ada@example.com", "password": DEFAULT_PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Bearer not.a.token",
    )
    assert response.status_code == 200


def test_two_factor_login_answers_202_and_emails_a_code(api_client):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    before = logins("two_factor_required")
    response = login(api_client, "ada@example.com")
    assert response.status_code == 202
    assert response.json() == {
        "message": "A verification code has been sent to your email. Enter it to finish logging in.",
        "user_id": str(user.pk),
        "requires_2fa": True,
    }
    assert logins("two_factor_required") == before + 1
    code = last_code("ada@example.com")
    record = VerificationCode.objects.get(user=user, purpose="login_2fa")
    assert record.code_hash != code and len(record.code_hash) == 64
    user.refresh_from_db()
    assert user.last_login is None

    verified = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": code}, format="json"
    )
    assert verified.status_code == 200
    body = verified.json()
    assert set(body) == {"access", "refresh", "user", "message"}
    assert body["user"]["two_factor_enabled"] is True
    assert body["user"]["id"] == str(user.pk)
    # Single use.
    reused = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": code}, format="json"
    )
    assert reused.status_code == 400
    assert reused.json()["code"] == "invalid_code"


def test_second_login_within_cooldown_keeps_the_first_code(api_client):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    assert login(api_client, "ada@example.com").status_code == 202
    assert len(emails_to("ada@example.com")) == 1
    response = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": code}, format="json"
    )
    assert response.status_code == 200


def test_a_new_code_after_the_cooldown_replaces_the_old(api_client, settings):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    old = last_code("ada@example.com")
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS + 1)
    ):
        login(api_client, "ada@example.com")
        new = last_code("ada@example.com")
        body = {"user_id": str(user.pk)}
        # Exactly one live code: the old one was retired whatever digits the new one drew.
        assert VerificationCode.objects.filter(user=user, used_at__isnull=True).count() == 1
        if old != new:  # two random codes collide once in a million
            refused = api_client.post("/api/auth/login/verify-2fa/", {**body, "code": old}, format="json")
            assert refused.status_code == 400
        ok = api_client.post("/api/auth/login/verify-2fa/", {**body, "code": new}, format="json")
        assert ok.status_code == 200


def _wrong(code):
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_wrong_code_is_refused_and_counted(api_client):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    response = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": _wrong(code)}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The code is invalid or has expired. Request a new one.",
        "error": "The code is invalid or has expired. Request a new one.",
        "code": "invalid_code",
    }
    assert VerificationCode.objects.get(user=user).attempts == 1


def test_code_dies_after_too_many_wrong_attempts(api_client, settings):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    body = {"user_id": str(user.pk)}
    for _ in range(settings.VERIFICATION_CODE_MAX_ATTEMPTS):
        wrong = api_client.post("/api/auth/login/verify-2fa/", {**body, "code": _wrong(code)}, format="json")
        assert wrong.status_code == 400
    right = api_client.post("/api/auth/login/verify-2fa/", {**body, "code": code}, format="json")
    assert right.status_code == 400
    assert "access" not in right.json()


def test_expired_code_is_refused(api_client, settings):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    code = last_code("ada@example.com")
    with time_machine.travel(
        timezone.now() + timedelta(minutes=settings.VERIFICATION_CODE_TTL_MINUTES, seconds=5)
    ):
        response = api_client.post(
            "/api/auth/login/verify-2fa/", {"user_id": str(user.pk), "code": code}, format="json"
        )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.last_login is None


def test_a_code_is_bound_to_its_user(api_client):
    ada = UserFactory(email="ada@example.com", two_factor_enabled=True)
    eve = UserFactory(email="eve@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    login(api_client, "eve@example.com")
    code = last_code("ada@example.com")
    response = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": str(eve.pk), "code": code}, format="json"
    )
    assert response.status_code == 400
    assert ada.pk != eve.pk


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"user_id": "not-a-uuid", "code": "123456"},
            {"user_id": ["Must be a valid UUID."], "code": "invalid"},
        ),
        (
            {"user_id": "6f1d2c4e-0000-4000-8000-000000000000", "code": "12"},
            {"code": ["Enter the 6-digit code from the email."]},
        ),
    ],
)
def test_malformed_two_factor_bodies_are_field_errors(api_client, body, expected):
    response = api_client.post("/api/auth/login/verify-2fa/", body, format="json")
    assert response.status_code == 400
    assert response.json() == expected


def _rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_login_is_throttled_per_account(api_client, settings):
    _rates(settings, login="100/min", login_account="3/min")
    UserFactory(email="ada@example.com")
    for _ in range(3):
        assert login(api_client, "ada@example.com", "wrong-password").status_code == 401
    before = logins("throttled")
    response = login(api_client, "ada@example.com")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert logins("throttled") == before + 1
    # Another account from the same address is not affected.
    UserFactory(email="bob@example.com")
    assert login(api_client, "bob@example.com").status_code == 200


def test_login_is_throttled_per_ip(api_client, settings):
    _rates(settings, login="2/min", login_account="100/min")
    UserFactory(email="ada@example.com")
    assert login(api_client, "x1@example.com").status_code == 401
    assert login(api_client, "x2@example.com").status_code == 401
    assert login(api_client, "ada@example.com").status_code == 429
    assert User.objects.get(email="ada@example.com").last_login is None


def test_a_client_cannot_dodge_the_ip_throttle_with_x_forwarded_for(api_client, settings):
    _rates(settings, login="2/min", login_account="100/min")
    for index in range(2):
        response = api_client.post(
            "/api/auth/login/",
            {"email": f"x{index}@example.com", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{index}",
        )
        assert response.status_code == 401
    spoofed = api_client.post(
        "/api/auth/login/",
        {"email": "x9@example.com", "password": "wrong"},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.9",
    )
    assert spoofed.status_code == 429


def test_behind_one_proxy_the_address_it_added_is_throttled(api_client, settings):
    _rates(settings, login="1/min", login_account="100/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def attempt(forwarded_for):
        return api_client.post(
            "/api/auth/login/",
            {"email": "x@example.com", "password": "wrong"},
            format="json",
            HTTP_X_FORWARDED_FOR=forwarded_for,
        ).status_code

    assert attempt("10.9.9.9, 203.0.113.5") == 401  # the client wrote 10.9.9.9, the proxy 203.0.113.5
    assert attempt("10.1.1.1, 203.0.113.5") == 429
    assert attempt("203.0.113.6") == 401


def test_two_factor_step_is_throttled(api_client, settings):
    _rates(settings, two_factor="100/min", two_factor_account="2/min")
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    body = {"user_id": str(user.pk), "code": "000000"}
    for _ in range(2):
        api_client.post("/api/auth/login/verify-2fa/", body, format="json")
    assert api_client.post("/api/auth/login/verify-2fa/", body, format="json").status_code == 429
    assert mail.outbox == []


def test_a_used_login_code_does_not_block_the_next_login(api_client):
    user = UserFactory(email="ada@example.com", two_factor_enabled=True)
    login(api_client, "ada@example.com")
    body = {"user_id": str(user.pk), "code": last_code("ada@example.com")}
    assert api_client.post("/api/auth/login/verify-2fa/", body, format="json").status_code == 200
    assert login(api_client, "ada@example.com").status_code == 202
    assert len(emails_to("ada@example.com")) == 2
    body["code"] = last_code("ada@example.com")
    assert api_client.post("/api/auth/login/verify-2fa/", body, format="json").status_code == 200


def test_login_query_count(api_client, django_assert_max_num_queries):
    UserFactory(email="ada@example.com")
    # user, last_login, profile read, savepoint pair, the login's token family and refresh token
    with django_assert_max_num_queries(7):
        assert login(api_client, "ada@example.com").status_code == 200
