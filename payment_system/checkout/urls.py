from django.urls import path

from payment_system.checkout import apis

urlpatterns = [
    path("checkout_session/", apis.CheckoutSessionView.as_view(), name="checkout-session"),
    path(
        "checkout_session/retry/<uuid:order_id>/",
        apis.CheckoutSessionRetryView.as_view(),
        name="checkout-session-retry",
    ),
]
