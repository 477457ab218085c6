from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from authentication import gdpr
        from designiaBackend.api import notifications as seam
        from notifications import tasks  # noqa: F401  (Celery registers the task on import)
        from notifications import selectors, services

        seam.register(services.notify)
        seam.register_email_batch(services.notification_emails_queue)
        seam.register_unsent_emails(selectors.notifications_not_emailed)
        gdpr.register_exporter("notifications", selectors.notification_export_for_user)
        gdpr.register_eraser(services.notification_data_erase)
