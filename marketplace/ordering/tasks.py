"""Celery tasks of orders (queue ``marketplace_tasks``): e-mails and automatic delivery."""

from celery import shared_task
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from authentication.selectors import language_supported
from infrastructure.email import email_connection, send_templated_email
from marketplace.ordering.models import Order
from marketplace.ordering.services.shipments import shipments_auto_deliver

SUBJECTS = {  # translated into the buyer's language when the e-mail is rendered
    "receipt": gettext_noop("Your Designia order {short_id} is confirmed"),
    "shipped": gettext_noop("Your Designia order {short_id} is on its way"),
    "cancelled": gettext_noop("Your Designia order {short_id} was cancelled"),
    "refunded": gettext_noop("Your Designia order {short_id} was refunded"),
}


@shared_task(
    name="marketplace.ordering.tasks.order_email_send_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def order_email_send_task(order_id: str, kind: str) -> bool:
    """Send the order e-mail ``kind`` (receipt, shipped, cancelled, refunded) to the buyer."""
    order = Order.objects.select_related("buyer").prefetch_related("items").filter(pk=order_id).first()
    if order is None or kind not in SUBJECTS:
        return False
    _send_order_email(order, kind)
    return True


@shared_task(
    name="marketplace.ordering.tasks.order_emails_send_task",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def order_emails_send_task(order_ids: list, kind: str) -> int:
    """The e-mail ``kind`` to the buyers of a batch of orders over one SMTP connection (the
    payment-timeout sweep); queued through the outbox, so the batch is sent once."""
    if kind not in SUBJECTS:
        return 0
    orders = Order.objects.select_related("buyer").prefetch_related("items").filter(pk__in=order_ids)
    sent = 0
    with email_connection() as connection:
        for order in orders.order_by("pk"):
            _send_order_email(order, kind, connection=connection)
            sent += 1
    return sent


def _send_order_email(order, kind, connection=None) -> None:
    """Subject and templates in the buyer's language (``order.buyer`` loaded with the order)."""
    short_id = str(order.pk)[:8].upper()
    with translation.override(language_supported(order.buyer.language)):
        send_templated_email(
            connection=connection,
            to=order.buyer.email,
            subject=gettext(SUBJECTS[kind]).format(short_id=short_id),
            template=f"order_{kind}",
            context={
                "order": order,
                "short_id": short_id,
                "items": list(order.items.all()),
                "order_url": f"{settings.FRONTEND_URL}/orders/{order.pk}",
            },
        )


@shared_task(name="marketplace.ordering.tasks.orders_auto_deliver_task")
def orders_auto_deliver_task() -> int:
    """Mark shipments delivered ``ORDER_AUTO_DELIVER_DAYS`` after they shipped (beat, daily)."""
    return shipments_auto_deliver()
