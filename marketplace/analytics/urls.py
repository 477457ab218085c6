from django.urls import path

from marketplace.analytics.apis import SellerAnalyticsView

urlpatterns = [
    path("analytics/", SellerAnalyticsView.as_view(), name="seller-analytics"),
]
