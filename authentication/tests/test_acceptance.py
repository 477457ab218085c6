"""Contract acceptance scenarios of the authentication app, through the real URLs (§10)."""

import pytest
from django.conf import settings

from authentication.models import SellerApplication, User
from authentication.tests.conftest import last_code, last_link, upload
from authentication.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Walnut-Table-42"


def bearer(access):
    return {"HTTP_AUTHORIZATION": f"Bearer {access}"}


def login(api_client, email, password):
    return api_client.post("/api/auth/login/", {"email": email, "password": password}, format="json")


def test_F02_register_verify_email_then_log_in(api_client):
    registered = api_client.post(
        "/api/auth/register/",
        {
            "username": "lena",
            "email": "lena@example.com",
            "first_name": "Lena",
            "last_name": "Holm",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
        },
        format="json",
    )
    assert registered.status_code == 201
    assert registered.json()["message"] and registered.json()["user"]["email"] == "lena@example.com"

    token = last_link("lena@example.com", f"{settings.FRONTEND_URL}/verify-email/").rsplit("/", 1)[1]
    verified = api_client.post("/api/auth/verify-email/", {"token": token}, format="json")
    assert verified.status_code == 200 and verified.json()["message"]

    logged_in = login(api_client, "lena@example.com", PASSWORD)
    assert logged_in.status_code == 200
    body = logged_in.json()
    assert set(body) == {"access", "refresh", "user", "message"}
    assert (body["user"]["first_name"], body["user"]["email"]) == ("Lena", "lena@example.com")


def test_F03_login_failures(api_client):
    UserFactory(email="ada@example.com")
    UserFactory(email="new@example.com", is_email_verified=False)
    wrong = login(api_client, "ada@example.com", "wrong-password")
    assert wrong.status_code == 401 and wrong.json()["error"] == "Invalid email or password."
    unverified = login(api_client, "new@example.com", DEFAULT_PASSWORD)
    assert unverified.status_code == 403 and "verify your email" in unverified.json()["error"]


