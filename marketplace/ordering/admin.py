"""Admin for carts, orders and returns. Actions go through the services (locks, state machine)."""

from django.contrib import admin, messages

from designiaBackend.api.admin import ReadOnlyAdmin
from designiaBackend.api.exceptions import ApplicationError
from marketplace.ordering.models import (
    Cart,
    CartItem,
    Order,
    OrderItem,
    ReturnRequest,
    ReturnRequestItem,
    Shipment,
)
from marketplace.ordering.services.orders import order_staff_refund
from marketplace.ordering.services.returns import return_request_approve, return_request_reject
from marketplace.ordering.services.shipments import order_mark_delivered


def _run_each(modeladmin, request, queryset, action, done):
    succeeded = 0
    for obj in queryset:
        try:
            action(obj)
            succeeded += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
    if succeeded:
        modeladmin.message_user(request, f"{succeeded} {done}.", messages.SUCCESS)


class CartItemInline(admin.TabularInline):
    model = CartItem
    extra = 0
    raw_id_fields = ("product",)


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("user", "updated_at")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    inlines = [CartItemInline]


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    extra = 0
    can_delete = False
    readonly_fields = (
        "product",
        "seller",
        "product_name",
        "product_image",
        "unit_price",
        "quantity",
        "total_price",
        "returned_quantity",
    )

    def has_add_permission(self, request, obj=None):
        return False


class ShipmentInline(admin.TabularInline):
    """Each seller's part; statuses change only through the services (actions, the API)."""

    model = Shipment
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "seller",
        "status",
        "total_amount",
        "shipping_cost",
        "shipping_carrier",
        "tracking_number",
        "ships_by",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
    )

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "buyer",
        "status",
        "fulfillment_status",
        "payment_status",
        "total_amount",
        "currency",
        "needs_review",
        "created_at",
    )
    list_filter = ("status", "fulfillment_status", "payment_status", "needs_review")
    search_fields = ("id", "buyer__email", "tracking_number", "shipments__tracking_number")
    date_hierarchy = "created_at"
    inlines = [ShipmentInline, OrderItemInline]
    actions = ["refund_orders", "mark_delivered"]
    readonly_fields = (
        "buyer",
        "status",
        "fulfillment_status",
        "payment_status",
        "currency",
        "subtotal",
        "shipping_cost",
        "tax_amount",
        "discount_amount",
        "total_amount",
        "stock_released",
        "paid_at",
        "shipped_at",
        "delivered_at",
        "cancelled_at",
        "created_at",
        "updated_at",
    )

    @admin.action(description="Refund the selected orders in full")
    def refund_orders(self, request, queryset):
        _run_each(self, request, queryset, lambda o: order_staff_refund(order_id=o.pk), "order(s) refunded")

    @admin.action(description="Mark the shipped shipments of the selected orders delivered")
    def mark_delivered(self, request, queryset):
        _run_each(
            self, request, queryset, lambda o: order_mark_delivered(order_id=o.pk), "order(s) delivered"
        )


class ReturnRequestItemInline(admin.TabularInline):
    model = ReturnRequestItem
    extra = 0
    readonly_fields = ("order_item", "quantity")


@admin.register(ReturnRequest)
class ReturnRequestAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "status", "reason", "refund_amount", "created_at")
    list_filter = ("status", "reason")
    readonly_fields = ("order", "status", "refund_amount", "decided_by", "decided_at")
    inlines = [ReturnRequestItemInline]
    actions = ["approve", "reject"]

    @admin.action(description="Approve (restock and refund)")
    def approve(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda r: return_request_approve(return_request_id=r.pk, actor=request.user),
            "return(s) approved",
        )

    @admin.action(description="Reject")
    def reject(self, request, queryset):
        _run_each(
            self,
            request,
            queryset,
            lambda r: return_request_reject(return_request_id=r.pk, actor=request.user),
            "return(s) rejected",
        )


@admin.register(CartItem)
class CartItemAdmin(ReadOnlyAdmin):
    list_display = ("cart", "product", "quantity", "added_at")
    list_select_related = ("cart__user", "product")
    search_fields = ("cart__user__email", "product__name")


@admin.register(OrderItem)
class OrderItemAdmin(ReadOnlyAdmin):
    list_display = ("order", "product_name", "seller", "quantity", "unit_price", "total_price")
    list_select_related = ("order", "seller")
    search_fields = ("product_name", "order__id", "seller__email")
    list_filter = ("order__status",)


@admin.register(ReturnRequestItem)
class ReturnRequestItemAdmin(ReadOnlyAdmin):
    list_display = ("return_request", "order_item", "quantity")
    list_select_related = ("return_request", "order_item")
    search_fields = ("order_item__product_name",)


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("id", "order", "seller", "status", "total_amount", "tracking_number", "ships_by")
    list_select_related = ("order", "seller")
    list_filter = ("status", "order__fulfillment_status")
    search_fields = ("order__id", "seller__email", "tracking_number")
