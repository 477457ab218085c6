"""What a buyer or a seller is told at once about a shipment: one ``ShipmentEvent`` per recipient,
pushed to their activity socket and e-mailed, both after the transaction commits.

The event is a plain value (kind, recipient, title, body, link, data); ``publish`` is the one
place they leave from: the typed frame (``shipment_paid``, ...) goes to the activity socket, and the
notification centre (``designiaBackend.api.notifications``) stores it in the inbox, pushes a
``notification`` frame and e-mails it by the recipient's preference, once per event key.
"""

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import translation
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api import notifications
from designiaBackend.api.realtime import send_to_user_on_commit
from marketplace.ordering.models import Shipment
from marketplace.ordering.tracking import tracking_link

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


SUBJECTS = {
    "shipment_paid": _("New paid order {short_id} to ship"),
    "shipment_shipped": _("Your Designia order {short_id} is on its way"),
    "shipment_delivered": _("Your Designia order {short_id} was delivered"),
    "shipment_cancelled": _("Part of your Designia order {short_id} was cancelled"),
}


@dataclass(frozen=True)
class ShipmentEvent:
    kind: str
    recipient_id: str
    recipient_email: str
    title: str
    body: str
    link: str
    data: dict = field(default_factory=dict)

    def frame(self) -> dict:
        """The activity-socket frame (``type`` is the kind)."""
        return {"type": self.kind, "title": self.title, "body": self.body, "link": self.link, **self.data}


def publish(event: ShipmentEvent, *, recipient, event_key: str) -> None:
    """Send ``event`` to its recipient's sockets and inbox once the transaction commits."""
    send_to_user_on_commit(event.recipient_id, event.frame())
    notifications.notify(
        recipient=recipient,
        kind=event.kind,
        event_key=event_key,
        title=event.title,
        body=event.body,
        link_type="shipment",
        link_id=event.data.get("shipment_id", ""),
        url=event.link,
        email_subject=event.title,
        email_template="shipment_event",
        email_context=asdict(event),
    )


def _data(shipment: Shipment) -> dict:
    items = [
        {"product_name": item.product_name, "quantity": item.quantity, "total_price": f"{item.total_price}"}
        for item in shipment.items.all()
    ]
    return {
        "order_id": str(shipment.order_id),
        "shipment_id": str(shipment.pk),
        "status": shipment.status,
        "shipping_carrier": shipment.shipping_carrier or None,
        "tracking_number": shipment.tracking_number or None,
        "tracking_url": tracking_link(shipment) or None,
        "total_amount": f"{shipment.total_amount}",
        "currency": shipment.order.currency,
        "items": items,
    }


def _event(shipment: Shipment, kind: str, recipient, body, link: str) -> ShipmentEvent:
    """The event in the recipient's language (``body`` may be a list of lazy parts)."""
    short_id = str(shipment.order_id)[:8].upper()
    with translation.override(getattr(recipient, "language", None) or settings.LANGUAGE_CODE):
        title = str(format_lazy(SUBJECTS[kind], short_id=short_id))
        text = " ".join(str(part) for part in body) if isinstance(body, list) else str(body)
    return ShipmentEvent(
        kind=kind,
        recipient_id=str(recipient.pk),
        recipient_email=recipient.email,
        title=title,
        body=text,
        link=link,
        data=_data(shipment),
    )


def _buyer_link(shipment: Shipment) -> str:
    return f"{settings.FRONTEND_URL}/orders/{shipment.order_id}"


def shipment_paid(shipment: Shipment) -> None:
    """The seller's part of a new order was paid: they have a shipment to prepare."""
    body: list[StrOrPromise] = [_("A buyer paid for your items. Please prepare and ship them.")]
    if shipment.ships_by:
        body.append(format_lazy(_("Ship by {date}."), date=shipment.ships_by.isoformat()))
    link = f"{settings.FRONTEND_URL}/seller/orders/{shipment.order_id}"
    event = _event(shipment, "shipment_paid", shipment.seller, body, link)
    publish(event, recipient=shipment.seller, event_key=f"shipment_paid:{shipment.pk}")


def shipment_shipped(shipment: Shipment, *, first_time: bool) -> None:
    """The buyer's parcel left the workshop (or its tracking changed)."""
    intro = (
        _("Good news: your order has shipped.")
        if first_time
        else _("Good news: your order has new tracking details.")
    )
    body = [
        intro,
        format_lazy(_("Carrier: {carrier}."), carrier=shipment.shipping_carrier),
        format_lazy(_("Tracking number: {number}."), number=shipment.tracking_number),
    ]
    link = tracking_link(shipment)
    if link:
        body.append(format_lazy(_("Track it: {link}"), link=link))
    event = _event(shipment, "shipment_shipped", shipment.order.buyer, body, _buyer_link(shipment))
    key = f"shipment_shipped:{shipment.pk}:{shipment.shipping_carrier}:{shipment.tracking_number}"
    publish(event, recipient=shipment.order.buyer, event_key=key)


def shipment_delivered(shipment: Shipment) -> None:
    body = _("Your parcel was delivered. Enjoy your new piece!")
    event = _event(shipment, "shipment_delivered", shipment.order.buyer, body, _buyer_link(shipment))
    publish(event, recipient=shipment.order.buyer, event_key=f"shipment_delivered:{shipment.pk}")


def shipment_cancelled(shipment: Shipment) -> None:
    body = _("The maker cancelled their part of your order; you are refunded for it.")
    event = _event(shipment, "shipment_cancelled", shipment.order.buyer, body, _buyer_link(shipment))
    publish(event, recipient=shipment.order.buyer, event_key=f"shipment_cancelled:{shipment.pk}")
