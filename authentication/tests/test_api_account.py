"""E18 GDPR export (through a real Celery worker too) and E19 account deletion."""

import json
import re
import time
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from authentication import gdpr
from authentication.models import Profile, SellerApplication, User, VerificationCode
from authentication.tests.conftest import emails_to, upload
from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory
from infrastructure.storage import private_storage

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(monkeypatch):
    """An empty exporter/eraser registry for the test (apps may register theirs at start-up)."""
    monkeypatch.setattr(gdpr, "_exporters", {})
    monkeypatch.setattr(gdpr, "_erasers", [])
    return gdpr


def _download(link, settings):
    response = Client().get(link.removeprefix(settings.PUBLIC_BASE_URL))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def _export_link(email, settings):
    body = emails_to(email)[-1].body
    return re.search(rf"({re.escape(settings.PUBLIC_BASE_URL)}/api/files/private/\S+)", body).group(1)


def test_export_request_queues_the_archive_and_emails_a_link(auth_client, registry, settings):
    user = UserFactory(email="ada@example.com", first_name="Ada")
    SellerApplication.objects.create(user=user, business_name="Ada Oak", motivation="x" * 30)
    registry.register_exporter("orders", lambda owner: [{"id": 1, "buyer": str(owner.pk)}])
    response = auth_client(user).get("/api/auth/profile/export/")
    assert response.status_code == 200
    assert response.json()["estimated_time"] == "a few minutes"
    assert response.json()["message"].startswith("Your data export is being prepared.")
    [message] = emails_to("ada@example.com")
    assert message.subject == "Your Designia data export is ready"
    archive = _download(_export_link("ada@example.com", settings), settings)
    assert archive["account"]["email"] == "ada@example.com"
    assert archive["account"]["id"] == str(user.pk)
    assert archive["profile"]["phone_number"] == ""
    assert [app["business_name"] for app in archive["seller_applications"]] == ["Ada Oak"]
    assert archive["orders"] == [{"id": 1, "buyer": str(user.pk)}]


