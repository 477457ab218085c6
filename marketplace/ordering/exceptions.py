from designiaBackend.errors import ApplicationError, ConflictError, NotFoundError


class OutOfStock(ApplicationError):
    code = "out_of_stock"
    status = 400
    default_message = "Not enough stock for this product."


class ProductUnavailable(ApplicationError):
    code = "product_unavailable"
    status = 400
    default_message = "This product is not available."


class VariantRequired(ApplicationError):
    code = "variant_required"
    status = 400
    default_message = "Choose one of this product's variants (variant_id or options)."


class VariantNotFound(ApplicationError):
    code = "variant_not_found"
    status = 400
    default_message = "This product has no such variant."


class SoldOut(ConflictError):
    """Stock a cart line had when it was added is gone when the order takes it (checkout, a retry):
    409, where adding beyond the stock to the cart is a 400 ``OutOfStock`` (the contract's E33)."""

    code = "out_of_stock"
    default_message = "This product is sold out."


class ItemNotInCart(ApplicationError):
    code = "item_not_in_cart"
    status = 404
    default_message = "This product is not in your cart."


class EmptyCart(ApplicationError):
    code = "empty_cart"
    status = 400
    default_message = "Your cart is empty."

    def __init__(self, message=None, **kwargs):
        super().__init__(message, error="EMPTY_CART", **kwargs)


class OrderNotFound(NotFoundError):
    default_message = "Order not found."


class IllegalOrderTransition(ConflictError):
    code = "illegal_transition"
    default_message = "The order cannot move to that status."


class OrderNotCancellable(ApplicationError):
    code = "order_not_cancellable"
    default_message = "This order can no longer be cancelled."


class OrderNotShippable(ApplicationError):
    code = "order_not_shippable"
    default_message = "Only paid orders waiting for shipment can be shipped."


class ReturnNotAllowed(ApplicationError):
    code = "return_not_allowed"
    default_message = "Only delivered orders within the return window can be returned."


class InvalidReturnItems(ApplicationError):
    code = "invalid_return_items"
    default_message = "The return names items that are not in this order or more than were ordered."


class ReturnAlreadyDecided(ConflictError):
    code = "return_already_decided"
    default_message = "This return request has already been decided."


class IllegalShipmentTransition(ConflictError):
    code = "illegal_shipment_transition"
    default_message = "The shipment cannot move to that status."


class ShipmentNotFound(NotFoundError):
    default_message = "Shipment not found."


class NotShippableToCountry(ConflictError):
    code = "not_shippable_to_country"
    default_message = "Some items cannot be shipped to this country."


class ReservationSoldOut(ConflictError):
    code = "out_of_stock"
    default_message = (
        "The items of this order were sold while it waited for payment; the order was cancelled."
    )


class CurrencyMismatch(ConflictError):
    """A cart (and so an order) is priced in one currency: the first line's."""

    code = "currency_mismatch"
    default_message = "Items priced in different currencies cannot share a cart."

    def __init__(self, *, cart_currency: str, item_currency: str):
        super().__init__(
            f"Your cart is priced in {cart_currency}; this item is priced in {item_currency}. "
            f"Check out or empty the cart before adding items priced in {item_currency}.",
            extra={"cart_currency": cart_currency, "item_currency": item_currency},
        )
        self.cart_currency = cart_currency
        self.item_currency = item_currency
