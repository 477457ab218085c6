"""A payment gateway for development (``PAYMENT_GATEWAY=dummy``, the embedded default).

It answers like Stripe without a network. ``completion_event`` builds the
``checkout.session.completed`` event Stripe would send, so the application completes a demo
payment through exactly the same webhook-processing code as a real one.
"""

import time
import uuid
from decimal import ROUND_HALF_UP, Decimal

from designiaBackend.currencies import quantize_money
from infrastructure.payments.base import (
    CheckoutSession,
    CheckoutSessionRequest,
    RefundRequest,
    RefundResult,
    WebhookEvent,
)
from infrastructure.payments.money import to_minor

DEMO_ADDRESS = {
    "line1": "1 Demo Street",
    "line2": "",
    "city": "Lisbon",
    "state": "",
    "postal_code": "1000-001",
    "country": "PT",
}


class DummyGateway:
    name = "dummy"
    completes_payments = True

    def create_checkout_session(self, request: CheckoutSessionRequest) -> CheckoutSession:
        session_id = f"cs_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, request.idempotency_key).hex}"
        total = sum((item.unit_amount * item.quantity for item in request.line_items), Decimal("0"))
        return CheckoutSession(
            id=session_id,
            client_secret=f"{session_id}_secret_dummy",
            status="open",
            amount_total=total,
            currency=request.currency.lower(),
        )

    def retrieve_checkout_session(self, session_id: str) -> CheckoutSession:
        return CheckoutSession(id=session_id, client_secret=f"{session_id}_secret_dummy", status="open")

    def expire_checkout_session(self, session_id: str, *, idempotency_key: str) -> CheckoutSession:
        return CheckoutSession(id=session_id, client_secret="", status="expired")

    def create_refund(self, request: RefundRequest) -> RefundResult:
        refund_id = f"re_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, request.idempotency_key).hex}"
        return RefundResult(id=refund_id, status="succeeded", amount=request.amount)

    def payment_fee(self, payment_intent_id: str, currency: str) -> Decimal | None:
        return None

    def completion_event(
        self, *, session_id: str, reference: str, amount: Decimal, currency: str, email: str, name: str
    ) -> WebhookEvent:
        """The ``checkout.session.completed`` event of a paid dummy session."""
        return WebhookEvent(
            id=f"evt_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, session_id).hex}",
            type="checkout.session.completed",
            created=int(time.time()),
            data={
                "id": session_id,
                "object": "checkout.session",
                "status": "complete",
                "payment_status": "paid",
                "amount_total": to_minor(
                    quantize_money(amount, currency, ROUND_HALF_UP, settlement=True), currency
                ),
                "currency": currency.lower(),
                "client_reference_id": reference,
                "metadata": {"order_id": reference},
                "payment_intent": f"pi_dummy_{uuid.uuid5(uuid.NAMESPACE_URL, session_id).hex}",
                "customer_details": {"email": email, "name": name, "address": DEMO_ADDRESS},
                "collected_information": {"shipping_details": {"name": name, "address": DEMO_ADDRESS}},
            },
        )
