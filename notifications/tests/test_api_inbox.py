"""The notification centre: one stored notice per (event, recipient), pushed and e-mailed once after
commit; the inbox API (owner only, newest first, unread filter, read, read_all, count); preferences
and the signed one-click unsubscribe link."""

import time
from unittest.mock import ANY

import pytest
from django.core import signing
from django.test import TestCase

from authentication.tests.factories import UserFactory
from designiaBackend.api import notifications as seam
from notifications.models import Notification, NotificationPreference
from notifications.services import notification_email_send
from notifications.unsubscribe import unsubscribe_token

pytestmark = pytest.mark.django_db
INBOX = "/api/notifications/"


@pytest.fixture
def pushed(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "designiaBackend.api.realtime.send_to_user", lambda user_id, event: sent.append((user_id, event))
    )
    return sent


def raise_event(user, key, kind="review_received", title="New review"):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return seam.notify(
            recipient=user,
            kind=kind,
            event_key=key,
            title=title,
            body=f"{title} body",
            link_type="product",
            link_id="42",
            url="http://localhost:5173/products/42",
        )


def test_one_event_is_stored_pushed_and_emailed_once(pushed, mailoutbox):
    user = UserFactory()
    first = raise_event(user, "review:1")
    again = raise_event(user, "review:1")

    assert first.pk == again.pk
    assert Notification.objects.filter(recipient=user).count() == 1
    frames = [event for _, event in pushed if event["type"] == "notification"]
    assert len(frames) == 1
    assert frames[0]["unread_notifications_count"] == 1
    assert frames[0]["notification"] == {
        "id": str(first.pk),
        "kind": "review_received",
        "title": "New review",
        "body": "New review body",
        "link_type": "product",
        "link_id": "42",
        "url": "http://localhost:5173/products/42",
        "is_read": False,
        "read_at": None,
        "created_at": first.created_at.isoformat(),
    }
    assert pushed[0][0] == str(user.pk)
    assert [(m.to, m.subject) for m in mailoutbox] == [([user.email], "New review")]
    mail = mailoutbox[0]
    link = mail.extra_headers["List-Unsubscribe"]
    assert link.startswith("<http://") and "/api/notifications/unsubscribe/?token=" in link
    assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = link.strip("<>").split("token=", 1)[1]
    assert f"http://localhost:8000/notifications/unsubscribe/?token={token}" in mail.body  # the page
    # A redelivered e-mail task sends nothing more.
    assert notification_email_send(notification_id=first.pk) is False
    assert len(mailoutbox) == 1


def test_nothing_leaves_when_the_transaction_rolls_back(pushed, mailoutbox):
    user = UserFactory()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        seam.notify(recipient=user, kind="review_received", event_key="k", title="t", body="b")
    # Callbacks were only scheduled: nothing was pushed or e-mailed before the commit.
    assert len(callbacks) == 2 and pushed == [] and mailoutbox == []


def test_an_unknown_kind_is_refused():
    with pytest.raises(seam_error()):
        seam.notify(recipient=UserFactory(), kind="no_such_kind", event_key="k", title="t", body="b")
    assert Notification.objects.count() == 0


def seam_error():
    from notifications.exceptions import UnknownNotificationKind

    return UnknownNotificationKind


def test_the_inbox_lists_newest_first_filters_unread_and_ids_are_strings(auth_client, pushed):
    user, other = UserFactory(), UserFactory()
    older = raise_event(user, "a", title="Older")
    newer = raise_event(user, "b", title="Newer")
    raise_event(other, "c", title="Not yours")
    client = auth_client(user)

    body = client.get(INBOX).json()
    assert body["count"] == 2
    assert [(n["id"], n["title"]) for n in body["results"]] == [
        (str(newer.pk), "Newer"),
        (str(older.pk), "Older"),
    ]

    answer = client.post(f"{INBOX}{older.pk}/read/")
    assert answer.status_code == 200 and answer.json()["is_read"] is True
    assert [n["title"] for n in client.get(f"{INBOX}?unread=true").json()["results"]] == ["Newer"]
    assert client.get(f"{INBOX}unread_count/").json() == {"unread_notifications_count": 1}
    assert pushed[-1] == (
        str(user.pk),
        {"type": "unread_notifications_count_update", "unread_notifications_count": 1},
    )

    answer = client.post(f"{INBOX}read_all/")
    assert answer.json() == {"marked_read": 1, "unread_notifications_count": 0}
    assert client.get(f"{INBOX}unread_count/").json() == {"unread_notifications_count": 0}
    assert client.get(f"{INBOX}?unread=true").json()["count"] == 0


def test_another_users_notification_is_not_found_and_stays_unread(auth_client, pushed):
    owner, intruder = UserFactory(), UserFactory()
    theirs = raise_event(owner, "x")
    for path in (f"{INBOX}{theirs.pk}/read/", f"{INBOX}nope/read/", f"{INBOX}999999999/read/"):
        answer = auth_client(intruder).post(path)
        assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    auth_client(intruder).post(f"{INBOX}read_all/")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert auth_client(intruder).get(INBOX).json()["count"] == 0


def test_the_inbox_needs_a_login(api_client):
    assert api_client.get(INBOX).status_code == 401
    assert api_client.get(f"{INBOX}unread_count/").status_code == 401


