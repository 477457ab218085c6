from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from authentication import gdpr
        from chat import tasks  # noqa: F401  (Celery registers the task on import)
        from chat import selectors, services

        gdpr.register_exporter("chat", selectors.chat_export_for_user_section)
        gdpr.register_eraser(services.chat_data_erase)
