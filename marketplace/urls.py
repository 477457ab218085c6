from django.urls import include, path

urlpatterns = [
    path("", include("marketplace.catalog.urls")),
    path("", include("marketplace.ordering.urls")),
    path("", include("marketplace.shipping.urls")),
]
