"""Back-in-stock alerts: subscribe, unsubscribe, and the restock fan-out (batched, idempotent)."""

import uuid

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.after_commit import must_happen
from designiaBackend.api.notifications import email_batch, notify
from marketplace.alerts.exceptions import OwnProductAlert, ProductInStock
from marketplace.alerts.models import StockAlert
from marketplace.catalog.models import Product
from marketplace.lock_objects import pending_stock_alerts_for_update, stock_alert_get_or_create_for_update

BATCH_SIZE = 500


@transaction.atomic
def stock_alert_subscribe(*, user, product) -> tuple[StockAlert, bool]:
    """Open (or reopen) the user's alert for an out-of-stock product; ``(alert, created)``."""
    if product.seller_id == user.pk:
        raise OwnProductAlert()
    if product.stock_quantity > 0:
        raise ProductInStock()
    alert, created = stock_alert_get_or_create_for_update(
        user_id=user.pk, product_id=product.pk, defaults={"subscribed_at": timezone.now()}
    )
    if not created and alert.notified_at is not None:
        alert.subscribed_at, alert.notified_at = timezone.now(), None
        alert.save(update_fields=["subscribed_at", "notified_at"])
        created = True
    return alert, created


@transaction.atomic
def stock_alert_unsubscribe(*, user, product) -> int:
    return StockAlert.objects.filter(
        user_id=user.pk, product_id=product.pk, notified_at__isnull=True
    ).delete()[0]


def stock_alerts_schedule(product_ids) -> None:
    """Called where stock goes up: after commit, a task notifies the pending alerts of each product."""
    from marketplace.alerts.tasks import stock_alerts_fire_task

    ids = sorted(set(product_ids))
    if not ids or not StockAlert.objects.filter(product_id__in=ids, notified_at__isnull=True).exists():
        return
    restock = uuid.uuid4().hex  # each restock is its own message; the task closes alerts once
    for product_id in ids:
        must_happen(
            stock_alerts_fire_task,
            kwargs={"product_id": product_id},
            key=f"stock-alerts-{product_id}-{restock}",
        )


def stock_alerts_fire(*, product_id, batch_size=BATCH_SIZE) -> int:
    """Notify every pending alert of a product that is in stock now, one batch per transaction;
    a batch closes its alerts as it notifies them, so a rerun (or a redelivered task) sends
    nothing twice. Returns how many were notified."""
    sent = 0
    while True:
        count = _fire_batch(product_id=product_id, batch_size=batch_size)
        sent += count
        if count < batch_size:
            return sent


@transaction.atomic
def _fire_batch(*, product_id, batch_size) -> int:
    product = Product.objects.filter(pk=product_id, is_active=True, deleted_at__isnull=True).first()
    if product is None or product.stock_quantity <= 0:
        return 0
    alerts = pending_stock_alerts_for_update(product_id, limit=batch_size)
    now = timezone.now()
    with email_batch():  # the batch's e-mails over one SMTP connection
        _notify_back_in_stock(product, alerts)
    StockAlert.objects.filter(pk__in=[alert.pk for alert in alerts]).update(notified_at=now)
    return len(alerts)


def _notify_back_in_stock(product, alerts) -> None:
    for alert in alerts:
        notify(
            recipient=alert.user_id,
            kind="back_in_stock",
            event_key=f"back_in_stock:{alert.pk}:{alert.subscribed_at.timestamp():.6f}",
            title=format_lazy(_("{product} is back in stock"), product=product.name),
            body=format_lazy(
                _("{product} is available again ({count} left). Get it before it is gone."),
                product=product.name,
                count=product.stock_quantity,
            ),
            link_type="product",
            link_id=str(product.pk),
            url=f"{settings.FRONTEND_URL}/products/{product.slug}",
        )


def alerts_export_for_user(user) -> dict:
    """The user's part of a GDPR export: their "notify me" alerts and saved searches."""
    from marketplace.alerts.models import SavedSearch

    return {
        "stock_alerts": [
            {"product_id": str(product_id), "subscribed_at": subscribed.isoformat()}
            for product_id, subscribed in StockAlert.objects.filter(user_id=user.pk).values_list(
                "product_id", "subscribed_at"
            )
        ],
        "saved_searches": [
            {"query": query, "filters": filters}
            for query, filters in SavedSearch.objects.filter(user_id=user.pk).values_list("query", "filters")
        ],
    }


def alerts_data_erase(user) -> None:
    """GDPR erasure: the user's alerts and saved searches go."""
    from marketplace.alerts.models import SavedSearch

    StockAlert.objects.filter(user_id=user.pk).delete()
    SavedSearch.objects.filter(user_id=user.pk).delete()
