from decimal import Decimal
from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField, money_serializer_field
from designiaBackend.api.pagination import PageSerializer
from infrastructure.storage import public_url
from marketplace.catalog.products.serializers import ProductCardSerializer
from marketplace.ordering.models import Cart, Order, ReturnRequest, Shipment
from marketplace.ordering.pricing import line_key
from marketplace.ordering.services.orders import ADDRESS_KEYS
from marketplace.ordering.state import viewer_status
from marketplace.ordering.tracking import tracking_link
from marketplace.ordering.variants import variant_label
from marketplace.shipping.serializers import CountryField

# A return photo as a base64 data URL of at most PRODUCT_IMAGE_MAX_BYTES.
RETURN_PHOTO_MAX_CHARS = settings.PRODUCT_IMAGE_MAX_BYTES * 4 // 3 + 100

# --- input ------------------------------------------------------------------------------------------


class CartItemAddInputSerializer(serializers.Serializer):
    product_id = PublicIdField()
    quantity = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    # A product with variants: the variant bought, by id or by its option values.
    variant_id = PublicIdField(required=False, allow_null=True)
    options = serializers.DictField(
        child=serializers.CharField(max_length=100), required=False, allow_null=True, allow_empty=False
    )

    def validate_options(self, options):
        if options is not None and (len(options) > 20 or any(len(name) > 40 for name in options)):
            raise serializers.ValidationError("At most 20 options, each name at most 40 characters.")
        return options


class CartItemUpdateInputSerializer(serializers.Serializer):
    product_id = PublicIdField()
    quantity = serializers.IntegerField(min_value=0, max_value=1000)
    variant_id = PublicIdField(required=False, allow_null=True)


class CartItemRemoveInputSerializer(serializers.Serializer):
    product_id = PublicIdField()
    variant_id = PublicIdField(required=False, allow_null=True)


class OrderCreateInputSerializer(serializers.Serializer):
    buyer_notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class OrderCancelInputSerializer(serializers.Serializer):
    REASONS = ("changed_mind", "found_cheaper", "ordered_by_mistake", "shipping_too_slow", "other")
    reason = serializers.ChoiceField(choices=REASONS)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ReturnLineInputSerializer(serializers.Serializer):
    itemId = PublicIdField()  # noqa: N815 (contract C1 key)
    quantity = serializers.IntegerField(min_value=1, max_value=1000)


class ReturnRequestInputSerializer(serializers.Serializer):
    items = ReturnLineInputSerializer(many=True, allow_empty=False, max_length=100)
    reason = serializers.ChoiceField(choices=ReturnRequest.Reason.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    # Links (up to 2,000 characters) or photos as data URLs (stored without metadata).
    proof_images = serializers.ListField(
        child=serializers.CharField(max_length=RETURN_PHOTO_MAX_CHARS),
        required=False,
        default=list,
        max_length=10,
    )

    def validate_proof_images(self, values):
        for value in values:
            if not value.startswith("data:") and len(value) > 2000:
                raise serializers.ValidationError("A link may have at most 2000 characters.")
        return values


class SellerOrderQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Order.Status.choices, required=False)


class ReturnDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ShippingUpdateInputSerializer(serializers.Serializer):
    shipping_carrier = serializers.CharField(min_length=2, max_length=100)
    tracking_number = serializers.CharField(min_length=5, max_length=100)
    carrier_code = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    tracking_url = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")


class ShipmentCancelInputSerializer(serializers.Serializer):
    REASONS = ("out_of_stock", "cannot_ship", "buyer_request", "other")
    reason = serializers.ChoiceField(choices=REASONS, required=False, default="other")


# --- output: cart -----------------------------------------------------------------------------------


class CartProductSerializer(ProductCardSerializer):
    """The ProductList fields the cart drawer reads (contract §5.4)."""

    average_rating = serializers.DecimalField(max_digits=3, decimal_places=2)
    review_count = serializers.IntegerField()
    is_in_stock = serializers.BooleanField()
    stock_quantity = serializers.IntegerField()
    # Only with ?currency= or a preferred currency (cart_display_apply).
    display_price = serializers.CharField(required=False, allow_null=True)
    display_original_price = serializers.CharField(required=False, allow_null=True)
    display_currency = serializers.CharField(required=False)
    display_rate_date = serializers.DateField(required=False)


class CartVariantSerializer(serializers.Serializer):
    """The variant a cart line holds (its price is the line's unit price)."""

    id = PublicIdField()
    sku = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    label = serializers.SerializerMethodField()
    price = money_serializer_field(max_digits=10)
    stock_quantity = serializers.IntegerField()

    def get_label(self, variant) -> str:
        return variant_label(variant)


