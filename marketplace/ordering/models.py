import uuid

from django.conf import settings
from django.db import models

from designiaBackend.money import ZERO, money_field
from marketplace.catalog.models import Product, ProductVariant


class Cart(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cart")
    # The code applied through cart/apply_coupon/ (checked again, and counted, at checkout).
    coupon = models.ForeignKey(
        "marketplace.Coupon", on_delete=models.SET_NULL, null=True, blank=True, related_name="carts"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Cart of {self.user_id}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="cart_items")
    # The variant bought (null for a product without variants).
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.CASCADE, null=True, blank=True, related_name="cart_items"
    )
    quantity = models.PositiveIntegerField(default=1)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        # One line per product and variant. NULLs are distinct to the database, so the line of a
        # product without variants is kept single by the cart services (they hold the cart's lock).
        constraints = [
            models.UniqueConstraint(fields=["cart", "product", "variant"], name="one_cart_item_per_variant")
        ]

    def __str__(self):
        return f"{self.quantity} x {self.product_id}"


class StoredTotals(models.Model):
    """The money columns an order and each of its shipments keep (``pricing.Totals.stored()``);
    a shipment holds its seller's part, and the parts of an order add up to its totals exactly."""

    subtotal = money_field(default=ZERO)
    shipping_cost = money_field(default=ZERO)
    tax_amount = money_field(default=ZERO)
    discount_amount = money_field(default=ZERO)
    total_amount = money_field(default=ZERO)
    # The part of ``tax_amount`` already inside the prices (EU sellers price VAT-inclusive):
    # total = subtotal + shipping_cost + (tax_amount - tax_included_amount) - discount_amount.
    tax_included_amount = money_field(default=ZERO)

    class Meta:
        abstract = True


class Order(StoredTotals):
    class Status(models.TextChoices):
        PENDING_PAYMENT = "pending_payment", "Pending payment"
        PAYMENT_CONFIRMED = "payment_confirmed", "Payment confirmed"
        AWAITING_SHIPMENT = "awaiting_shipment", "Awaiting shipment"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    class PaymentStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    class Fulfillment(models.TextChoices):
        """How far the order's shipments have come (derived from them, stored for filters)."""

        UNFULFILLED = "unfulfilled", "Unfulfilled"
        PARTIALLY_SHIPPED = "partially_shipped", "Partially shipped"
        SHIPPED = "shipped", "Shipped"
        PARTIALLY_DELIVERED = "partially_delivered", "Partially delivered"
        DELIVERED = "delivered", "Delivered"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=24, choices=Status.choices, default=Status.PENDING_PAYMENT, db_index=True
    )
    payment_status = models.CharField(
        max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING, db_index=True
    )
    fulfillment_status = models.CharField(
        max_length=24, choices=Fulfillment.choices, default=Fulfillment.UNFULFILLED, db_index=True
    )
    currency = models.CharField(max_length=3, default="USD")
    # The destination the order was priced for (ISO code; empty: unknown at checkout).
    shipping_country = models.CharField(max_length=2, blank=True)
    # Contract C8: {name, address_line1, address_line2, city, state, postal_code, country}; never null.
    shipping_address = models.JSONField(default=dict, blank=True)
    buyer_notes = models.TextField(blank=True)
    # The first shipped shipment's tracking (contract: one number per order); null in the API until then.
    tracking_number = models.CharField(max_length=100, blank=True)
    shipping_carrier = models.CharField(max_length=100, blank=True)
    carrier_code = models.CharField(max_length=50, blank=True)
    cancellation_reason = models.CharField(max_length=40, blank=True)
    cancellation_comment = models.TextField(blank=True)
    # Set when something about the payment needs a human (amount mismatch, dispute).
    needs_review = models.BooleanField(default=False)
    review_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Reserved stock goes back exactly once, whatever the order of cancel/timeout/webhook events.
    stock_released = models.BooleanField(default=False)
    # An unpaid order holds its stock until then (``STOCK_RESERVATION_MINUTES`` after checkout or
    # a retry); the order itself stays payable for ``PAYMENT_TIMEOUT_DAYS``.
    reserved_until = models.DateTimeField(null=True, blank=True, db_index=True)

    # Not columns: what the viewer may see, set on orders the ordering selectors return (a Prefetch
    # ``to_attr`` or ``order_get_for_viewer``): the items and shipments (every selector), and
    # whether the viewer is a seller in the order (``order_get_for_viewer`` only).
    visible_items: list["OrderItem"]
    visible_shipments: list["Shipment"]
    viewer_is_seller: bool

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["buyer", "-created_at"], name="order_buyer_recent")]

    def __str__(self):
        return f"Order {self.pk} ({self.status})"


