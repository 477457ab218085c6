from django.urls import path

from marketplace.shipping import apis

urlpatterns = [
    path("shipping-profiles/", apis.ShippingProfileListView.as_view(), name="shipping-profile-list"),
    path(
        "shipping-profiles/<str:profile_id>/",
        apis.ShippingProfileDetailView.as_view(),
        name="shipping-profile-detail",
    ),
]