class CartLineSerializer(serializers.Serializer):
    id = PublicIdField()
    product = CartProductSerializer()
    variant = CartVariantSerializer(allow_null=True)
    quantity = serializers.IntegerField()
    added_at = serializers.DateTimeField()
    total_price = serializers.SerializerMethodField()
    tax_amount = serializers.SerializerMethodField()
    display_total_price = serializers.CharField(required=False, allow_null=True)

    def get_total_price(self, item) -> str:
        price = item.product.price if item.variant is None else item.variant.price
        return f"{price * item.quantity:.2f}"

    discount_amount = serializers.SerializerMethodField()

    def get_discount_amount(self, item) -> str:
        """This line's part of the coupon's discount (``context["line_discounts"]``)."""
        key = line_key(item.product_id, item.variant_id)
        return f"{self.context.get('line_discounts', {}).get(key, Decimal('0')):.2f}"

    def get_tax_amount(self, item) -> str:
        """This line's part of its seller group's tax (``context["line_taxes"]``)."""
        key = line_key(item.product_id, item.variant_id)
        return f"{self.context.get('line_taxes', {}).get(key, Decimal('0')):.2f}"


class TotalsSerializer(serializers.Serializer):
    subtotal = money_serializer_field()
    shipping_cost = money_serializer_field()
    tax_amount = money_serializer_field()
    discount_amount = money_serializer_field()
    total_amount = money_serializer_field()


class ShippingGroupSerializer(TotalsSerializer):
    """One seller's part of the cart: its totals, how long it takes to ship, what cannot ship."""

    seller_id = serializers.CharField()
    processing_days_min = serializers.IntegerField(allow_null=True)
    processing_days_max = serializers.IntegerField(allow_null=True)
    can_ship = serializers.BooleanField()
    unshippable_product_ids = serializers.ListField(child=serializers.CharField())
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    prices_include_tax = serializers.BooleanField()
    tax_included_amount = money_serializer_field()
    shipping_tax_amount = money_serializer_field()


def shipping_group_data(group) -> dict:
    days = group.shipping.processing_days or (None, None)
    return {
        **group.totals.as_dict(),
        "seller_id": str(group.seller_id),
        "processing_days_min": days[0],
        "processing_days_max": days[1],
        "can_ship": not group.shipping.unshippable,
        "unshippable_product_ids": [str(pk) for pk in group.shipping.unshippable],
        "tax_rate": group.tax_rate,
        "prices_include_tax": group.prices_include_tax,
        "tax_included_amount": group.totals.tax_included,
        "shipping_tax_amount": group.shipping_tax,
    }


class CartCouponSerializer(serializers.Serializer):
    code = serializers.CharField()
    applies = serializers.BooleanField()
    discount_amount = money_serializer_field()


class DisplayTotalsSerializer(serializers.Serializer):
    subtotal = serializers.CharField(allow_null=True)
    shipping_cost = serializers.CharField(allow_null=True)
    tax_amount = serializers.CharField(allow_null=True)
    discount_amount = serializers.CharField(allow_null=True)
    total_amount = serializers.CharField(allow_null=True)
    currency = serializers.CharField()
    rate_date = serializers.DateField()


class CartSerializer(serializers.Serializer):
    """The cart; ``context["quote"]`` prices it per seller group for ``context["country"]``."""

    id = PublicIdField()
    user_id = serializers.UUIDField()
    items = serializers.SerializerMethodField()
    items_count = serializers.SerializerMethodField()
    totals = serializers.SerializerMethodField()
    country = serializers.SerializerMethodField()
    shipping_groups = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()
    display_totals = DisplayTotalsSerializer(required=False)
    coupon = serializers.SerializerMethodField()

    @extend_schema_field(CartLineSerializer(many=True))
    def get_items(self, cart: Cart) -> list[dict[str, Any]]:
        line_taxes: dict[Any, Decimal] = {}
        line_discounts: dict[Any, Decimal] = {}
        for group in self.context["quote"].groups:
            line_taxes.update(group.line_taxes or {})
            line_discounts.update(group.line_discounts or {})
        context = {"line_taxes": line_taxes, "line_discounts": line_discounts}
        return CartLineSerializer(cart.items.all(), many=True, context=context).data

    @extend_schema_field(CartCouponSerializer(allow_null=True))
    def get_coupon(self, cart: Cart) -> dict[str, Any] | None:
        """The applied code, when it discounts the cart (a code that no longer applies shows
        ``applies: false``; checkout then charges no discount)."""
        coupon = cart.coupon  # no query without a code
        if coupon is None:
            return None
        quote = self.context["quote"]
        return {
            "code": coupon.code,
            "applies": bool(quote.coupon_code),
            "discount_amount": f"{quote.totals.discount_amount:.2f}",
        }

    def get_items_count(self, cart) -> int:
        return sum(item.quantity for item in cart.items.all())

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, cart: Cart) -> dict[str, Any]:
        return TotalsSerializer(self.context["quote"].totals.as_dict()).data

    def get_country(self, cart) -> str | None:
        return self.context.get("country") or None

    @extend_schema_field(ShippingGroupSerializer(many=True))
    def get_shipping_groups(self, cart: Cart) -> list[dict[str, Any]]:
        groups = [shipping_group_data(group) for group in self.context["quote"].groups]
        return ShippingGroupSerializer(groups, many=True).data


