"""The payment system's side of ``marketplace.ordering.ports``, registered in ``PaymentSystemConfig.ready``."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from designiaBackend.api.after_commit import must_happen
from payment_system.payments.models import Payment
from payment_system.payments.refunds import refund_create
from payment_system.payments.services import seller_transactions_hold

if TYPE_CHECKING:
    from marketplace.ordering.models import Order, ReturnRequest, Shipment


class PaymentSystemOrderHandler:
    def refund_order(
        self,
        *,
        order: Order,
        amount: Decimal,
        reason: str,
        return_request: ReturnRequest | None = None,
        shipment: Shipment | None = None,
    ) -> None:
        refund_create(
            order=order, amount=amount, reason=reason, return_request=return_request, shipment=shipment
        )

    def shipment_delivered(self, *, shipment: Shipment) -> None:
        seller_transactions_hold(shipment=shipment)

    def order_cancelled_unpaid(self, *, order: Order) -> None:
        from payment_system.Tasks.payment_tasks import checkout_session_close_task

        session_id = Payment.objects.filter(order=order).values_list("checkout_session_id", flat=True).first()
        if session_id:
            must_happen(
                checkout_session_close_task, args=[session_id], key=f"checkout-session-close-{session_id}"
            )
