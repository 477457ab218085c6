from django.urls import include, path

urlpatterns = [
    path("", include("payment_system.connect.urls")),
    path("", include("payment_system.rates.urls")),
    path("", include("payment_system.checkout.urls")),
    path("", include("payment_system.webhooks.urls")),
    path("", include("payment_system.payouts.urls")),
]
