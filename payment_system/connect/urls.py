from django.urls import path

from payment_system.connect import apis

urlpatterns = [
    path("stripe/account/", apis.StripeAccountApi.as_view(), name="stripe-account"),
    path("stripe/create-session/", apis.StripeAccountSessionApi.as_view(), name="stripe-account-session"),
    path("stripe/account-status/", apis.StripeAccountStatusApi.as_view(), name="stripe-account-status"),
    path("stripe/account-link/", apis.StripeAccountLinkApi.as_view(), name="stripe-account-link"),
    path("stripe_connect_webhook/", apis.StripeConnectWebhookApi.as_view(), name="stripe-connect-webhook"),
]
