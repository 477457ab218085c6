"""Reads of sellers' held funds, transfers and payouts (seller area and finance admin)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack
from uuid import UUID

from django.db.models import Count, Model, Prefetch, QuerySet, Sum

from designiaBackend.money import ZERO
from infrastructure.payments import from_minor
from payment_system.connect.models import Payout
from payment_system.connect.selectors import connect_account_get_for_seller
from payment_system.payments.models import SellerTransaction
from payment_system.payouts.models import Transfer
from payment_system.payouts.rules import account_is_payout_ready, hold_reason, releasable_amount

if TYPE_CHECKING:
    from authentication.models import User


M = TypeVar("M", bound=Model)
ST = SellerTransaction.Status
CARRIED = (Transfer.Status.SUCCEEDED, Transfer.Status.PARTIALLY_REVERSED, Transfer.Status.REVERSED)
TOTAL_KEYS = ("pending_delivery", "held", "releasable", "transferred", "paid_out")


def _held_rows(seller: User) -> list[SellerTransaction]:
    return list(
        SellerTransaction.objects.filter(seller=seller, status__in=(ST.PENDING, ST.HELD))
        .select_related("order", "transfer")
        .prefetch_related("order__return_requests")
        .order_by("held_until", "pk")
    )


def _transfer_of(row: SellerTransaction) -> Transfer | None:
    try:
        return row.transfer
    except Transfer.DoesNotExist:
        return None


def seller_holds_summary(*, seller: User, now: datetime) -> dict[str, Any]:
    """Held, releasable, transferred and paid-out amounts per currency, and the held transactions."""
    account = connect_account_get_for_seller(seller=seller)
    totals: defaultdict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(TOTAL_KEYS, ZERO))
    held: list[dict[str, Any]] = []
    for row in _held_rows(seller):
        amount = releasable_amount(row)
        if row.status == ST.PENDING:
            totals[row.currency]["pending_delivery"] += amount
            continue
        reason = hold_reason(
            seller_transaction=row, order=row.order, account=account, transfer=_transfer_of(row), now=now
        )
        totals[row.currency]["held"] += amount
        if reason is None:
            totals[row.currency]["releasable"] += amount
        held.append(
            {
                "id": row.pk,
                "order_id": row.order_id,
                "amount": amount,
                "currency": row.currency,
                "held_until": row.held_until,
                "releasable": reason is None,
                "reason": reason or "",
            }
        )
    transferred = (
        Transfer.objects.filter(seller=seller, status__in=CARRIED)
        .values("currency")
        .annotate(amount=Sum("amount"), reversed=Sum("amount_reversed"))
    )
    for line in transferred:
        totals[line["currency"]]["transferred"] += line["amount"] - line["reversed"]
    paid = (
        Payout.objects.filter(seller=seller, status=Payout.Status.PAID)
        .values("currency")
        .annotate(minor=Sum("amount_minor"))
    )
    for line in paid:
        totals[line["currency"]]["paid_out"] += from_minor(line["minor"], line["currency"])
    return {
        "payouts_enabled": account_is_payout_ready(account),
        "totals": [{"currency": currency, **values} for currency, values in sorted(totals.items())],
        "held_transactions": held,
    }


def payout_list_for_seller(*, seller: User) -> QuerySet[Payout]:
    return (
        Payout.objects.filter(seller=seller)
        .annotate(order_count=Count("orders", distinct=True))
        .order_by("-created_at", "-pk")
    )


def payout_get_for_seller(*, seller: User, payout_id: int) -> Payout | None:
    transfers = Transfer.objects.select_related("order").order_by("transferred_at", "pk")
    return (
        Payout.objects.filter(seller=seller, pk=payout_id)
        .prefetch_related(Prefetch("transfers", queryset=transfers))
        .first()
    )


# --- finance admin ------------------------------------------------------------------------------------


class AdminFilters(TypedDict, total=False):
    """The finance admin's filters of seller transactions and payouts (all optional)."""

    status: str | None
    seller_id: UUID | None
    date_from: date | None  # created on or after (UTC date)
    date_to: date | None  # created on or before (UTC date)


def _admin_filtered(queryset: QuerySet[M], filters: AdminFilters) -> QuerySet[M]:
    if status := filters.get("status"):
        queryset = queryset.filter(status=status)
    if seller_id := filters.get("seller_id"):
        queryset = queryset.filter(seller_id=seller_id)
    if date_from := filters.get("date_from"):
        queryset = queryset.filter(created_at__gte=datetime.combine(date_from, time.min, tzinfo=UTC))
    date_to = filters.get("date_to")
    if date_to and date_to < date.max:
        queryset = queryset.filter(
            created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
        )
    return queryset


def seller_transaction_list_for_admin(**filters: Unpack[AdminFilters]) -> QuerySet[SellerTransaction]:
    queryset = SellerTransaction.objects.select_related("seller", "transfer").order_by("-created_at", "-pk")
    return _admin_filtered(queryset, filters)


def seller_transaction_totals(queryset: QuerySet[SellerTransaction]) -> list[dict[str, Any]]:
    rows = (
        queryset.order_by()
        .values("currency")
        .annotate(
            count=Count("pk"),
            gross_amount=Sum("gross_amount"),
            platform_fee=Sum("platform_fee"),
            stripe_fee=Sum("stripe_fee"),
            net_amount=Sum("net_amount"),
            refunded_amount=Sum("refunded_amount"),
        )
        .order_by("currency")
    )
    return list(rows)


def payout_filter_for_admin(**filters: Unpack[AdminFilters]) -> QuerySet[Payout]:
    return _admin_filtered(Payout.objects.all(), filters)


def payout_list_for_admin(**filters: Unpack[AdminFilters]) -> QuerySet[Payout]:
    return (
        payout_filter_for_admin(**filters)
        .select_related("seller", "account")
        .annotate(order_count=Count("orders", distinct=True))
        .order_by("-created_at", "-pk")
    )


def payout_totals(**filters: Unpack[AdminFilters]) -> list[dict[str, Any]]:
    rows = (
        payout_filter_for_admin(**filters)
        .order_by()
        .values("currency")
        .annotate(count=Count("pk"), minor=Sum("amount_minor"))
        .order_by("currency")
    )
    return [
        {"currency": r["currency"], "count": r["count"], "amount": from_minor(r["minor"] or 0, r["currency"])}
        for r in rows
    ]
