"""``manage.py reconcile_payments [--date YYYY-MM-DD]``: compare one UTC day (default: yesterday)
of local payments, transfers and reversals with Stripe's balance transactions and print the report."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from payment_system.payouts.models import ReconciliationReport
from payment_system.payouts.reconciliation import reconciliation_run


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


class Command(BaseCommand):
    help = "Compare local payment and transfer records with Stripe's balance transactions for one day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="The UTC day to check (YYYY-MM-DD); yesterday by default.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = _day(options["date"]) if options["date"] else timezone.now().date() - timedelta(days=1)
        report = reconciliation_run(day=day)
        if report.status == ReconciliationReport.Status.FAILED:
            raise CommandError(f"Reconciliation of {day} failed: {report.error} (report {report.pk})")
        self.stdout.write(
            f"Reconciliation of {day}: {report.status}, {report.checked_local} local records, "
            f"{report.checked_stripe} Stripe balance transactions, {len(report.differences)} differences "
            f"(report {report.pk})"
        )
        for difference in report.differences:
            fields = " ".join(f"{key}={value}" for key, value in sorted(difference.items()))
            self.stdout.write(f"  {fields}")