class Shipment(StoredTotals):
    """One seller's part of an order: their items, their totals, their parcel.

    Statuses move only through ``marketplace.ordering.state.shipment_transition``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SHIPPED = "shipped", "Shipped"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        RETURNED = "returned", "Returned"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="shipments")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    # The destination's rate this part was taxed at (a fraction) and whether its prices include it.
    tax_rate = models.DecimalField(max_digits=5, decimal_places=4, default=ZERO)
    prices_include_tax = models.BooleanField(default=False)
    # The part of ``discount_amount`` the platform funds (a platform code): the seller's share
    # is counted before it, the platform's fee after it.
    platform_discount_amount = money_field(default=ZERO)
    shipping_carrier = models.CharField(max_length=100, blank=True)
    carrier_code = models.CharField(max_length=50, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    tracking_url = models.URLField(max_length=500, blank=True)
    ships_by = models.DateField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=40, blank=True)
    # This shipment's reserved units went back to stock (a seller's cancel), exactly once.
    stock_released = models.BooleanField(default=False)
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["order", "seller"], name="one_shipment_per_seller")]
        indexes = [models.Index(fields=["seller", "status"], name="shipment_seller_status")]

    def __str__(self):
        return f"Shipment {self.pk} of order {self.order_id} ({self.status})"

    @property
    def tracking_number_or_none(self) -> str | None:
        return self.tracking_number or None

    @property
    def shipping_carrier_or_none(self) -> str | None:
        return self.shipping_carrier or None


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="order_items")
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.PROTECT, null=True, blank=True, related_name="order_items"
    )
    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sold_items")
    shipment = models.ForeignKey(
        Shipment, on_delete=models.RESTRICT, null=True, blank=True, related_name="items"
    )
    # Snapshots taken at checkout: later edits of the product never change an order.
    product_name = models.CharField(max_length=200)
    # The variant's SKU and option values at checkout ("wood: oak, size: 120"); blank without one.
    sku = models.CharField(max_length=64, blank=True)
    variant_label = models.CharField(max_length=200, blank=True)
    # Storage name of the primary photo at checkout; rendered as a fresh URL (presigned or public)
    # whenever the order is shown, so a private bucket's expiring links never get stored.
    product_image = models.CharField(max_length=500, blank=True)
    unit_price = money_field(max_digits=10)
    quantity = models.PositiveIntegerField()
    total_price = money_field()
    # This line's part of its shipment's tax (items only; the shipment's shipping tax is not in it).
    tax_amount = money_field(default=ZERO)
    # This line's part of the coupon's discount.
    discount_amount = money_field(default=ZERO)
    # Units accepted back through approved returns (never more than ``quantity``).
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["seller", "order"], name="orderitem_seller_order")]

    def __str__(self):
        return f"{self.quantity} x {self.product_name}"


class ReturnRequest(models.Model):
    """A buyer's request to send items of a delivered order back (E43)."""

    class Reason(models.TextChoices):
        DEFECTIVE = "defective", "Defective"
        WRONG_ITEM = "wrong_item", "Wrong item"
        SIZE_TOO_SMALL = "size_too_small", "Size too small"
        SIZE_TOO_LARGE = "size_too_large", "Size too large"
        CHANGE_OF_MIND = "change_of_mind", "Change of mind"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="return_requests")
    # The shipment whose items come back (one return request per shipment).
    shipment = models.ForeignKey(
        Shipment, on_delete=models.RESTRICT, null=True, blank=True, related_name="return_requests"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REQUESTED, db_index=True)
    reason = models.CharField(max_length=24, choices=Reason.choices)
    comment = models.TextField(blank=True)
    proof_images = models.JSONField(default=list, blank=True)
    refund_amount = money_field(default=ZERO)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Return {self.pk} of order {self.order_id} ({self.status})"


class ReturnRequestItem(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="return_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["return_request", "order_item"], name="one_return_line_per_item")
        ]

    def __str__(self):
        return f"{self.quantity} x item {self.order_item_id}"
