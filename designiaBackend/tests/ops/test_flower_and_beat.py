"""Flower and beat as the README promises: `celery -A designiaBackend flower` on the test broker
answers its API with this stack's worker and queues; a running `celery beat` holds the schedule
(payment timeouts hourly, exchange rates daily at 00:00 UTC)."""

import shelve
import time

import pytest
import requests
from celery.schedules import crontab

from designiaBackend.celery import ping
from designiaBackend.tests.ops.stack import FLOWER_CREDENTIALS, start_beat

AUTH = tuple(FLOWER_CREDENTIALS.split(":", 1))
QUEUES = {"payment_tasks", "marketplace_tasks", "email_tasks"}


def _flower(stack, path, **params):
    response = requests.get(f"{stack.flower.url}/api/{path}", params=params, auth=AUTH, timeout=20)
    assert response.status_code == 200, response.text
    return response.json()


def _eventually(read, check, seconds=30):
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if check(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_flower_api_lists_the_worker_its_queues_and_the_tasks_it_ran(stack):
    result = ping.delay("through flower")
    assert result.get(timeout=30) == "through flower"

    workers = _flower(stack, "workers", refresh="true")
    (name,) = [worker for worker in workers if worker.startswith("ops-")]
    assert {queue["name"] for queue in workers[name]["active_queues"]} == QUEUES
    assert workers[name]["stats"]["pool"]["max-concurrency"] == 1  # the stack's prefork pool

    lengths = _flower(stack, "queues/length")["active_queues"]
    assert {queue["name"]: queue["messages"] for queue in lengths} == dict.fromkeys(QUEUES, 0)

    tasks = _eventually(
        lambda: _flower(stack, "tasks", taskname="designiaBackend.ping"),
        lambda found: found.get(result.id, {}).get("state") == "SUCCESS",
    )
    assert tasks[result.id]["state"] == "SUCCESS"
    assert tasks[result.id]["worker"] == name
    assert tasks[result.id]["result"] == "'through flower'"


def test_flower_api_needs_its_credentials(stack):
    response = requests.get(f"{stack.flower.url}/api/workers", timeout=20)
    assert response.status_code == 401


@pytest.fixture
def beat(stack):
    process = start_beat(stack)
    schedule_file = stack.workdir / "celerybeat-schedule"
    # The scheduler writes its state file once it has set up the schedule.
    # The scheduler writes its state (a dbm file: the name may gain a suffix) once set up.
    written = _eventually(lambda: list(stack.workdir.glob("celerybeat-schedule*")), bool)
    assert written and process.process.poll() is None, process.log_tail()
    yield process, schedule_file
    process.stop()


def test_the_running_beat_schedules_payment_timeouts_hourly_and_rates_at_midnight_utc(beat):
    process, schedule_file = beat
    time.sleep(2)  # a few ticks (--max-interval 1)
    assert process.process.poll() is None, process.log_tail()
    process.stop()  # beat writes its state on shutdown
    with shelve.open(str(schedule_file), flag="r") as state:  # noqa: S301 - the file beat just wrote
        entries, timezone, utc = state["entries"], state["tz"], state["utc_enabled"]
    assert (timezone, utc) == ("UTC", True)
    timeouts = entries["check-payment-timeouts"]
    assert timeouts.task == "payment_system.Tasks.payment_tasks.check_payment_timeouts_task"
    assert timeouts.schedule == crontab(minute=5)  # every hour at :05
    assert timeouts.schedule.hour == set(range(24)) and timeouts.schedule.minute == {5}
    rates = entries["update-exchange-rates"]
    assert rates.task == "payment_system.Tasks.exchange_rate_tasks.update_exchange_rates_task"
    assert (rates.schedule.hour, rates.schedule.minute) == ({0}, {0})
    assert rates.schedule.tz is None or str(rates.schedule.tz) == "UTC"
    assert {"release-held-funds", "reconcile-payments", "flush-product-activity"} <= set(entries)