def cart_display_apply(data: dict, display) -> None:
    """Add display prices (``?currency=`` or the preferred currency) to a rendered cart: each
    product's fields, each line's ``display_total_price`` and ``display_totals``. Display only: the
    cart is priced and checked out in its own currency."""
    currency = None
    for line in data["items"]:
        product = line["product"]
        currency = product["currency"]
        display.apply([product])
        line["display_total_price"] = display.amount(line["total_price"], currency)
    totals = data["totals"]
    source = currency or display.currency  # an empty cart: zeros
    data["display_totals"] = {
        **{name: display.amount(value, source) for name, value in totals.items()},
        "currency": display.currency,
        "rate_date": display.rates.date.isoformat(),
    }


class CartQuerySerializer(serializers.Serializer):
    country = CountryField(required=False, default="")


# --- output: orders ---------------------------------------------------------------------------------


class OrderProductRefSerializer(serializers.Serializer):
    id = PublicIdField()
    slug = serializers.CharField()


class OrderItemSerializer(serializers.Serializer):
    id = PublicIdField()
    product = OrderProductRefSerializer()
    seller_id = serializers.UUIDField()
    product_name = serializers.CharField()
    product_image = serializers.SerializerMethodField()
    quantity = serializers.IntegerField()
    returned_quantity = serializers.IntegerField()
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)
    total_price = money_serializer_field()
    tax_amount = money_serializer_field()
    discount_amount = money_serializer_field()
    # The variant bought (null, "" and "" for a product without variants), as at checkout.
    variant_id = PublicIdField(allow_null=True)
    sku = serializers.CharField(allow_blank=True)
    variant_label = serializers.CharField(allow_blank=True)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_product_image(self, item) -> str | None:
        return public_url(item.product_image)


class OrderBuyerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    username = serializers.CharField()
    email = serializers.EmailField()


class ShippingAddressSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)
    address_line1 = serializers.CharField(allow_blank=True)
    address_line2 = serializers.CharField(allow_blank=True)
    city = serializers.CharField(allow_blank=True)
    state = serializers.CharField(allow_blank=True)
    postal_code = serializers.CharField(allow_blank=True)
    country = serializers.CharField(allow_blank=True)


class ShipmentSerializer(serializers.Serializer):
    """One seller's part of an order (ids are strings)."""

    id = serializers.CharField()
    order_id = serializers.CharField()
    seller_id = serializers.CharField()
    status = serializers.ChoiceField(choices=Shipment.Status.choices)
    item_ids = serializers.SerializerMethodField()
    subtotal = money_serializer_field()
    shipping_cost = money_serializer_field()
    tax_amount = money_serializer_field()
    discount_amount = money_serializer_field()
    total_amount = money_serializer_field()
    tax_included_amount = money_serializer_field()
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=4)
    prices_include_tax = serializers.BooleanField()
    platform_discount_amount = money_serializer_field()
    shipping_carrier = serializers.CharField(allow_null=True, source="shipping_carrier_or_none")
    carrier_code = serializers.CharField(allow_blank=True)
    tracking_number = serializers.CharField(allow_null=True, source="tracking_number_or_none")
    tracking_url = serializers.SerializerMethodField()
    ships_by = serializers.DateField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def get_item_ids(self, shipment) -> list[str]:
        items = self.context.get("items")
        if items is None:
            return [str(pk) for pk in shipment.items.values_list("pk", flat=True)]
        return [str(item.pk) for item in items if item.shipment_id == shipment.pk]

    def get_tracking_url(self, shipment) -> str | None:
        return tracking_link(shipment) or None


