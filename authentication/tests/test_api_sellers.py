"""E20 application status, E21 apply, and the staff review API."""

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from authentication.models import Profile, SellerApplication, User
from authentication.tests.conftest import emails_to, image_bytes, upload
from authentication.tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TWO_FA_TEXT = "Two-factor authentication must be enabled before applying to become a seller."


def form(**overrides):
    return {
        "business_name": "Oak & Ash",
        "motivation": "I build solid oak tables by hand in my workshop.",
        "seller_type": "individual",
        "portfolio_url": "",
        **overrides,
    }


@pytest.fixture
def applicant():
    return UserFactory(email="ada@example.com", two_factor_enabled=True)


@pytest.fixture
def client(auth_client, applicant):
    return auth_client(applicant)


@pytest.fixture
def staff_client(auth_client):
    return auth_client(StaffFactory())


def apply(client, **overrides):
    return client.post("/api/auth/seller/apply/", form(**overrides), format="multipart")


def test_status_without_application(client):
    response = client.get("/api/auth/seller/application/status/")
    assert response.status_code == 200
    assert response.json() == {
        "has_application": False,
        "status": "none",
        "application_id": None,
        "business_name": None,
        "seller_type": None,
        "submitted_at": None,
        "reviewed_at": None,
        "rejection_reason": None,
        "admin_notes": None,
    }


def test_apply_with_logo_and_images(client, applicant):
    response = apply(
        client,
        shop_logo=upload("logo.png"),
        uploaded_images=[upload("a.jpg", "JPEG", "image/jpeg"), upload("b.webp", "WEBP", "image/webp")],
        portfolio_url="https://oak.example.com",
        seller_type="business",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["has_application"], body["status"], body["business_name"]) == (True, "pending", "Oak & Ash")
    application = SellerApplication.objects.get(user=applicant)
    assert application.seller_type == "business"
    assert application.portfolio_url == "https://oak.example.com"
    assert application.shop_logo.name.endswith(".png")
    assert [image.image.name.rsplit(".", 1)[1] for image in application.images.all()] == ["jpg", "webp"]
    status = client.get("/api/auth/seller/application/status/").json()
    assert status["status"] == "pending" and status["submitted_at"] is not None
    applicant.refresh_from_db()
    assert applicant.role == "customer"


def test_apply_without_portfolio_url_or_files(client):
    data = form()
    del data["portfolio_url"]
    response = client.post("/api/auth/seller/apply/", data, format="multipart")
    assert response.status_code == 201
    application = SellerApplication.objects.get()
    assert (application.status, application.portfolio_url, application.business_name) == (
        "pending",
        "",
        "Oak & Ash",
    )
    assert not application.shop_logo and not application.images.exists()


def test_apply_requires_two_factor(auth_client):
    user = UserFactory(two_factor_enabled=False)
    response = apply(auth_client(user))
    assert response.status_code == 400
    assert response.json()["error"] == TWO_FA_TEXT
    assert response.json()["detail"] == TWO_FA_TEXT
    assert not SellerApplication.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"motivation": "too short"}, "motivation"),
        ({"seller_type": "corporation"}, "seller_type"),
        ({"business_name": ""}, "business_name"),
        ({"portfolio_url": "not a url"}, "portfolio_url"),
    ],
)
def test_apply_field_errors(client, overrides, field):
    response = apply(client, **overrides)
    assert response.status_code == 400
    assert field in response.json()
    assert not SellerApplication.objects.exists()


def test_apply_refuses_fake_images_and_stores_nothing(client):
    response = apply(client, uploaded_images=[upload("x.png", data=b"GIF89a not really")])
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_image"
    assert not SellerApplication.objects.exists()


def test_apply_refused_while_one_is_open(client, applicant):
    assert apply(client).status_code == 201
    SellerApplication.objects.filter(user=applicant).update(status="under_review")
    assert client.get("/api/auth/seller/application/status/").json()["status"] == "pending"
    response = apply(client, business_name="Second")
    assert response.status_code == 400
    assert response.json()["detail"] == "You already have an application under review."
    assert SellerApplication.objects.filter(user=applicant).count() == 1


