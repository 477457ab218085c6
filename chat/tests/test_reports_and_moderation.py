"""E61 reports, staff resolution in the admin (dismiss, warn, block) and chat bans."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail

from authentication.tests.factories import StaffFactory, UserFactory
from chat import services
from chat.exceptions import ChatBlockedError, ReportNotAllowedError
from chat.models import ChatBan, Message, MessageReport, Thread
from chat.tests.factories import ProductFactory, add_message

pytestmark = pytest.mark.django_db

REPORTS = "/api/chat/reports/"
ADMIN_REPORTS = "/admin/chat/messagereport/"


def test_participant_reports_the_other_sides_message(auth_client, pair):
    buyer, seller, thread = pair
    message = add_message(thread, seller, "buy outside the platform")

    response = auth_client(buyer).post(
        REPORTS, {"message": str(message.pk), "reason": "scam", "description": "asks for a wire transfer"}
    )

    assert response.status_code == 201
    report = MessageReport.objects.get()
    assert response.json() == {
        "id": str(report.pk),
        "message": str(message.pk),
        "reason": "scam",
        "description": "asks for a wire transfer",
        "status": "open",
        "created_at": response.json()["created_at"],
    }
    assert (report.reporter, report.message, report.status) == (buyer, message, "open")


@pytest.mark.parametrize(
    "body, field",
    [
        ({"reason": "spam"}, "message"),
        ({"message": 1}, "reason"),
        ({"message": 1, "reason": "rude"}, "reason"),
        ({"message": "x", "reason": "spam"}, "message"),
        ({"message": 1, "reason": "spam", "description": "d" * 2001}, "description"),
    ],
)
def test_report_input_is_validated(auth_client, pair, body, field):
    response = auth_client(pair[0]).post(REPORTS, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not MessageReport.objects.exists()


def test_only_participants_may_report_and_not_their_own_message_nor_twice(auth_client, pair):
    buyer, seller, thread = pair
    message = add_message(thread, seller, "hello")
    own = add_message(thread, buyer, "mine")

    stranger = auth_client(UserFactory()).post(REPORTS, {"message": message.pk, "reason": "spam"})
    missing = auth_client(buyer).post(REPORTS, {"message": message.pk + 999, "reason": "spam"})
    self_report = auth_client(buyer).post(REPORTS, {"message": own.pk, "reason": "spam"})
    first = auth_client(buyer).post(REPORTS, {"message": message.pk, "reason": "spam"})
    twice = auth_client(buyer).post(REPORTS, {"message": message.pk, "reason": "other"})

    assert (stranger.status_code, stranger.json()["code"]) == (404, "message_not_found")
    assert missing.status_code == 404
    assert (self_report.status_code, self_report.json()["code"]) == (400, "own_message")
    assert first.status_code == 201
    assert (twice.status_code, twice.json()["code"]) == (400, "already_reported")
    assert MessageReport.objects.count() == 1


@pytest.fixture
def open_report(pair):
    buyer, seller, thread = pair
    message = add_message(thread, seller, "rude words")
    return services.message_report_create(reporter=buyer, message_id=message.pk, reason="harassment")


def test_dismiss_closes_the_report_only(open_report):
    staff = StaffFactory()

    report = services.report_resolve(report_id=open_report.pk, staff=staff, resolution="dismiss")

    assert (report.status, report.resolved_by) == ("dismissed", staff)
    assert report.resolved_at is not None
    assert not ChatBan.objects.exists()
    assert mail.outbox == []
    with pytest.raises(ReportNotAllowedError):
        services.report_resolve(report_id=open_report.pk, staff=staff, resolution="block")


def test_warn_emails_the_sender_after_commit(open_report, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_resolve(report_id=open_report.pk, staff=StaffFactory(), resolution="warn")

    assert report.status == "warned"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [open_report.message.sender.email]
    assert "Harassment" in mail.outbox[0].body


def test_block_stops_the_sender_from_chatting(open_report, pair):
    buyer, seller, thread = pair
    staff = StaffFactory()

    report = services.report_resolve(report_id=open_report.pk, staff=staff, resolution="block")

    assert report.status == "sender_blocked"
    ban = ChatBan.objects.get(user=seller)
    assert (ban.created_by, ban.report) == (staff, report)
    with pytest.raises(ChatBlockedError):
        services.message_send(thread_id=thread.pk, sender=seller, text="again")
    with pytest.raises(ChatBlockedError):
        services.thread_get_or_create(user=seller, other_user_id=UserFactory().pk)
    assert Message.objects.filter(sender=seller).count() == 1

    assert services.chat_ban_lift(user=seller, lifted_by=staff) is True
    assert services.message_send(thread_id=thread.pk, sender=seller, text="sorry").text == "sorry"


def test_blocked_user_opening_a_new_thread_gets_403(auth_client):
    user = UserFactory()
    ChatBan.objects.create(user=user)

    response = auth_client(user).post("/api/chat/conversations/", {"product_id": ProductFactory().pk})

    assert response.status_code == 403
    assert response.json()["code"] == "chat_blocked"
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    "action, status",
    [("dismiss", "dismissed"), ("warn_sender", "warned"), ("block_sender", "sender_blocked")],
)
def test_admin_actions_resolve_reports_through_the_service(client, open_report, action, status):
    staff = StaffFactory(is_superuser=True)
    client.force_login(staff)

    response = client.post(ADMIN_REPORTS, {"action": action, "_selected_action": [open_report.pk]})

    assert response.status_code == 302
    open_report.refresh_from_db()
    assert (open_report.status, open_report.resolved_by) == (status, staff)
    assert ChatBan.objects.filter(user=open_report.message.sender).exists() == (status == "sender_blocked")
    assert LogEntry.objects.filter(object_id=str(open_report.pk), user=staff).exists()


def test_admin_pages_render(client, open_report):
    client.force_login(StaffFactory(is_superuser=True))
    thread = open_report.message.thread

    for path in [
        ADMIN_REPORTS,
        f"{ADMIN_REPORTS}{open_report.pk}/change/",
        "/admin/chat/thread/",
        f"/admin/chat/thread/{thread.pk}/change/",
        "/admin/chat/message/",
        "/admin/chat/chatban/",
    ]:
        assert client.get(path).status_code == 200, path