def test_export_link_is_signed_and_expires(auth_client, registry, settings):
    settings.GDPR_EXPORT_URL_EXPIRE_SECONDS = 1
    user = UserFactory(email="ada@example.com")
    auth_client(user).get("/api/auth/profile/export/")
    link = _export_link("ada@example.com", settings)
    assert Client().get(link.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        assert Client().get(link.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 404
    forged = link[:-5] + "abcd/"
    assert Client().get(forged.removeprefix(settings.PUBLIC_BASE_URL)).status_code == 404


def test_repeated_export_clicks_queue_one_export(auth_client, registry):
    client = auth_client(UserFactory(email="ada@example.com"))
    assert client.get("/api/auth/profile/export/").status_code == 200
    assert client.get("/api/auth/profile/export/").status_code == 429  # test_api_export_limits.py
    assert len(emails_to("ada@example.com")) == 1


def test_export_needs_a_user(api_client):
    assert api_client.get("/api/auth/profile/export/").status_code == 401


def test_reserved_section_names_are_refused(registry):
    with pytest.raises(ValueError):
        registry.register_exporter("profile", lambda user: {})


def test_export_through_a_real_celery_worker(auth_client, celery_worker, settings):
    """The worker process uses the configured (non-test) private storage: read the archive there."""
    from infrastructure.storage import private_url

    storages = {
        alias: {**config, "OPTIONS": dict(config.get("OPTIONS", {}))}
        for alias, config in settings.STORAGES.items()
    }
    storages["private"]["OPTIONS"]["location"] = str(settings.PRIVATE_MEDIA_ROOT)
    settings.STORAGES = storages
    user = UserFactory(email="worker@example.com", first_name="Wes")
    response = auth_client(user).get("/api/auth/profile/export/")
    assert response.status_code == 200
    folder = f"gdpr-exports/{user.pk}"
    names, deadline = [], time.monotonic() + 30
    while time.monotonic() < deadline and not names:
        time.sleep(0.3)
        names = private_storage.listdir(folder)[1] if private_storage.exists(folder) else []
    assert len(names) == 1, "the worker did not write the export"
    name = f"{folder}/{names[0]}"
    try:
        archive = _download(private_url(name), settings)
    finally:
        private_storage.delete(name)
    assert archive["account"]["email"] == "worker@example.com"
    assert archive["account"]["first_name"] == "Wes"
    assert archive["seller_applications"] == []


def _delete(client, **overrides):
    body = {"confirmation": "DELETE", "password": DEFAULT_PASSWORD, **overrides}
    return client.post("/api/auth/profile/delete/", body, format="json")


def test_account_deletion_anonymises_and_blocks_login(api_client, auth_client, registry):
    user = UserFactory(email="ada@example.com", first_name="Ada", last_name="Maker", two_factor_enabled=True)
    client = auth_client(user)
    client.post("/api/auth/profile/picture/upload/", {"file": upload()}, format="multipart")
    avatar = Profile.objects.get(user=user).avatar.name
    Profile.objects.filter(user=user).update(phone_number="+4670", bio="Hello", location="Lund")
    SellerApplication.objects.create(user=user, business_name="Ada Oak", motivation="x" * 30)
    VerificationCode.objects.create(
        user=user, purpose="login_2fa", code_hash="x", expires_at="2030-01-01T00:00Z"
    )
    erased = []
    registry.register_eraser(lambda owner: erased.append(owner.pk))

    response = _delete(client)
    assert response.status_code == 200
    assert response.json() == {"message": "Your account has been deleted."}
    fresh = User.objects.get(pk=user.pk)
    assert fresh.email == f"deleted-{user.pk}@deleted.invalid"
    assert (fresh.first_name, fresh.last_name, fresh.is_active) == ("", "", False)
    assert fresh.deleted_at is not None and not fresh.has_usable_password()
    assert fresh.two_factor_enabled is False
    profile = Profile.objects.get(user=user)
    assert (profile.phone_number, profile.bio, profile.location, bool(profile.avatar)) == ("", "", "", False)
    assert not default_storage.exists(avatar)
    assert not SellerApplication.objects.filter(user=user).exists()
    assert not VerificationCode.objects.filter(user=user).exists()
    assert erased == [user.pk]

    login = api_client.post(
        "/api/auth/login/", {"email": "ada@example.com", "password": DEFAULT_PASSWORD}, format="json"
    )
    assert login.status_code == 401
    assert client.get("/api/auth/profile/").status_code == 401


@pytest.mark.parametrize(
    ("overrides", "key"),
    [({"confirmation": "delete"}, "confirmation_required"), ({"password": "wrong"}, "wrong_password")],
)
def test_account_deletion_refusals_change_nothing(auth_client, registry, overrides, key):
    user = UserFactory(email="ada@example.com")
    response = _delete(auth_client(user), **overrides)
    assert response.status_code == 400
    assert response.json()["code"] == key
    fresh = User.objects.get(pk=user.pk)
    assert (fresh.email, fresh.is_active, fresh.deleted_at) == ("ada@example.com", True, None)
    assert mail.outbox == []


def test_account_deletion_body_is_validated(auth_client):
    response = auth_client(UserFactory()).post("/api/auth/profile/delete/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"confirmation", "password"}


def test_other_apps_contribute_to_the_export_and_orders_survive_deletion(auth_client, settings):
    """With the real registrations of the other apps (no registry fixture)."""
    from decimal import Decimal

    from marketplace.ordering.models import Order

    user = UserFactory(email="ada@example.com")
    order = Order.objects.create(buyer=user, subtotal=Decimal("100.00"), total_amount=Decimal("120.50"))
    client = auth_client(user)
    assert client.get("/api/auth/profile/export/").status_code == 200
    archive = _download(_export_link("ada@example.com", settings), settings)
    assert set(gdpr.registered_exporters()) <= set(archive)
    assert [entry["id"] for entry in archive["orders"]] == [str(order.pk)]

    assert _delete(client).status_code == 200
    order.refresh_from_db()
    assert (order.buyer_id, order.subtotal, order.total_amount) == (
        user.pk,
        Decimal("100.00"),
        Decimal("120.50"),
    )
