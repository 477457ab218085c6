from django.apps import AppConfig


class ArConfig(AppConfig):
    name = "ar"
    default_auto_field = "django.db.models.BigAutoField"
