"""The nightly update: storage, history, refusal of bad answers, retries, beat, the real worker."""

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.core.management import call_command
from django.utils import timezone

from designiaBackend.celery import app as celery_app
from infrastructure.exchange_rates import ExchangeRateProviderError
from infrastructure.exchange_rates.fixed import FIXED_EUR_RATES
from payment_system.rates.models import ExchangeRate
from payment_system.rates.services import exchange_rates_update
from payment_system.Tasks import update_exchange_rates_task
from payment_system.tests.rates_server import ECB_RATES, RateServer, ecb_xml

TASK_NAME = "payment_system.Tasks.exchange_rate_tasks.update_exchange_rates_task"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def ecb_server(settings):
    server = RateServer().start()
    settings.EXCHANGE_RATES_PROVIDER = "ecb"
    settings.EXCHANGE_RATES_URL = server.url
    settings.EXCHANGE_RATES_TIMEOUT_SECONDS = 0.5
    settings.EXCHANGE_RATES_HTTP_RETRIES = 0
    settings.EXCHANGE_RATES_CURRENCIES = ["USD", "JPY", "GBP"]
    yield server
    server.stop()


def stored():
    return {
        (r.base_currency, r.currency, r.rate_date): r.rate for r in ExchangeRate.objects.order_by("currency")
    }


@pytest.mark.django_db
def test_update_stores_one_row_per_currency_and_day(ecb_server):
    result = exchange_rates_update()

    assert (result.base, result.rate_date, result.source, result.stored) == (
        "EUR",
        date(2026, 11, 23),
        "ecb",
        10,
    )
    assert stored() == {("EUR", code, date(2026, 11, 23)): Decimal(rate) for code, rate in ECB_RATES.items()}


@pytest.mark.django_db
def test_running_twice_the_same_day_updates_in_place(ecb_server):
    exchange_rates_update()
    ecb_server.answer(200, ecb_xml({**ECB_RATES, "USD": "1.0900"}))

    exchange_rates_update()

    assert ExchangeRate.objects.count() == len(ECB_RATES)
    assert ExchangeRate.objects.get(currency="USD").rate == Decimal("1.0900")


@pytest.mark.django_db
def test_history_is_kept_for_the_configured_days(ecb_server, settings):
    settings.EXCHANGE_RATE_HISTORY_DAYS = 30
    today = timezone.now().date()
    common = {"base_currency": "EUR", "currency": "USD", "rate": Decimal("1.05"), "source": "ecb"}
    kept = ExchangeRate.objects.create(
        rate_date=today - timedelta(days=30), fetched_at=timezone.now(), **common
    )
    ExchangeRate.objects.create(rate_date=today - timedelta(days=31), fetched_at=timezone.now(), **common)

    result = exchange_rates_update()

    assert result.purged == 1
    assert ExchangeRate.objects.filter(rate_date__lt=date(2026, 11, 23)).get() == kept


GOOD_DAY = date(2026, 11, 20)


def _store_a_good_day():
    for code, rate in ECB_RATES.items():
        ExchangeRate.objects.create(
            base_currency="EUR",
            currency=code,
            rate=Decimal(rate),
            rate_date=GOOD_DAY,
            source="ecb",
            fetched_at=timezone.now(),
        )
    return stored()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "answer",
    [
        {"status": 200, "body": b"<html>maintenance</html>"},
        {"status": 200, "body": ecb_xml({k: v for k, v in ECB_RATES.items() if k != "JPY"})},
        {"status": 200, "body": ecb_xml(), "delay": 1.5},
        {"status": 503, "body": b"busy"},
    ],
    ids=["garbage", "missing-currency", "timeout", "server-error"],
)
def test_a_bad_answer_leaves_the_stored_rates_and_the_task_retries_with_backoff(ecb_server, answer):
    before = _store_a_good_day()
    ecb_server.answer(**answer)

    with pytest.raises(Retry) as retry:
        update_exchange_rates_task.apply()

    assert retry.value.when == 60
    assert isinstance(retry.value.exc, ExchangeRateProviderError)
    assert stored() == before


@pytest.mark.django_db
def test_the_retry_delay_grows_exponentially(ecb_server):
    ecb_server.answer(200, b"garbage")

    delays = []
    for attempt in range(4):
        with pytest.raises(Retry) as retry:
            update_exchange_rates_task.apply(retries=attempt)
        delays.append(retry.value.when)

    assert delays == [60, 120, 240, 480]


@pytest.mark.django_db
def test_after_the_last_retry_the_error_surfaces(ecb_server):
    ecb_server.answer(200, b"garbage")

    with pytest.raises(ExchangeRateProviderError):
        update_exchange_rates_task.apply(retries=update_exchange_rates_task.max_retries + 1)


@pytest.mark.django_db
def test_a_missing_currency_names_it(ecb_server):
    ecb_server.answer(200, ecb_xml({"USD": "1.08", "GBP": "0.84"}))

    with pytest.raises(ExchangeRateProviderError, match="lacks JPY"):
        exchange_rates_update()
    assert not ExchangeRate.objects.exists()


def test_the_task_runs_daily_at_midnight_utc_on_the_marketplace_queue():
    entry = next(e for e in celery_app.conf.beat_schedule.values() if e["task"] == TASK_NAME)

    assert entry["schedule"] == crontab(minute=0, hour=0)
    assert celery_app.conf.timezone == "UTC"
    assert update_exchange_rates_task.name == TASK_NAME
    assert celery_app.amqp.router.route({}, TASK_NAME)["queue"].name == "marketplace_tasks"


@pytest.mark.django_db
def test_management_command_runs_the_update(ecb_server, capsys):
    call_command("update_exchange_rates")

    assert "Stored 10 EUR rates of 2026-11-23 from ecb" in capsys.readouterr().out
    assert ExchangeRate.objects.count() == 10


@pytest.mark.django_db
def test_management_command_can_queue_the_task(ecb_server, capsys):
    call_command("update_exchange_rates", "--async")  # tests run tasks inline

    assert "Queued update_exchange_rates_task" in capsys.readouterr().out
    assert ExchangeRate.objects.count() == 10


@pytest.mark.django_db
def test_management_command_reports_a_provider_failure(ecb_server):
    from django.core.management.base import CommandError

    ecb_server.answer(500, b"down")

    with pytest.raises(CommandError, match="Exchange rates not updated"):
        call_command("update_exchange_rates")


def test_the_readme_invocation_runs_on_the_real_worker(celery_worker):
    """``python manage.py shell -c "...update_exchange_rates_task.delay()"`` as the README says,
    through Redis to the real worker, which stores the rates (embedded fixed provider)."""
    from django.conf import settings as django_settings

    from conftest import _database_url_for_worker

    command = (
        "from payment_system.Tasks import update_exchange_rates_task; update_exchange_rates_task.delay()"
    )
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_KEY_PREFIX": celery_app.conf.broker_transport_options["global_keyprefix"],
    }
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", command], cwd=ROOT, env=env, check=True, timeout=60
    )

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and ExchangeRate.objects.count() < len(FIXED_EUR_RATES):
        time.sleep(0.2)
    assert {r.currency: r.rate for r in ExchangeRate.objects.filter(base_currency="EUR")} == FIXED_EUR_RATES
    assert set(ExchangeRate.objects.values_list("source", flat=True)) == {"fixed"}
