"""Celery tasks of orders (queue ``marketplace_tasks``): e-mails and automatic delivery."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext, gettext_noop

from authentication.selectors import language_supported
from infrastructure.email import email_connection, send_templated_email
from marketplace.ordering.models import Order
from marketplace.ordering.services.shipments import shipments_auto_deliver

# A batch remembers each e-mail it sent this long (far past its retries and the outbox's redeliveries).
BATCH_SENT_MEMORY = timedelta(days=7)

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
    payment-timeout sweep); queued through the outbox, so the batch is sent once.

    Each e-mail is remembered in the cache (Redis) once the SMTP server took it, so a retry after a
    partial failure (the connection broke at the 300th message) or a redelivery sends only the
    rest. Without the cache (Redis down, or a key evicted) a retry sends the batch again whole, as
    before: at least once, never lost. Returns how many this run sent."""
    if kind not in SUBJECTS:
        return 0
    keys = {str(pk): _sent_key(kind, pk) for pk in order_ids}
    done = cache.get_many(list(keys.values()))
    rest = [pk for pk, key in keys.items() if key not in done]
    if not rest:
        return 0
    orders = Order.objects.select_related("buyer").prefetch_related("items").filter(pk__in=rest)
    sent = 0
    with email_connection() as connection:
        for order in orders.order_by("pk"):
            _send_order_email(order, kind, connection=connection)
            cache.set(keys[str(order.pk)], 1, timeout=int(BATCH_SENT_MEMORY.total_seconds()))
            sent += 1
    return sent


def _sent_key(kind: str, order_id) -> str:
    return f"order-email-sent:{kind}:{order_id}"


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
