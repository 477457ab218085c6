from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "designiaBackend.outbox"
    label = "outbox"
    verbose_name = "Outbox (tasks that must happen)"
    default_auto_field = "django.db.models.BigAutoField"
