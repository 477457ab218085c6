"""What a buyer or a seller is told at once about a shipment: one ``ShipmentEvent`` per recipient,
pushed to their activity socket and e-mailed, both after the transaction commits.

The event is a plain value (kind, recipient, title, body, link, data) so that a notification
centre can store and route the same events; ``publish`` is the one place they leave from.
"""

from dataclasses import asdict, dataclass, field

from django.conf import settings

from authentication.emails import send_after_commit
from designiaBackend.api.realtime import send_to_user_on_commit
from marketplace.ordering.models import Shipment
from marketplace.ordering.tracking import tracking_link

SUBJECTS = {
    "shipment_paid": "New paid order {short_id} to ship",
    "shipment_shipped": "Your Designia order {short_id} is on its way",
    "shipment_delivered": "Your Designia order {short_id} was delivered",
    "shipment_cancelled": "Part of your Designia order {short_id} was cancelled",
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


def publish(event: ShipmentEvent) -> None:
    """Send ``event`` to its recipient's sockets and inbox once the transaction commits."""
    send_to_user_on_commit(event.recipient_id, event.frame())
    send_after_commit(
        to=event.recipient_email,
        subject=event.title,
        template="shipment_event",
        context=asdict(event),
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


def _event(shipment: Shipment, kind: str, recipient, body: str, link: str) -> ShipmentEvent:
    short_id = str(shipment.order_id)[:8].upper()
    return ShipmentEvent(
        kind=kind,
        recipient_id=str(recipient.pk),
        recipient_email=recipient.email,
        title=SUBJECTS[kind].format(short_id=short_id),
        body=body,
        link=link,
        data=_data(shipment),
    )


def _buyer_link(shipment: Shipment) -> str:
    return f"{settings.FRONTEND_URL}/orders/{shipment.order_id}"


def shipment_paid(shipment: Shipment) -> None:
    """The seller's part of a new order was paid: they have a shipment to prepare."""
    body = "A buyer paid for your items. Please prepare and ship them."
    if shipment.ships_by:
        body += f" Ship by {shipment.ships_by.isoformat()}."
    link = f"{settings.FRONTEND_URL}/seller/orders/{shipment.order_id}"
    publish(_event(shipment, "shipment_paid", shipment.seller, body, link))


def shipment_shipped(shipment: Shipment, *, first_time: bool) -> None:
    """The buyer's parcel left the workshop (or its tracking changed)."""
    verb = "has shipped" if first_time else "has new tracking details"
    body = f"Good news: your order {verb}. Carrier: {shipment.shipping_carrier}."
    body += f" Tracking number: {shipment.tracking_number}."
    link = tracking_link(shipment)
    if link:
        body += f" Track it: {link}"
    publish(_event(shipment, "shipment_shipped", shipment.order.buyer, body, _buyer_link(shipment)))


def shipment_delivered(shipment: Shipment) -> None:
    body = "Your parcel was delivered. Enjoy your new piece!"
    publish(_event(shipment, "shipment_delivered", shipment.order.buyer, body, _buyer_link(shipment)))


def shipment_cancelled(shipment: Shipment) -> None:
    body = "The maker cancelled their part of your order; you are refunded for it."
    publish(_event(shipment, "shipment_cancelled", shipment.order.buyer, body, _buyer_link(shipment)))
