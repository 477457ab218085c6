from django.apps import AppConfig


class PaymentSystemConfig(AppConfig):
    name = "payment_system"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from marketplace.ordering.ports import register_payment_handler
        from payment_system.payments.ports import PaymentSystemOrderHandler

        register_payment_handler(PaymentSystemOrderHandler())
