"""Which orders a seller's payout carried to the bank (``Payout.orders``).

Rule (date window): a payout carries every transfer to the seller's account, in the payout's
currency, made before the payout was created and not yet carried by an earlier payout. Stripe pays
out the account's available balance, and transfers with ``source_transaction`` become available
with the charge, so this matches Stripe's automatic payouts without one API call per payout. A
failed or cancelled payout gives its transfers back (the funds return to the balance and leave
with the next payout).
"""

from django.db import transaction

from payment_system.connect.models import Payout
from payment_system.lock_objects import payout_for_update
from payment_system.payouts.models import Transfer

CARRIED = (Transfer.Status.SUCCEEDED, Transfer.Status.PARTIALLY_REVERSED, Transfer.Status.REVERSED)
RETURNED = (Payout.Status.FAILED, Payout.Status.CANCELED)


@transaction.atomic
def payout_link_transfers(*, stripe_payout_id: str) -> int:
    """(Re)compute the transfers and orders of a payout; returns how many transfers it carries."""
    payout = payout_for_update(stripe_payout_id)
    if payout is None:
        return 0
    if payout.status in RETURNED:
        Transfer.objects.filter(payout=payout).update(payout=None)
        payout.orders.clear()
        return 0
    cutoff = payout.stripe_created_at or payout.created_at
    Transfer.objects.filter(
        seller_id=payout.seller_id,
        destination=payout.account.stripe_account_id,
        currency=payout.currency,
        status__in=CARRIED,
        payout__isnull=True,
        transferred_at__lte=cutoff,
    ).update(payout=payout)
    order_ids = set(Transfer.objects.filter(payout=payout).values_list("order_id", flat=True))
    # Keys are accepted at runtime; django-stubs types them as int only (orders have UUID keys).
    payout.orders.set(order_ids)  # type: ignore[arg-type]
    return Transfer.objects.filter(payout=payout).count()
