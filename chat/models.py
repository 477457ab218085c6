"""Chat: one thread per pair of users and product, its messages, reports and chat bans."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Thread(models.Model):
    """A 1:1 conversation, optionally about a product.

    ``key`` makes "one thread per pair of users and product" a database constraint that also
    holds for threads without a product (MariaDB has no partial unique indexes).
    """

    key = models.CharField(max_length=120, unique=True, editable=False)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="chat_threads")
    product = models.ForeignKey(
        "marketplace.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="chat_threads"
    )
    last_message = models.ForeignKey(
        "chat.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Time of the last message (or of creation): the inbox order.
    updated_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]

    def __str__(self):
        return f"Thread {self.pk}"

    @staticmethod
    def key_for(*, user_ids, product_id=None):
        first, second = sorted(str(user_id) for user_id in user_ids)
        return f"{first}:{second}:{product_id or 0}"


class Message(models.Model):
    class Type(models.TextChoices):
        TEXT = "text", "Text"
        IMAGE = "image", "Image"

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_messages"
    )
    message_type = models.CharField(max_length=10, choices=Type.choices, default=Type.TEXT)
    # Stored exactly as sent (control characters removed): the client matches its echo by text.
    text = models.TextField(blank=True)
    image = models.ImageField(upload_to="chat/%Y/%m/", blank=True, null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Per-message read state: when the recipient read it.
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["thread", "-created_at", "-id"], name="chat_message_history"),
            models.Index(fields=["thread", "read_at"], name="chat_message_unread"),
        ]

    def __str__(self):
        return f"Message {self.pk} in thread {self.thread_id}"

    @property
    def is_read(self):
        return self.read_at is not None


class MessageReport(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        HARASSMENT = "harassment", _("Harassment")
        INAPPROPRIATE = "inappropriate", _("Inappropriate content")
        SCAM = "scam", _("Scam")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        WARNED = "warned", "Sender warned"
        SENDER_BLOCKED = "sender_blocked", "Sender blocked from chatting"

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_reports"
    )
    reason = models.CharField(max_length=20, choices=Reason.choices)
    description = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="chat_report_once_per_reporter")
        ]

    def __str__(self):
        return f"Report {self.pk} ({self.reason}, {self.status})"


class ChatBan(models.Model):
    """A user blocked from chatting (sending messages, opening threads) by staff."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_ban")
    reason = models.TextField(blank=True)
    report = models.ForeignKey(
        MessageReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Chat ban of {self.user_id}"
