"""The Django admin of accounts and applications, and createsuperuser --noinput."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from authentication.models import Profile, SellerApplication, User
from authentication.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser(
        email="root@example.com", username="root", password="Admin-Pass-123"
    )
    client.force_login(admin)
    return client


def test_createsuperuser_noinput_from_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "boss@example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "boss")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Boss-Pass-2026")
    call_command("createsuperuser", "--noinput", verbosity=0)
    user = User.objects.get(email="boss@example.com")
    assert (user.username, user.is_staff, user.is_superuser, user.role) == ("boss", True, True, "admin")
    assert user.is_email_verified and user.check_password("Boss-Pass-2026")
    assert Profile.objects.filter(user=user).exists()


@pytest.mark.parametrize(
    "path",
    [
        "/admin/authentication/user/?role__exact=customer&q=ada",
        "/admin/authentication/profile/?q=ada",
        "/admin/authentication/sellerapplication/?status__exact=pending&q=oak",
    ],
)
def test_admin_lists_with_filters_and_search(admin_client, path):
    user = UserFactory(email="ada@example.com", username="ada")
    SellerApplication.objects.create(user=user, business_name="Oak", motivation="m" * 25)
    response = admin_client.get(path)
    assert response.status_code == 200


def test_admin_change_pages_render(admin_client):
    user = UserFactory()
    application = SellerApplication.objects.create(user=user, business_name="Oak", motivation="m" * 25)
    assert admin_client.get(f"/admin/authentication/user/{user.pk}/change/").status_code == 200
    assert (
        admin_client.get(f"/admin/authentication/sellerapplication/{application.pk}/change/").status_code
        == 200
    )


def test_admin_approve_action_goes_through_the_service(admin_client, django_capture_on_commit_callbacks):
    user = UserFactory(two_factor_enabled=True)
    application = SellerApplication.objects.create(user=user, business_name="Oak Studio", motivation="m" * 25)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/authentication/sellerapplication/",
            {"action": "approve_applications", "_selected_action": [application.pk]},
        )
    assert response.status_code == 302
    user.refresh_from_db()
    application.refresh_from_db()
    assert (user.role, application.status, application.reviewed_by.email) == (
        "seller",
        "approved",
        "root@example.com",
    )
    assert user.profile.shop_name == "Oak Studio"
    assert LogEntry.objects.filter(
        object_id=str(application.pk), change_message__contains="approved"
    ).exists()


def test_admin_reject_action_uses_the_reason(admin_client):
    user = UserFactory()
    application = SellerApplication.objects.create(
        user=user, business_name="Oak", motivation="m" * 25, rejection_reason="Photos are missing."
    )
    admin_client.post(
        "/admin/authentication/sellerapplication/",
        {"action": "reject_applications", "_selected_action": [application.pk]},
    )
    application.refresh_from_db()
    user.refresh_from_db()
    assert (application.status, application.rejection_reason, user.role) == (
        "rejected",
        "Photos are missing.",
        "customer",
    )
    assert LogEntry.objects.filter(
        object_id=str(application.pk), change_message__contains="rejected"
    ).exists()
