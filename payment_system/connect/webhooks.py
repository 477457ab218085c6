"""Connect webhook events: stored once by id, then applied (account state, payouts)."""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.notifications import notify
from designiaBackend.currencies import from_stripe_minor_units
from designiaBackend.observability import metrics
from infrastructure.payments.connect import ConnectEvent, account_from_stripe, payout_from_stripe
from payment_system.connect.models import ConnectWebhookEvent, Payout, StripeConnectAccount
from payment_system.connect.selectors import connect_account_get_by_stripe_id
from payment_system.connect.services import connect_account_apply_state
from payment_system.lock_objects import payout_get_or_create_for_update
from payment_system.payouts.payout_links import payout_link_transfers

logger = logging.getLogger(__name__)

PAYOUT_EVENTS = frozenset(
    {"payout.created", "payout.updated", "payout.paid", "payout.failed", "payout.canceled"}
)
Outcome = ConnectWebhookEvent.Outcome


def _handle_account_updated(event: ConnectEvent) -> tuple[str, str]:
    data = account_from_stripe(event.object)
    account = connect_account_get_by_stripe_id(stripe_account_id=data.id)
    if account is None:
        return Outcome.IGNORED, "unknown account"
    applied = connect_account_apply_state(account_pk=account.pk, data=data, observed_at=event.created_at)
    return (Outcome.PROCESSED, "") if applied else (Outcome.IGNORED, "older than the stored state")


def payout_record(*, account: StripeConnectAccount, event: ConnectEvent) -> bool:
    """Create or update the payout from the event; an event older than the last applied is ignored."""
    data = payout_from_stripe(event.object)
    fields = {
        "amount_minor": data.amount_minor,
        "currency": data.currency,
        "status": data.status,
        "method": data.method[:16],
        "arrival_date": data.arrival_date,
        "failure_code": data.failure_code[:64],
        "failure_message": data.failure_message,
        "stripe_created_at": data.created_at,
        "last_event_at": event.created_at,
    }
    payout, created = payout_get_or_create_for_update(
        stripe_payout_id=data.id, defaults={"seller_id": account.seller_id, "account": account, **fields}
    )
    if not created:
        if payout.account_id != account.pk or event.created_at < payout.last_event_at:
            return False
        for name, value in fields.items():
            setattr(payout, name, value)
        payout.save()
    _payout_notify(payout)
    return True


def _payout_notify(payout: Payout) -> None:
    """The seller hears once that a payout reached their bank, and once that one failed."""
    if payout.status not in ("paid", "failed"):
        return
    amount = f"{from_stripe_minor_units(payout.amount_minor, payout.currency)} {payout.currency.upper()}"
    if payout.status == "paid":
        title = format_lazy(_("Payout of {amount} sent"), amount=amount)
        body = format_lazy(_("{amount} was paid out to your bank account."), amount=amount)
    else:
        title = format_lazy(_("Payout of {amount} failed"), amount=amount)
        body = format_lazy(
            _("Your bank refused the payout of {amount}: {reason}."),
            amount=amount,
            reason=payout.failure_message or payout.failure_code,
        )
    notify(
        recipient=payout.seller_id,
        kind=f"payout_{'sent' if payout.status == 'paid' else 'failed'}",
        event_key=f"payout_{payout.status}:{payout.stripe_payout_id}",
        title=title,
        body=body,
        link_type="payout",
        link_id=str(payout.pk),
        url=f"{settings.FRONTEND_URL}/seller/payouts/{payout.pk}",
    )


def _handle_payout(event: ConnectEvent) -> tuple[str, str]:
    account = connect_account_get_by_stripe_id(stripe_account_id=event.account)
    if account is None:
        return Outcome.IGNORED, "unknown account"
    if payout_record(account=account, event=event):
        metrics.PAYOUT_UPDATES.labels(status=payout_from_stripe(event.object).status).inc()
        payout_link_transfers(stripe_payout_id=event.object["id"])  # the orders the payout carried
        return Outcome.PROCESSED, ""
    return Outcome.IGNORED, "older than the stored state"


def _dispatch(event: ConnectEvent) -> tuple[str, str]:
    try:
        if event.type == "account.updated":
            return _handle_account_updated(event)
        if event.type in PAYOUT_EVENTS:
            return _handle_payout(event)
    except (KeyError, TypeError, ValueError) as exc:
        logger.warning("Malformed Connect event %s (%s): %s", event.id, event.type, exc)
        return Outcome.IGNORED, f"malformed {event.type} object"
    return Outcome.IGNORED, "event type not handled"


@transaction.atomic
def connect_webhook_event_receive(*, event: ConnectEvent) -> tuple[ConnectWebhookEvent, bool]:
    """Store the event and apply it, once. Returns ``(record, created)``; a redelivery (or a
    concurrent duplicate) returns the stored record untouched. If applying fails, nothing is
    stored and the error propagates, so Stripe delivers the event again."""
    try:
        with transaction.atomic():
            record = ConnectWebhookEvent.objects.create(
                stripe_event_id=event.id,
                type=event.type[:100],
                stripe_account_id=event.account[:64],
                livemode=event.livemode,
                payload=event.payload,
                outcome=Outcome.IGNORED,
                stripe_created_at=event.created_at,
            )
    except IntegrityError:
        return ConnectWebhookEvent.objects.get(stripe_event_id=event.id), False
    record.outcome, record.note = _dispatch(event)
    record.save(update_fields=["outcome", "note"])
    return record, True
