"""Two-factor authentication on/off, password reset by code, password change and re-confirmation."""

from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_noop

from authentication.emails import email_user_after_commit
from authentication.exceptions import InvalidCodeError, TwoFactorStateError, WrongPasswordError
from authentication.lock_objects import user_for_update
from authentication.models import User, VerificationCode
from authentication.services.codes import code_consume, code_in_cooldown, code_issue
from designiaBackend.api.websocket import user_sockets_close_on_commit

Purpose = VerificationCode.Purpose

TWO_FACTOR_PURPOSES = {
    Purpose.ENABLE_2FA: ("enable", False),  # (verb, required current state)
    Purpose.DISABLE_2FA: ("disable", True),
}
TWO_FACTOR_SUBJECTS = {  # translated into the recipient's language when the e-mail is rendered
    Purpose.ENABLE_2FA: gettext_noop("Your code to enable two-factor authentication"),
    Purpose.DISABLE_2FA: gettext_noop("Your code to disable two-factor authentication"),
}


def _check_two_factor_state(*, user, purpose):
    verb, required = TWO_FACTOR_PURPOSES[purpose]
    if user.two_factor_enabled != required:
        state = "already enabled" if user.two_factor_enabled else "not enabled"
        raise TwoFactorStateError(f"Two-factor authentication is {state}; there is nothing to {verb}.")


@transaction.atomic
def two_factor_code_send(*, user, purpose):
    _check_two_factor_state(user=user, purpose=purpose)
    issued = code_issue(user=user, purpose=purpose)
    verb, _required = TWO_FACTOR_PURPOSES[purpose]
    email_user_after_commit(
        user, subject=TWO_FACTOR_SUBJECTS[purpose], template="two_factor_code", code=issued.code, action=verb
    )


def _two_factor_set(*, user, purpose, enabled, code):
    _check_two_factor_state(user=user, purpose=purpose)
    code_consume(user=user, purpose=purpose, code=code)  # outside the write: wrong guesses count
    with transaction.atomic():
        locked = user_for_update(user.pk)
        locked.two_factor_enabled = enabled
        locked.save(update_fields=["two_factor_enabled"])
    return locked


def two_factor_enable(*, user, code):
    return _two_factor_set(user=user, purpose=Purpose.ENABLE_2FA, enabled=True, code=code)


def two_factor_disable(*, user, code):
    return _two_factor_set(user=user, purpose=Purpose.DISABLE_2FA, enabled=False, code=code)


def password_reset_request(*, email):
    """E-mail a reset link with a 6-digit code to an active account. Silent otherwise (no enumeration)."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or code_in_cooldown(user=user, purpose=Purpose.PASSWORD_RESET):
        return
    with transaction.atomic():
        issued = code_issue(user=user, purpose=Purpose.PASSWORD_RESET)
        query = urlencode({"email": user.email, "code": issued.code})
        email_user_after_commit(
            user,
            subject=gettext_noop("Reset your Designia password"),
            template="password_reset",
            code=issued.code,
            link=f"{settings.FRONTEND_URL}/reset-password?{query}",
            ttl_minutes=settings.VERIFICATION_CODE_TTL_MINUTES,
        )


def password_reset_confirm(*, email, code, password):
    """Set a new password with a reset code. Using the code proves control of the mailbox."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise InvalidCodeError()
    code_consume(user=user, purpose=Purpose.PASSWORD_RESET, code=code)
    with transaction.atomic():
        locked = user_for_update(user.pk)
        locked.set_password(password)
        locked.is_email_verified = True
        locked.save(update_fields=["password", "is_email_verified"])
        user_sockets_close_on_commit(locked.pk)  # its sockets' tokens no longer count
    return locked


def password_check(*, user, password):
    if not user.has_usable_password() or not user.check_password(password):
        raise WrongPasswordError()


@transaction.atomic
def password_change(*, user, current_password, new_password):
    password_check(user=user, password=current_password)
    locked = user_for_update(user.pk)
    locked.set_password(new_password)
    locked.save(update_fields=["password"])
    user_sockets_close_on_commit(locked.pk)  # every open socket of the user closes with 4001
    return locked