def test_sellers_cannot_apply(auth_client):
    seller = UserFactory(role="seller", two_factor_enabled=True)
    assert apply(auth_client(seller)).status_code == 400
    assert not SellerApplication.objects.exists()


def test_apply_needs_a_user(api_client):
    assert api_client.post("/api/auth/seller/apply/", form(), format="multipart").status_code == 401
    assert api_client.get("/api/auth/seller/application/status/").status_code == 401


def test_admin_list_with_status_filter(client, staff_client, django_assert_max_num_queries):
    apply(client, uploaded_images=[upload()])
    other = UserFactory(two_factor_enabled=True)
    SellerApplication.objects.create(user=other, business_name="Done", motivation="m" * 25, status="rejected")
    with django_assert_max_num_queries(5):
        response = staff_client.get("/api/auth/admin/seller/applications/?status=pending")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    [item] = body["results"]
    assert item["business_name"] == "Oak & Ash"
    assert item["user"]["email"] == "ada@example.com"
    assert item["image_urls"][0].startswith("http")
    assert staff_client.get("/api/auth/admin/seller/applications/").json()["count"] == 2
    assert staff_client.get("/api/auth/admin/seller/applications/?status=bogus").status_code == 400


def test_admin_api_is_staff_only(client, applicant):
    apply(client)
    application = SellerApplication.objects.get(user=applicant)
    assert client.get("/api/auth/admin/seller/applications/").status_code == 403
    response = client.post(
        f"/api/auth/admin/seller/applications/{application.pk}/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 403
    applicant.refresh_from_db()
    application.refresh_from_db()
    assert (applicant.role, application.status) == ("customer", "pending")


def test_approve_makes_a_seller_with_the_shop_name_and_logo(client, applicant, staff_client):
    apply(client, shop_logo=upload("logo.png"))
    application = SellerApplication.objects.get(user=applicant)
    mail.outbox.clear()
    response = staff_client.post(
        f"/api/auth/admin/seller/applications/{application.pk}/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    applicant.refresh_from_db()
    assert applicant.role == "seller"
    profile = Profile.objects.get(user=applicant)
    assert profile.shop_name == "Oak & Ash"
    assert profile.shop_logo.name != application.shop_logo.name
    with default_storage.open(profile.shop_logo.name) as logo:
        assert logo.read() == image_bytes("PNG")
    [message] = emails_to("ada@example.com")
    assert "approved" in message.subject
    assert client.get("/api/auth/seller/application/status/").json()["status"] == "approved"
    again = staff_client.post(
        f"/api/auth/admin/seller/applications/{application.pk}/",
        {"action": "reject", "reason": "x"},
        format="json",
    )
    assert again.status_code == 409
    applicant.refresh_from_db()
    assert applicant.role == "seller"


def test_reject_then_resubmit(client, applicant, staff_client):
    apply(client)
    application = SellerApplication.objects.get(user=applicant)
    missing_reason = staff_client.post(
        f"/api/auth/admin/seller/applications/{application.pk}/", {"action": "reject"}, format="json"
    )
    assert missing_reason.status_code == 400
    assert "reason" in missing_reason.json()
    response = staff_client.post(
        f"/api/auth/admin/seller/applications/{application.pk}/",
        {"action": "reject", "reason": "Add photos of your work.", "admin_notes": "Portfolio missing."},
        format="json",
    )
    assert response.status_code == 200
    status = client.get("/api/auth/seller/application/status/").json()
    assert (status["status"], status["rejection_reason"], status["admin_notes"]) == (
        "rejected",
        "Add photos of your work.",
        "Portfolio missing.",
    )
    assert "Add photos of your work." in emails_to("ada@example.com")[-1].body
    applicant.refresh_from_db()
    assert applicant.role == "customer"
    assert apply(client, business_name="Oak & Ash v2").status_code == 201
    assert client.get("/api/auth/seller/application/status/").json()["status"] == "pending"
    assert SellerApplication.objects.filter(user=applicant).count() == 2


def test_decision_on_unknown_application_is_404(staff_client):
    response = staff_client.post(
        "/api/auth/admin/seller/applications/999999/", {"action": "approve"}, format="json"
    )
    assert response.status_code == 404
    assert User.objects.filter(role="seller").count() == 0
