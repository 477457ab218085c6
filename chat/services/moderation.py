"""Reports of messages, their resolution by staff, chat bans and GDPR erasure."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from authentication.emails import send_after_commit
from authentication.selectors import user_language
from authentication.services.profile import files_delete_after_commit
from chat import events, selectors
from chat.exceptions import ReportNotAllowedError
from chat.lock_objects import message_report_for_update
from chat.models import ChatBan, Message, MessageReport

logger = logging.getLogger(__name__)

RESOLUTIONS = {
    "dismiss": MessageReport.Status.DISMISSED,
    "warn": MessageReport.Status.WARNED,
    "block": MessageReport.Status.SENDER_BLOCKED,
}


def message_report_create(*, reporter, message_id, reason, description=""):
    """A participant reports another participant's message of their thread (once)."""
    message = selectors.message_get_for_participant(message_id=message_id, user=reporter)
    if message.sender_id == reporter.pk:
        raise ReportNotAllowedError("You cannot report your own message.", code="own_message")
    try:
        with transaction.atomic():
            report = MessageReport.objects.create(
                message=message, reporter=reporter, reason=reason, description=description
            )
    except IntegrityError as exc:
        raise ReportNotAllowedError(
            "You have already reported this message.", code="already_reported"
        ) from exc
    logger.info("Chat message %s reported by %s for %s", message.pk, reporter.pk, reason)
    return report


@transaction.atomic
def report_resolve(*, report_id, staff, resolution):
    """Resolve an open report: ``dismiss``, ``warn`` (e-mail the sender) or ``block`` the
    sender from chatting."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"Unknown resolution {resolution!r}")
    report = message_report_for_update(report_id)
    if report.status != MessageReport.Status.OPEN:
        raise ReportNotAllowedError("This report is already resolved.", code="report_already_resolved")
    sender = report.message.sender
    if resolution == "warn":
        with translation.override(user_language(user_id=sender.pk)):  # the reason in their language
            reason = str(report.get_reason_display())
        send_after_commit(
            to=sender.email,
            user_id=sender.pk,
            subject=gettext_noop("A message you sent on Designia was reported"),
            template="chat_warning",
            context={"username": sender.username, "reason": reason},
        )
    elif resolution == "block":
        chat_ban_create(user=sender, created_by=staff, report=report, reason=report.get_reason_display())
    report.status = RESOLUTIONS[resolution]
    report.resolved_by = staff
    report.resolved_at = timezone.now()
    report.save(update_fields=["status", "resolved_by", "resolved_at"])
    logger.info("Chat report %s resolved (%s) by staff %s", report.pk, resolution, staff.pk)
    return report


@transaction.atomic
def chat_ban_create(*, user, created_by, reason="", report=None):
    ban, created = ChatBan.objects.get_or_create(
        user=user, defaults={"created_by": created_by, "reason": reason, "report": report}
    )
    if created:
        logger.info("User %s blocked from chatting by %s", user.pk, getattr(created_by, "pk", None))
        events.chat_ban_changed(user_id=user.pk, banned=True)
    return ban


@transaction.atomic
def chat_ban_lift(*, user, lifted_by):
    deleted, _ = ChatBan.objects.filter(user=user).delete()
    if deleted:
        logger.info("Chat ban of user %s lifted by %s", user.pk, getattr(lifted_by, "pk", None))
        events.chat_ban_changed(user_id=user.pk, banned=False)
    return bool(deleted)


def chat_data_erase(user):
    """GDPR eraser: the user's messages lose their text and images; the threads stay for the
    other participant, who sees that a message existed."""
    messages = Message.objects.filter(sender=user)
    names = list(messages.exclude(image="").exclude(image__isnull=True).values_list("image", flat=True))
    messages.update(text="", image=None)
    # Runs inside the account deletion's transaction: the files go only once it commits.
    files_delete_after_commit(names, storage=Message._meta.get_field("image").storage)
    MessageReport.objects.filter(reporter=user).update(description="")
