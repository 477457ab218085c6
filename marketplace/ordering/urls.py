from django.urls import include, path

from marketplace.coupons.apis import CouponListCreateView
from marketplace.ordering import apis

urlpatterns = [
    path("cart/", apis.CartView.as_view(), name="cart"),
    path("cart/add_item/", apis.CartAddItemView.as_view(), name="cart-add-item"),
    path("cart/update_item/", apis.CartUpdateItemView.as_view(), name="cart-update-item"),
    path("cart/remove_item/", apis.CartRemoveItemView.as_view(), name="cart-remove-item"),
    path("cart/clear/", apis.CartClearView.as_view(), name="cart-clear"),
    path("cart/apply_coupon/", apis.CartApplyCouponView.as_view(), name="cart-apply-coupon"),
    path("cart/remove_coupon/", apis.CartRemoveCouponView.as_view(), name="cart-remove-coupon"),
    path("coupons/", CouponListCreateView.as_view(), name="coupon-list"),
    path("orders/", apis.OrderListView.as_view(), name="order-list"),
    path("orders/seller_orders/", apis.SellerOrderListView.as_view(), name="order-seller-list"),
    path("orders/<uuid:order_id>/", apis.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<uuid:order_id>/cancel/", apis.OrderCancelView.as_view(), name="order-cancel"),
    path("orders/<uuid:order_id>/return/", apis.OrderReturnView.as_view(), name="order-return"),
    path(
        "orders/<uuid:order_id>/update_shipping/",
        apis.OrderUpdateShippingView.as_view(),
        name="order-update-shipping",
    ),
    path(
        "orders/<uuid:order_id>/confirm_delivery/",
        apis.OrderConfirmDeliveryView.as_view(),
        name="order-confirm-delivery",
    ),
    path("shipments/<int:shipment_id>/", apis.ShipmentDetailView.as_view(), name="shipment-detail"),
    path(
        "shipments/<int:shipment_id>/update_shipping/",
        apis.ShipmentUpdateShippingView.as_view(),
        name="shipment-update-shipping",
    ),
    path("shipments/<int:shipment_id>/cancel/", apis.ShipmentCancelView.as_view(), name="shipment-cancel"),
    path(
        "shipments/<int:shipment_id>/confirm_delivery/",
        apis.ShipmentConfirmDeliveryView.as_view(),
        name="shipment-confirm-delivery",
    ),
    path("returns/<int:return_id>/approve/", apis.ReturnApproveView.as_view(), name="return-approve"),
    path("returns/<int:return_id>/reject/", apis.ReturnRejectView.as_view(), name="return-reject"),
    path("seller/", include("marketplace.analytics.urls")),
]