def test_F04_session_restore_and_token_refresh(api_client):
    UserFactory(email="ada@example.com")
    tokens = login(api_client, "ada@example.com", DEFAULT_PASSWORD).json()
    # Step 1: a valid token needs no auth call; the profile works with it.
    assert api_client.get("/api/auth/profile/", **bearer(tokens["access"])).status_code == 200
    # Step 2: refresh with the stored refresh token.
    refreshed = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert refreshed.status_code == 200 and "access" in refreshed.json()
    # Step 3: a 401 → refresh (the same old refresh token, in parallel) → retry succeeds.
    assert api_client.get("/api/auth/profile/", **bearer("expired.or.bad")).status_code == 401
    retry = api_client.post("/api/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert retry.status_code == 200
    assert api_client.get("/api/auth/profile/", **bearer(retry.json()["access"])).status_code == 200
    # Step 4: a bad refresh token answers 401.
    assert api_client.post("/api/auth/token/refresh/", {"refresh": "bad"}, format="json").status_code == 401


def _enable_two_factor(client, email):
    assert client.get("/api/auth/account/status/").json()["two_factor_enabled"] is False
    assert (
        client.post("/api/auth/2fa/send-code/", {"purpose": "enable_2fa"}, format="json").status_code == 200
    )
    assert client.post("/api/auth/2fa/enable/", {"code": last_code(email)}, format="json").status_code == 200
    assert client.get("/api/auth/profile/").json()["two_factor_enabled"] is True


def _two_factor_login(api_client, email, password):
    challenge = login(api_client, email, password)
    assert challenge.status_code == 202
    user_id = challenge.json()["user_id"]
    done = api_client.post(
        "/api/auth/login/verify-2fa/", {"user_id": user_id, "code": last_code(email)}, format="json"
    )
    assert done.status_code == 200
    return done.json()


def test_F12_enable_2fa_then_log_in_with_2fa(api_client, auth_client):
    user = UserFactory(email="ada@example.com")
    client = auth_client(user)
    _enable_two_factor(client, "ada@example.com")
    body = _two_factor_login(api_client, "ada@example.com", DEFAULT_PASSWORD)
    assert {"access", "refresh", "user"} <= set(body)
    assert body["user"]["two_factor_enabled"] is True
    # Disabling is symmetric; then login answers 200 again.
    assert (
        client.post("/api/auth/2fa/send-code/", {"purpose": "disable_2fa"}, format="json").status_code == 200
    )
    assert (
        client.post(
            "/api/auth/2fa/disable/", {"code": last_code("ada@example.com")}, format="json"
        ).status_code
        == 200
    )
    assert login(api_client, "ada@example.com", DEFAULT_PASSWORD).status_code == 200


def test_F13_become_a_seller_until_approval(api_client, auth_client):
    user = UserFactory(email="maker@example.com")
    client = auth_client(user)
    _enable_two_factor(client, "maker@example.com")
    status = client.get("/api/auth/seller/application/status/").json()
    assert (status["has_application"], status["status"]) == (False, "none")

    applied = client.post(
        "/api/auth/seller/apply/",
        {
            "business_name": "Maker Oak",
            "motivation": "Hand-made oak furniture from reclaimed wood.",
            "seller_type": "individual",
            "portfolio_url": "",
            "shop_logo": upload("logo.png"),
            "uploaded_images": [upload("a.png"), upload("b.jpg", "JPEG", "image/jpeg")],
        },
        format="multipart",
    )
    assert applied.status_code == 201
    status = client.get("/api/auth/seller/application/status/").json()
    assert (status["has_application"], status["status"]) == (True, "pending")
    assert status["submitted_at"]

    application = SellerApplication.objects.get(user=user)
    staff = auth_client(StaffFactory())
    approved = staff.post(
        f"/api/auth/admin/seller/applications/{application.pk}/", {"action": "approve"}, format="json"
    )
    assert approved.status_code == 200
    assert User.objects.get(pk=user.pk).role == "seller"

    body = _two_factor_login(api_client, "maker@example.com", DEFAULT_PASSWORD)
    assert body["user"]["role"] == "seller"
    status = api_client.get("/api/auth/seller/application/status/", **bearer(body["access"])).json()
    assert status["status"] == "approved"


def test_F22_edit_the_profile_and_the_avatar(auth_client):
    client = auth_client(UserFactory(email="ada@example.com"))
    saved = client.patch(
        "/api/auth/profile/",
        {"first_name": "Ada", "last_name": "Lovelace", "phone_number": None},
        format="json",
    )
    assert saved.status_code == 200
    profile = client.get("/api/auth/profile/").json()
    assert (profile["first_name"], profile["last_name"], profile["profile"]["phone_number"]) == (
        "Ada",
        "Lovelace",
        None,
    )

    uploaded = client.post(
        "/api/auth/profile/picture/upload/", {"file": upload("me.png")}, format="multipart"
    )
    assert uploaded.status_code == 200 and uploaded.json()["message"]
    url = client.get("/api/auth/profile/").json()["profile"]["profile_picture_url"]
    assert url.startswith("http")
    assert client.get(url.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 200

    removed = client.delete("/api/auth/profile/picture/delete/")
    assert removed.status_code == 200 and removed.json()["message"]
    assert client.get("/api/auth/profile/").json()["profile"]["profile_picture_url"] is None


def test_F23_forgot_and_reset_the_password(api_client):
    UserFactory(email="ada@example.com")
    assert (
        api_client.post("/api/auth/password/reset/", {"email": "ada@example.com"}, format="json").status_code
        == 200
    )
    link = last_link("ada@example.com", f"{settings.FRONTEND_URL}/reset-password?")
    code = link.rsplit("code=", 1)[1]
    assert len(code) == 6 and code.isdigit()
    new_password = "Fresh-Birch-2026"
    verified = api_client.post(
        "/api/auth/password/reset/verify/",
        {
            "email": "ada@example.com",
            "code": code,
            "password": new_password,
            "password_confirm": new_password,
        },
        format="json",
    )
    assert verified.status_code == 200
    assert login(api_client, "ada@example.com", new_password).status_code == 200
    assert login(api_client, "ada@example.com", DEFAULT_PASSWORD).status_code == 401


def test_F24_gdpr_export_and_account_deletion(api_client, auth_client):
    client = auth_client(UserFactory(email="ada@example.com"))
    assert (
        client.post("/api/auth/verify-password/", {"password": DEFAULT_PASSWORD}, format="json").status_code
        == 200
    )
    exported = client.get("/api/auth/profile/export/")
    assert exported.status_code == 200 and exported.json()["message"]
    assert client.post("/api/auth/verify-password/", {"password": "wrong"}, format="json").status_code == 400
    deleted = client.post(
        "/api/auth/profile/delete/", {"confirmation": "DELETE", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert deleted.status_code == 200
    assert login(api_client, "ada@example.com", DEFAULT_PASSWORD).status_code == 401
