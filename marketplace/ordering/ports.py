"""The payment side of an order, as the marketplace needs it.

The marketplace must not import the payment system (the dependency runs the other way: the payment
system reads orders and moves them through marketplace services). When an order needs money moved
(a refund after a cancel or a return) or payment records updated (a shipment's delivery starts its seller's payout hold),
it calls the handler the payment system registered at start-up (``PaymentSystemConfig.ready``).
The calls are explicit, made inside the caller's transaction, and fail loudly when no handler is set.
"""

from decimal import Decimal
from typing import Protocol


class OrderPaymentHandler(Protocol):
    def refund_order(
        self, *, order, amount: Decimal, reason: str, return_request=None, shipment=None
    ) -> None:
        """Record a refund of ``amount`` for a paid ``order`` (of one ``shipment``, when it names
        one) and have the provider execute it."""

    def shipment_delivered(self, *, shipment) -> None:
        """A seller's shipment was delivered: start that seller's payout hold."""

    def order_cancelled_unpaid(self, *, order) -> None:
        """An unpaid order was cancelled: close its open payment session so it can no longer be paid."""


_handler: OrderPaymentHandler | None = None


def register_payment_handler(handler: OrderPaymentHandler) -> None:
    global _handler
    _handler = handler


def payment_handler() -> OrderPaymentHandler:
    if _handler is None:
        raise RuntimeError("No order payment handler is registered (is payment_system installed?).")
    return _handler
