"""Celery tasks of the authentication app."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from authentication.models import EmailVerificationToken, VerificationCode
from authentication.tasks import purge_expired_codes_task, send_account_email_task
from authentication.tests.factories import UserFactory
from designiaBackend.celery import app

pytestmark = pytest.mark.django_db


def test_purge_removes_only_long_expired_codes_and_tokens():
    user = UserFactory()
    now = timezone.now()
    old = VerificationCode.objects.create(
        user=user, purpose="login_2fa", code_hash="a", expires_at=now - timedelta(days=2)
    )
    recent = VerificationCode.objects.create(
        user=user, purpose="login_2fa", code_hash="b", expires_at=now - timedelta(minutes=5)
    )
    live = VerificationCode.objects.create(
        user=user, purpose="password_reset", code_hash="c", expires_at=now + timedelta(minutes=5)
    )
    EmailVerificationToken.objects.create(user=user, token_hash="t1", expires_at=now - timedelta(days=3))
    kept_token = EmailVerificationToken.objects.create(
        user=user, token_hash="t2", expires_at=now + timedelta(days=1)
    )

    assert purge_expired_codes_task.delay().get() == {"codes": 1, "tokens": 1, "token_families": 0}
    assert set(VerificationCode.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}
    assert not VerificationCode.objects.filter(pk=old.pk).exists()
    assert list(EmailVerificationToken.objects.values_list("pk", flat=True)) == [kept_token.pk]


def test_the_beat_schedule_names_the_purge_task():
    entry = app.conf.beat_schedule["purge-expired-verification-codes"]
    assert entry["task"] == purge_expired_codes_task.name


def test_account_email_has_text_and_html_parts():
    send_account_email_task.delay(
        to="ada@example.com",
        subject="Your Designia login code",
        template="login_code",
        context={"first_name": "Ada & Co", "code": "012345"},
    )
    [message] = mail.outbox
    assert "Hello Ada & Co," in message.body and "012345" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert "Ada &amp; Co" in html and "012345" in html
