"""The registry of notification kinds: who they are for, and whether their e-mail can be turned off.

A kind is registered once (here, for the kinds the product ships with; an app may add its own with
:func:`register` from its ``AppConfig.ready``). ``notify`` refuses a kind that is not registered, and
the preferences API accepts only registered kinds.
"""

from dataclasses import dataclass

SELLER = "seller"
BUYER = "buyer"
ACCOUNT = "account"


@dataclass(frozen=True)
class Kind:
    name: str
    audience: str
    label: str
    # Security e-mails (verification, 2FA, password) are always sent: no preference, no unsubscribe.
    mandatory: bool = False


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    if kind.name in _kinds and _kinds[kind.name] != kind:
        raise ValueError(f"The notification kind {kind.name!r} is already registered differently.")
    _kinds[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def all_kinds() -> list[Kind]:
    return sorted(_kinds.values(), key=lambda kind: (kind.audience, kind.name))


for _kind in (
    Kind("shipment_paid", SELLER, "A new paid order (your shipment) to prepare"),
    Kind("order_cancelled", SELLER, "An order with your items was cancelled"),
    Kind("return_requested", SELLER, "A buyer asked to return an item"),
    Kind("review_received", SELLER, "A buyer reviewed one of your products"),
    Kind("payout_sent", SELLER, "A payout was sent to your bank"),
    Kind("payout_failed", SELLER, "A payout to your bank failed"),
    Kind("seller_application_decided", SELLER, "Your seller application was decided"),
    Kind("chat_unread_digest", SELLER, "Chat messages waiting while you were away (one digest)"),
    Kind("payment_confirmed", BUYER, "Your payment was confirmed"),
    Kind("shipment_shipped", BUYER, "Your order shipped (with its tracking link)"),
    Kind("shipment_delivered", BUYER, "Your order was delivered"),
    Kind("shipment_cancelled", BUYER, "A maker cancelled their part of your order"),
    Kind("return_approved", BUYER, "Your return was approved"),
    Kind("return_rejected", BUYER, "Your return was rejected"),
    Kind("refund_sent", BUYER, "A refund was sent to you"),
    Kind("back_in_stock", BUYER, "A product you asked about is back in stock"),
    Kind("saved_search_match", BUYER, "New products match a saved search (daily digest)"),
    Kind("account_security", ACCOUNT, "Security e-mails (verification, 2FA, password)", mandatory=True),
):
    register(_kind)