def test_preferences_turn_a_kinds_email_off_and_the_inbox_still_keeps_it(auth_client, pushed, mailoutbox):
    user = UserFactory()
    client = auth_client(user)
    listed = {p["kind"]: p for p in client.get(f"{INBOX}preferences/").json()["preferences"]}
    assert listed["review_received"]["email"] is True
    assert listed["account_security"] == {
        "kind": "account_security",
        "audience": "account",
        "label": "Security e-mails (verification, 2FA, password)",
        "email": True,
        "mandatory": True,
    }

    answer = client.patch(
        f"{INBOX}preferences/", {"preferences": [{"kind": "review_received", "email": False}]}, format="json"
    )
    assert answer.status_code == 200
    assert {p["kind"]: p["email"] for p in answer.json()["preferences"]}["review_received"] is False

    raise_event(user, "muted")
    assert mailoutbox == []
    assert client.get(f"{INBOX}unread_count/").json() == {"unread_notifications_count": 1}


@pytest.mark.parametrize(
    "choices, code",
    [
        (
            [{"kind": "payout_sent", "email": False}, {"kind": "no_such_kind", "email": False}],
            "unknown_notification_kind",
        ),
        (
            [{"kind": "payout_sent", "email": False}, {"kind": "account_security", "email": False}],
            "preference_locked",
        ),
        ([], "invalid"),
    ],
)
def test_bad_preferences_are_refused_and_nothing_changes(auth_client, choices, code):
    user = UserFactory()
    answer = auth_client(user).patch(f"{INBOX}preferences/", {"preferences": choices}, format="json")
    assert (answer.status_code, answer.json()["code"]) == (400, code)
    assert NotificationPreference.objects.filter(user=user).count() == 0


def test_the_unsubscribe_link_needs_no_login_and_turns_that_kind_off(api_client, mailoutbox, pushed):
    user = UserFactory()
    raise_event(user, "first", kind="payout_sent", title="Payout sent")
    one_click = mailoutbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    api_path = one_click[one_click.index("/api/") :]

    shown = api_client.get(api_path)  # a link scanner's fetch changes nothing

    assert shown.status_code == 200 and shown.json() == {"kind": "payout_sent", "label": ANY, "email": True}
    assert not NotificationPreference.objects.filter(user=user).exists()

    turned_off = api_client.post(api_path)  # the mail client's RFC 8058 one-click

    assert turned_off.status_code == 200 and turned_off.json()["email"] is False
    assert NotificationPreference.objects.get(user=user, kind="payout_sent").email is False
    assert api_client.get(api_path).json()["email"] is False
    raise_event(user, "second", kind="payout_sent", title="Payout sent")
    assert len(mailoutbox) == 1


def test_the_e_mails_link_opens_a_page_that_asks_before_turning_it_off(client, mailoutbox, pushed):
    user = UserFactory()
    raise_event(user, "first", kind="payout_sent", title="Payout sent")
    body = mailoutbox[0].body
    link = next(word for word in body.split() if "/notifications/unsubscribe/?token=" in word)
    page_path = link[link.index("/notifications/") :]
    assert "/api/" not in link

    page = client.get(page_path)

    assert page.status_code == 200 and b'<form method="post">' in page.content
    assert not NotificationPreference.objects.filter(user=user).exists()

    done = client.post(page_path)

    assert done.status_code == 200 and b"<form" not in done.content
    assert NotificationPreference.objects.get(user=user, kind="payout_sent").email is False
    assert client.get("/notifications/unsubscribe/?token=forged").status_code == 400


def test_forged_expired_and_security_unsubscribe_tokens_are_refused(api_client, monkeypatch):
    user = UserFactory()
    url = "/api/notifications/unsubscribe/?token="
    forged = unsubscribe_token(user_id=user.pk, kind="payout_sent")[:-3] + "abc"
    security = unsubscribe_token(user_id=user.pk, kind="account_security")
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - 61 * 24 * 3600)
    expired = unsubscribe_token(user_id=user.pk, kind="payout_sent")
    monkeypatch.setattr(signing.time, "time", real_time)

    for token in (forged, expired, security, "garbage"):
        for answer in (api_client.get(f"{url}{token}"), api_client.post(f"{url}{token}")):
            assert (answer.status_code, answer.json()["code"]) == (400, "invalid_unsubscribe_token")
    assert api_client.get("/api/notifications/unsubscribe/").status_code == 400
    assert NotificationPreference.objects.count() == 0


def test_gdpr_export_lists_the_users_notifications_and_erasure_removes_them(pushed):
    from authentication import gdpr

    user, other = UserFactory(), UserFactory()
    mine = raise_event(user, "mine")
    raise_event(other, "theirs")
    NotificationPreference.objects.create(user=user, kind="payout_sent", email=False)

    exported = gdpr.registered_exporters()["notifications"](user)
    assert [(n["id"], n["kind"]) for n in exported] == [(str(mine.pk), "review_received")]
    gdpr.run_erasers(user)
    assert not Notification.objects.filter(recipient=user).exists()
    assert not NotificationPreference.objects.filter(user=user).exists()
    assert Notification.objects.filter(recipient=other).count() == 1


def test_the_inbox_costs_the_same_queries_for_a_short_and_a_full_page(auth_client, pushed):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = UserFactory(), UserFactory()
    for n in range(2):
        raise_event(few, f"few-{n}")
    for n in range(12):
        raise_event(many, f"many-{n}")
    counts = []
    for user, size in ((few, 2), (many, 12)):
        client = auth_client(user)
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/api/notifications/?page_size=20")
        assert page.status_code == 200 and len(page.json()["results"]) == size
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1]  # no query per notification
