from django.urls import path

from payment_system.rates import apis

urlpatterns = [
    path("exchange-rates/", apis.ExchangeRateListApi.as_view(), name="exchange-rates"),
]