class OrderSerializer(serializers.Serializer):
    """The order object of contract §5.8; a seller sees only their items and their share of totals."""

    id = serializers.UUIDField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    status = serializers.SerializerMethodField()
    fulfillment_status = serializers.ChoiceField(choices=Order.Fulfillment.choices)
    payment_status = serializers.ChoiceField(choices=Order.PaymentStatus.choices)
    currency = serializers.CharField()
    subtotal = serializers.SerializerMethodField()
    shipping_cost = serializers.SerializerMethodField()
    tax_amount = serializers.SerializerMethodField()
    # The part of tax_amount inside VAT-inclusive prices (EU sellers'); the rest was added on top.
    tax_included_amount = serializers.SerializerMethodField()
    discount_amount = serializers.SerializerMethodField()
    total_amount = serializers.SerializerMethodField()
    tracking_number = serializers.SerializerMethodField()
    shipping_carrier = serializers.SerializerMethodField()
    shipping_address = serializers.SerializerMethodField()
    buyer = OrderBuyerSerializer()
    buyer_notes = serializers.CharField()
    items = serializers.SerializerMethodField()
    items_count = serializers.SerializerMethodField()
    shipments = serializers.SerializerMethodField()
    cancellation_reason = serializers.CharField()
    paid_at = serializers.DateTimeField(allow_null=True)
    shipped_at = serializers.DateTimeField(allow_null=True)
    delivered_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)

    def _seller_view(self, order) -> bool:
        return getattr(order, "viewer_is_seller", False) or bool(self.context.get("seller_view"))

    def _own_shipment(self, order) -> Shipment | None:
        """The viewing seller's shipment (``None`` for the buyer)."""
        shipments = order.visible_shipments
        return shipments[0] if self._seller_view(order) and shipments else None

    def _tracked(self, order):
        """The shipment whose tracking the order shows: the seller's own, else the first shipped."""
        if self._seller_view(order):
            return self._own_shipment(order)
        shipped = [s for s in order.visible_shipments if s.shipped_at and s.tracking_number]
        return min(shipped, key=lambda s: (s.shipped_at, s.pk), default=None)

    def _totals(self, order):
        if not hasattr(order, "_viewer_totals"):
            source = self._own_shipment(order) or order
            order._viewer_totals = {
                key: getattr(source, key)
                for key in (
                    "subtotal",
                    "shipping_cost",
                    "tax_amount",
                    "tax_included_amount",
                    "discount_amount",
                    "total_amount",
                )
            }
        return order._viewer_totals

    @extend_schema_field(serializers.ChoiceField(choices=Order.Status.choices))
    def get_status(self, order) -> str:
        """The order's status; a seller sees their own shipment's status in the same vocabulary."""
        if self._seller_view(order):
            return viewer_status(order, self._own_shipment(order))
        return order.status

    @extend_schema_field(ShipmentSerializer(many=True))
    def get_shipments(self, order: Order) -> list[dict[str, Any]]:
        return ShipmentSerializer(
            order.visible_shipments, many=True, context={"items": order.visible_items}
        ).data

    def get_subtotal(self, order) -> str:
        return f"{self._totals(order)['subtotal']:.2f}"

    def get_shipping_cost(self, order) -> str:
        return f"{self._totals(order)['shipping_cost']:.2f}"

    def get_tax_amount(self, order) -> str:
        return f"{self._totals(order)['tax_amount']:.2f}"

    def get_tax_included_amount(self, order) -> str:
        return f"{self._totals(order)['tax_included_amount']:.2f}"

    def get_discount_amount(self, order) -> str:
        return f"{self._totals(order)['discount_amount']:.2f}"

    def get_total_amount(self, order) -> str:
        return f"{self._totals(order)['total_amount']:.2f}"

    def get_tracking_number(self, order) -> str | None:
        tracked = self._tracked(order)
        return (tracked.tracking_number or None) if tracked else None

    def get_shipping_carrier(self, order) -> str | None:
        tracked = self._tracked(order)
        return (tracked.shipping_carrier or None) if tracked else None

    @extend_schema_field(ShippingAddressSerializer)
    def get_shipping_address(self, order: Order) -> dict[str, str]:
        address = order.shipping_address or {}
        return {key: str(address.get(key) or "") for key in ADDRESS_KEYS}

    @extend_schema_field(OrderItemSerializer(many=True))
    def get_items(self, order: Order) -> list[dict[str, Any]]:
        return OrderItemSerializer(order.visible_items, many=True).data

    def get_items_count(self, order) -> int:
        return sum(item.quantity for item in order.visible_items)


class OrderPageSerializer(PageSerializer):
    """A page of orders (contract §4.1)."""

    results = OrderSerializer(many=True)


class ReturnRequestSerializer(serializers.Serializer):
    id = PublicIdField()
    order_id = serializers.UUIDField()
    status = serializers.CharField()
    reason = serializers.CharField()
    comment = serializers.CharField()
    refund_amount = money_serializer_field()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
