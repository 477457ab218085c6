from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infrastructure.exchange_rates import ExchangeRateProviderError
from payment_system.rates.services import exchange_rates_update


class Command(BaseCommand):
    help = "Fetch today's exchange rates from the configured provider and store them (what the nightly task does)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--async",
            action="store_true",
            dest="enqueue",
            help="Queue update_exchange_rates_task for a Celery worker instead of running it here.",
        )

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            from payment_system.Tasks import update_exchange_rates_task

            result = update_exchange_rates_task.delay()
            self.stdout.write(f"Queued update_exchange_rates_task ({result.id}).")
            return
        try:
            result = exchange_rates_update()
        except ExchangeRateProviderError as exc:
            raise CommandError(f"Exchange rates not updated: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Stored {result.stored} {result.base} rates of {result.rate_date} from {result.source}; "
                f"purged {result.purged} old rows."
            )
        )
