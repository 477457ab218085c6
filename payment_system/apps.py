from django.apps import AppConfig


class PaymentSystemConfig(AppConfig):
    name = "payment_system"
    default_auto_field = "django.db.models.BigAutoField"
