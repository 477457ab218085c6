from django.conf import settings
from django.db import models


class Notification(models.Model):
    """One notice to one user about one event; ``event_key`` makes it unique per (event, recipient)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    event_key = models.CharField(max_length=191)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    link_type = models.CharField(max_length=64, blank=True)
    link_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(max_length=500, blank=True)
    email_subject = models.CharField(max_length=255, blank=True)
    email_template = models.CharField(max_length=100, blank=True)
    email_context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event_key"], name="notification_once_per_event"),
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self):
        return f"{self.kind} -> {self.recipient_id}"


class NotificationPreference(models.Model):
    """A user's e-mail choice for one kind; no row means e-mail on (the inbox always keeps them)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    email = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]

    def __str__(self):
        return f"{self.user_id} {self.kind}: email={'on' if self.email else 'off'}"
