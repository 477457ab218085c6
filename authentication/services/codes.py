"""6-digit e-mailed codes: issue (with a resend cooldown) and single-use consumption."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from authentication.exceptions import CodeCooldownError, InvalidCodeError
from authentication.lock_objects import verification_code_for_update
from authentication.models import VerificationCode
from authentication.security import code_hash, hashes_match, new_code


@dataclass(frozen=True)
class IssuedCode:
    record: VerificationCode
    code: str


def _live_codes(*, user, purpose):
    return VerificationCode.objects.filter(user=user, purpose=purpose, used_at__isnull=True)


def code_in_cooldown(*, user, purpose):
    """A code for ``purpose`` went out within the resend window and has not been used yet."""
    since = timezone.now() - timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS)
    return _live_codes(user=user, purpose=purpose).filter(created_at__gt=since).exists()


@transaction.atomic
def code_issue(*, user, purpose):
    """Create a new code for ``purpose`` and kill the previous live ones.

    Raises ``CodeCooldownError`` (429) when a code was issued less than
    ``VERIFICATION_CODE_RESEND_SECONDS`` ago. The caller sends ``IssuedCode.code`` by e-mail.
    """
    if code_in_cooldown(user=user, purpose=purpose):
        raise CodeCooldownError()
    now = timezone.now()
    _live_codes(user=user, purpose=purpose).update(used_at=now)
    code = new_code()
    record = VerificationCode.objects.create(
        user=user,
        purpose=purpose,
        code_hash=code_hash(user_id=user.pk, purpose=purpose, code=code),
        created_at=now,
        expires_at=now + timedelta(minutes=settings.VERIFICATION_CODE_TTL_MINUTES),
    )
    return IssuedCode(record=record, code=code)


def code_consume(*, user, purpose, code):
    """Use the user's current code for ``purpose``; raise ``InvalidCodeError`` (400) otherwise.

    A wrong guess counts against the code even though the request fails, so this must not run
    inside a transaction the caller rolls back on error.
    """
    matched = False
    with transaction.atomic():
        record = verification_code_for_update(
            user_id=user.pk,
            purpose=purpose,
            now=timezone.now(),
            max_attempts=settings.VERIFICATION_CODE_MAX_ATTEMPTS,
        )
        if record is not None:
            expected = code_hash(user_id=user.pk, purpose=purpose, code=str(code))
            matched = hashes_match(record.code_hash, expected)
            if matched:
                record.used_at = timezone.now()
                record.save(update_fields=["used_at"])
            else:
                record.attempts += 1
                record.save(update_fields=["attempts"])
    if not matched:
        raise InvalidCodeError()
    return record


def codes_purge_expired(*, older_than=timedelta(days=1)):
    """Delete codes that can no longer be used; returns how many went."""
    cutoff = timezone.now() - older_than
    deleted, _ = VerificationCode.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
