"""Finance admin: transfers, reversals, reconciliation reports, and the release/hold/retry actions.

Records stay read-only (money changes only through services); the actions call the same services
as the hourly release task, and each one is written to the admin log (``LogEntry``) and the app log.
"""

import json
import logging

from django.contrib import admin, messages
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from designiaBackend.api.admin import ReadOnlyAdmin
from payment_system.payments.admin import SellerTransactionAdmin as BaseSellerTransactionAdmin
from payment_system.payments.models import SellerTransaction
from payment_system.payouts.models import ReconciliationReport, Transfer, TransferReversal
from payment_system.payouts.release import (
    ReleaseOutcome,
    ReleaseResult,
    seller_transaction_hold,
    seller_transaction_release,
    transfer_retry,
)

logger = logging.getLogger(__name__)


class MoneyActionsMixin(admin.ModelAdmin):
    """Actions move money: only superusers or staff with the model's change permission run them."""

    def has_money_action_permission(self, request: HttpRequest) -> bool:
        opts = self.opts
        return request.user.is_superuser or request.user.has_perm(
            f"{opts.app_label}.change_{opts.model_name}"
        )

    def _log(self, request: HttpRequest, obj: Model, message: str) -> None:
        self.log_change(request, obj, message)
        logger.info("Admin %s: %s (%s %s)", request.user.pk, message, obj._meta.model_name, obj.pk)

    def _report(self, request: HttpRequest, results: list[ReleaseResult]) -> None:
        done = [r for r in results if r.outcome == ReleaseOutcome.RELEASED]
        others = [
            f"#{r.seller_transaction_id}: {r.outcome} {r.reason}".strip() for r in results if r not in done
        ]
        if done:
            self.message_user(request, f"{len(done)} transaction(s) released.", messages.SUCCESS)
        if others:
            self.message_user(request, "Not released: " + "; ".join(others), messages.WARNING)


class TransferInline(admin.StackedInline):
    model = Transfer
    fk_name = "seller_transaction"
    extra = 0
    can_delete = False
    readonly_fields = ("stripe_transfer_id", "status", "amount", "amount_reversed", "currency", "last_error")
    fields = readonly_fields

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


admin.site.unregister(SellerTransaction)


@admin.register(SellerTransaction)
class SellerTransactionAdmin(MoneyActionsMixin, BaseSellerTransactionAdmin):
    actions = ["release_now", "hold"]
    inlines = [TransferInline]
    list_select_related = ("order", "seller")
    list_filter = ("status", "currency")
    date_hierarchy = "created_at"

    @admin.action(description="Release now (transfer to the seller)", permissions=["money_action"])
    def release_now(self, request: HttpRequest, queryset: QuerySet[SellerTransaction]) -> None:
        results: list[ReleaseResult] = []
        for pk in queryset.order_by("pk").values_list("pk", flat=True):
            result = seller_transaction_release(seller_transaction_id=pk, force=True)
            results.append(result)
            row = SellerTransaction.objects.get(pk=pk)
            self._log(request, row, f"Release now: {result.outcome} {result.reason}".strip())
        self._report(request, results)

    @admin.action(description="Hold (no automatic release)", permissions=["money_action"])
    def hold(self, request: HttpRequest, queryset: QuerySet[SellerTransaction]) -> None:
        held = 0
        for row in queryset.order_by("pk"):
            if seller_transaction_hold(seller_transaction_id=row.pk):
                held += 1
                self._log(request, row, "Held by staff")
        self.message_user(request, f"{held} transaction(s) held.", messages.SUCCESS)


@admin.register(Transfer)
class TransferAdmin(MoneyActionsMixin, ReadOnlyAdmin):
    list_display = (
        "seller_transaction",
        "seller",
        "stripe_transfer_id",
        "amount",
        "amount_reversed",
        "currency",
        "status",
        "failure_retryable",
        "transferred_at",
        "payout",
    )
    list_filter = ("status", "failure_retryable", "currency")
    search_fields = ("stripe_transfer_id", "order__id", "seller__email", "destination")
    list_select_related = ("seller", "payout", "seller_transaction")
    date_hierarchy = "created_at"
    actions = ["retry_failed_transfer"]

    @admin.action(description="Retry failed transfer", permissions=["money_action"])
    def retry_failed_transfer(self, request: HttpRequest, queryset: QuerySet[Transfer]) -> None:
        results: list[ReleaseResult] = []
        for transfer in queryset.filter(status=Transfer.Status.FAILED).order_by("pk"):
            result = transfer_retry(transfer_id=transfer.pk)
            results.append(result)
            self._log(request, transfer, f"Retry failed transfer: {result.outcome} {result.reason}".strip())
        if not results:
            self.message_user(request, "No failed transfer selected.", messages.WARNING)
        self._report(request, results)


@admin.register(TransferReversal)
class TransferReversalAdmin(ReadOnlyAdmin):
    list_display = ("transfer", "refund", "amount", "status", "stripe_reversal_id", "created_at")
    list_filter = ("status",)
    search_fields = ("stripe_reversal_id", "transfer__stripe_transfer_id")
    list_select_related = ("transfer", "refund")


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ("date", "status", "checked_local", "checked_stripe", "difference_count", "created_at")
    list_filter = ("status",)
    date_hierarchy = "date"
    exclude = ("differences",)
    readonly_fields = ("formatted_differences",)

    @admin.display(description="differences")
    def difference_count(self, obj: ReconciliationReport) -> int:
        return len(obj.differences)

    @admin.display(description="differences")
    def formatted_differences(self, obj: ReconciliationReport) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.differences, indent=2, sort_keys=True))
