"""Processing of platform webhook events: stored once by id, handled in one transaction."""

import logging
import time
from datetime import UTC, datetime

from django.db import IntegrityError, transaction

from designiaBackend.observability import metrics
from infrastructure.payments import WebhookEvent
from payment_system.webhooks import handlers, refund_handlers
from payment_system.webhooks.models import StripeWebhookEvent

logger = logging.getLogger(__name__)

HANDLERS = {
    "checkout.session.completed": handlers.handle_session_completed,
    "checkout.session.async_payment_succeeded": handlers.handle_session_completed,
    "checkout.session.expired": handlers.handle_session_expired,
    "checkout.session.async_payment_failed": handlers.handle_payment_failed,
    "payment_intent.payment_failed": handlers.handle_payment_failed,
    "charge.refunded": refund_handlers.handle_charge_refunded,
    "refund.created": refund_handlers.handle_refund_event,
    "refund.updated": refund_handlers.handle_refund_event,
    "refund.failed": refund_handlers.handle_refund_event,
    "charge.dispute.created": handlers.handle_dispute_created,
}
DUPLICATE = "duplicate"


def webhook_event_process(*, event: WebhookEvent) -> str:
    """Handle ``event`` exactly once. Returns the outcome (``processed``, ``ignored``, ``duplicate``).

    The event row and every change the handler makes commit together: if the handler fails, nothing
    is stored and the exception propagates (the endpoint answers 5xx so Stripe retries).
    """
    with transaction.atomic():
        record = StripeWebhookEvent(
            event_id=event.id,
            type=event.type[:100],
            outcome=StripeWebhookEvent.Outcome.IGNORED,
            payload=event.data,
            stripe_created_at=datetime.fromtimestamp(event.created, tz=UTC) if event.created else None,
        )
        try:
            with transaction.atomic():
                record.save()
        except IntegrityError:
            # Stored already, or a concurrent delivery of the same event holds it: done.
            metrics.WEBHOOK_EVENTS.labels(type=event.type, outcome=DUPLICATE).inc()
            return DUPLICATE
        handler = HANDLERS.get(event.type)
        outcome, note = handler(event) if handler else (StripeWebhookEvent.Outcome.IGNORED, "unhandled type")
        record.outcome, record.note = outcome, note[:300]
        record.save(update_fields=["outcome", "note"])
    metrics.WEBHOOK_EVENTS.labels(type=event.type, outcome=str(outcome)).inc()
    if event.created:
        metrics.WEBHOOK_PROCESSING_LAG.observe(max(0.0, time.time() - event.created))
    logger.info("Stripe event %s (%s): %s %s", event.id, event.type, outcome, note)
    return str(outcome)
