"""Outbox-relayed tasks are their own Celery tasks: a real worker applies their rate limits (the
sweep's Stripe session expiries and e-mails), and a redelivered message does nothing."""

import time

import pytest
from django.core import mail
from django.db import transaction

from designiaBackend.api.after_commit import must_happen
from designiaBackend.outbox.models import OutboxMessage
from designiaBackend.outbox.task_base import OUTBOX_HEADER

TASK = "authentication.tasks.send_account_email_task"
SLOW_RATE, RUNS = "2/s", 5  # 5 runs at 2/s: the last starts about 2 s after the first


def _email(n):
    return {
        "to": f"rate-{n}@example.com",
        "subject": "Your Designia login code",
        "template": "login_code",
        "context": {"first_name": "Rae", "code": f"{n:06d}"},
    }


def test_the_bulk_side_effects_are_rate_limited():
    from designiaBackend.celery import RATE_LIMITS, app

    app.loader.import_default_modules()
    for name in (
        "payment_system.Tasks.payment_tasks.checkout_sessions_close_task",
        "marketplace.ordering.tasks.order_emails_send_task",
        TASK,
    ):
        assert app.tasks[name].rate_limit == RATE_LIMITS[name]


@pytest.fixture
def slow_account_emails(celery_worker):
    """The worker limits the account e-mail task to ``SLOW_RATE`` (Celery's remote control), then
    back to its configured rate."""
    from designiaBackend.celery import RATE_LIMITS, app

    assert app.control.rate_limit(TASK, SLOW_RATE, reply=True, timeout=10), "the worker did not answer"
    yield
    app.control.rate_limit(TASK, RATE_LIMITS[TASK], reply=True, timeout=10)


def test_a_worker_applies_the_rate_limit_of_a_task_the_outbox_relays(slow_account_emails):
    from authentication.tasks import send_account_email_task

    with transaction.atomic():  # relayed to the worker's broker right after the commit
        for n in range(RUNS):
            must_happen(send_account_email_task, kwargs=_email(n), key=f"rate-limit-test-{n}")

    messages, deadline = [], time.monotonic() + 60
    while time.monotonic() < deadline:
        messages = list(
            OutboxMessage.objects.filter(key__startswith="rate-limit-test-", done_at__isnull=False)
        )
        if len(messages) == RUNS:
            break
        time.sleep(0.2)
    assert len(messages) == RUNS, "the worker did not run every relayed e-mail"
    done = sorted(message.done_at for message in messages)
    # Unlimited, the worker's 4 threads run the five at once (well under a second apart).
    assert (done[-1] - done[0]).total_seconds() >= 1.5
    assert {(message.attempts, message.last_error) for message in messages} == {(0, "")}


@pytest.mark.django_db
def test_a_relayed_task_runs_once_per_message_in_embedded_mode(django_capture_on_commit_callbacks):
    """Without a broker the relay runs the task here; sent again with its message's header (a
    relay retry, a redelivery) it does nothing, while a plain call still runs."""
    from authentication.tasks import send_account_email_task

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        must_happen(send_account_email_task, kwargs=_email(1), key="embedded-once")
    message = OutboxMessage.objects.get(key="embedded-once")
    assert message.done_at is not None and message.relayed_at is not None
    assert [m.to for m in mail.outbox] == [["rate-1@example.com"]]

    send_account_email_task.apply_async(kwargs=_email(1), headers={OUTBOX_HEADER: message.pk})
    assert len(mail.outbox) == 1

    send_account_email_task.delay(**_email(2))  # not from the outbox: runs as usual
    assert len(mail.outbox) == 2
