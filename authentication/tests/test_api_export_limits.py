"""E18: one GDPR export per user per GDPR_EXPORT_INTERVAL_HOURS; a request inside the window is
429 with the next allowed time and the last archive's link while it is valid (issue 22)."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from authentication.models import DataExport
from authentication.tests.conftest import emails_to
from authentication.tests.factories import DEFAULT_PASSWORD, UserFactory
from designiaBackend.outbox.models import OutboxMessage
from infrastructure.storage import private_storage

pytestmark = pytest.mark.django_db

EXPORT = "/api/auth/profile/export/"


def download(link, settings):
    response = Client().get(link.removeprefix(settings.PUBLIC_BASE_URL))
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def archives(user):
    folder = f"gdpr-exports/{user.pk}"
    return private_storage.listdir(folder)[1] if private_storage.exists(folder) else []


def test_a_second_export_within_24_hours_is_429_with_the_next_time_and_the_last_link(auth_client, settings):
    user = UserFactory(email="ada@example.com")
    client = auth_client(user)
    assert client.get(EXPORT).status_code == 200
    export = DataExport.objects.get()

    refused = client.get(EXPORT)

    assert refused.status_code == 429
    assert 24 * 3600 - 60 < int(refused.headers["Retry-After"]) <= 24 * 3600
    body = refused.json()
    assert body["code"] == "export_limited"
    assert body["next_allowed_at"] == (export.requested_at + timedelta(hours=24)).isoformat()
    assert body["detail"] == (
        "You can ask for one data export every 24 hours. The next one is possible from "
        f"{export.requested_at + timedelta(hours=24):%Y-%m-%d %H:%M} UTC."
    )
    expires_at = export.completed_at + timedelta(seconds=settings.GDPR_EXPORT_URL_EXPIRE_SECONDS)
    assert body["download_expires_at"] == expires_at.isoformat()
    assert download(body["download_url"], settings)["account"]["email"] == "ada@example.com"
    # Nothing more was started: one export row, one archive, one e-mail.
    assert DataExport.objects.count() == 1
    assert len(archives(user)) == 1
    assert len(emails_to("ada@example.com")) == 1


def test_after_24_hours_the_next_export_is_accepted(auth_client):
    user = UserFactory(email="ada@example.com")
    client = auth_client(user)
    assert client.get(EXPORT).status_code == 200
    first = DataExport.objects.get()

    # (a new client each time: the access token would have expired)
    with time_machine.travel(first.requested_at + timedelta(hours=24) - timedelta(seconds=5)):
        assert auth_client(user).get(EXPORT).status_code == 429
    with time_machine.travel(first.requested_at + timedelta(hours=24, seconds=1)):
        assert auth_client(user).get(EXPORT).status_code == 200

    assert DataExport.objects.count() == 2
    assert len(emails_to("ada@example.com")) == 2


def test_the_last_link_is_left_out_once_it_has_expired(auth_client, settings):
    settings.GDPR_EXPORT_URL_EXPIRE_SECONDS = 3600
    user = UserFactory(email="ada@example.com")
    assert auth_client(user).get(EXPORT).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        body = auth_client(user).get(EXPORT).json()

    assert (body["code"], body["download_url"], body["download_expires_at"]) == ("export_limited", None, None)


def test_the_limit_is_per_user(auth_client):
    assert auth_client(UserFactory(email="ada@example.com")).get(EXPORT).status_code == 200
    assert auth_client(UserFactory(email="bob@example.com")).get(EXPORT).status_code == 200
    assert DataExport.objects.count() == 2


def test_account_deletion_deletes_the_export_archives(auth_client):
    user = UserFactory(email="ada@example.com")
    client = auth_client(user)
    assert client.get(EXPORT).status_code == 200
    assert len(archives(user)) == 1

    deleted = client.post(
        "/api/auth/profile/delete/", {"confirmation": "DELETE", "password": DEFAULT_PASSWORD}
    )

    assert deleted.status_code == 200
    assert archives(user) == []
    assert not DataExport.objects.exists()


@pytest.mark.parametrize("failing", ["gdpr_export_build", "send_templated_email"])
def test_a_failed_export_task_releases_the_window(auth_client, monkeypatch, failing):
    """The archive could not be written, or the e-mail not sent: the export is forgotten (with any
    archive written), so the user may ask again at once and that export goes through."""
    import authentication.tasks

    user = UserFactory(email="ada@example.com")

    def broken(**kwargs):
        raise OSError("storage or mail server down")

    monkeypatch.setattr(authentication.tasks, failing, broken)
    # The task is a must-happen outbox message, run inline after the request's commit; it fails
    # (logged, the message left for redelivery) and releases the export.
    first = auth_client(user).get(EXPORT)
    assert first.status_code == 200
    assert not DataExport.objects.exists()
    assert archives(user) == []
    [message] = OutboxMessage.objects.filter(task="authentication.tasks.gdpr_export_task")
    assert message.done_at is None

    monkeypatch.undo()
    # The outbox's redelivery of the released export does nothing: no archive, no e-mail.
    assert authentication.tasks.gdpr_export_task(**message.kwargs) is None
    assert archives(user) == [] and emails_to("ada@example.com") == []

    again = auth_client(user).get(EXPORT)

    assert again.status_code == 200
    export = DataExport.objects.get()
    assert export.completed_at is not None and len(archives(user)) == 1
    assert len(emails_to("ada@example.com")) == 1
    assert auth_client(user).get(EXPORT).status_code == 429  # the successful one holds the window
