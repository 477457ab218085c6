"""Signing in: password login, the 2FA second step, Google sign-in, JWT issuance."""

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.db import transaction
from django.utils.translation import gettext_noop

from authentication.emails import email_user_after_commit
from authentication.exceptions import EmailNotVerifiedError, InvalidCodeError, InvalidCredentialsError
from authentication.models import User, VerificationCode
from authentication.services.codes import code_consume, code_in_cooldown, code_issue
from authentication.services.tokens import token_pair_issue
from designiaBackend.observability import metrics


@dataclass(frozen=True)
class LoginResult:
    """Either tokens (``access``/``refresh``) or a pending second step (``two_factor_required``)."""

    user: User
    access: str | None = None
    refresh: str | None = None

    @property
    def two_factor_required(self):
        return self.access is None


def tokens_issue(*, user):
    """A new JWT pair ``(access, refresh)`` of a new login (token family, ``services.tokens``);
    it stays valid until the password changes, the login is signed out or a refresh is reused."""
    pair = token_pair_issue(user=user)
    return pair.access, pair.refresh


def session_open(*, user):
    """Issue a JWT pair and record the login."""
    access, refresh = tokens_issue(user=user)
    update_last_login(None, user)
    metrics.LOGINS.labels(outcome="ok").inc()
    return LoginResult(user=user, access=access, refresh=refresh)


def login_code_send(*, user):
    """E-mail a login code, unless one was sent within the cooldown (that one stays valid)."""
    if code_in_cooldown(user=user, purpose=VerificationCode.Purpose.LOGIN):
        return
    issued = code_issue(user=user, purpose=VerificationCode.Purpose.LOGIN)
    email_user_after_commit(
        user, subject=gettext_noop("Your Designia login code"), template="login_code", code=issued.code
    )


def session_start_or_challenge(*, user):
    """Tokens for ``user``, or a 2FA challenge when the account has two-factor authentication on."""
    if user.two_factor_enabled:
        login_code_send(user=user)
        metrics.LOGINS.labels(outcome="two_factor_required").inc()
        return LoginResult(user=user)
    return session_open(user=user)


@transaction.atomic
def login_with_password(*, email, password):
    user = authenticate(None, email=email.strip(), password=password)
    if user is None:
        metrics.LOGINS.labels(outcome="failed").inc()
        raise InvalidCredentialsError()
    if not user.is_email_verified:
        metrics.LOGINS.labels(outcome="unverified").inc()
        raise EmailNotVerifiedError(extra={"warning_type": "email_not_verified"})
    return session_start_or_challenge(user=user)


def login_verify_two_factor(*, user_id, code):
    user = User.objects.filter(pk=user_id, is_active=True, two_factor_enabled=True).first()
    if user is None:
        metrics.LOGINS.labels(outcome="failed").inc()
        raise InvalidCodeError()
    try:
        code_consume(user=user, purpose=VerificationCode.Purpose.LOGIN, code=code)
    except InvalidCodeError:
        metrics.LOGINS.labels(outcome="failed").inc()
        raise
    return session_open(user=user)
