from django.apps import AppConfig


class PaymentSystemConfig(AppConfig):
    name = "payment_system"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from marketplace.catalog.display_currency import register_rate_source
        from marketplace.ordering.ports import register_payment_handler
        from payment_system.payments.ports import PaymentSystemOrderHandler
        from payment_system.rates.display import display_rates_latest

        register_payment_handler(PaymentSystemOrderHandler())
        register_rate_source(display_rates_latest)
