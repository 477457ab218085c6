from django.urls import path

from payment_system.webhooks.apis import StripeWebhookView

urlpatterns = [
    path("stripe_webhook/", StripeWebhookView.as_view(), name="stripe-webhook"),
]
