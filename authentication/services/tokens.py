"""JWT pairs by login ("token family"): issue, rotate with reuse detection, revoke.

A refresh rotates: the token gets a successor and is spent. A spent token presented again
within ``JWT_REFRESH_GRACE_SECONDS`` of its rotation gets the same successor (the web client
refreshes in parallel, contract §2.1); later, it is taken for a stolen copy: the whole family
(every refresh and access token of that login) is revoked and the request answered 401.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, TokenError
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from authentication.exceptions import (
    InvalidRefreshTokenError,
    RefreshTokenReusedError,
    TokenFamilyRevokedError,
)
from authentication.lock_objects import issued_refresh_token_for_update
from authentication.models import IssuedRefreshToken, TokenFamily, User
from authentication.tokens import FAMILY_CLAIM, family_revocation_remember
from designiaBackend.api.after_commit import best_effort
from designiaBackend.api.websocket import login_sockets_close_on_commit

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _refresh_lifetime() -> timedelta:
    lifetime: timedelta = settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]
    return lifetime


def _record_issue(*, family: TokenFamily, jti: str | None = None, issued_at: datetime) -> IssuedRefreshToken:
    return IssuedRefreshToken.objects.create(
        jti=jti or uuid4().hex,
        family=family,
        issued_at=issued_at,
        expires_at=issued_at + _refresh_lifetime(),
    )


def _pair_for(*, user: User, record: IssuedRefreshToken) -> TokenPair:
    """The refresh token of ``record`` (the same string every time: its claims are all stored or
    derived) and a fresh access token of the same family."""
    refresh = RefreshToken.for_user(user)
    refresh.set_exp(from_time=record.issued_at, lifetime=_refresh_lifetime())
    refresh.set_iat(at_time=record.issued_at)
    refresh["jti"] = record.jti
    refresh[FAMILY_CLAIM] = str(record.family_id)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


@transaction.atomic(savepoint=False)  # inside a login's transaction: no savepoint round trips
def token_pair_issue(*, user: User) -> TokenPair:
    """A new login: a new family and its first pair."""
    family = TokenFamily.objects.create(user=user)
    return _pair_for(user=user, record=_record_issue(family=family, issued_at=timezone.now()))


def _refresh_token_read(raw_token: str) -> tuple[RefreshToken, User]:
    """The verified token and its user (401 when invalid, expired, of an inactive user or older
    than the last password change)."""
    try:
        token = RefreshToken(raw_token)  # type: ignore[arg-type]
        user = JWTAuthentication().get_user(token)
    except (TokenError, AuthenticationFailed) as error:
        raise InvalidRefreshTokenError() from error
    assert isinstance(user, User)  # AUTH_USER_MODEL
    return token, user


def _record_locked(*, token: RefreshToken, user: User) -> IssuedRefreshToken | None:
    """The token's record, row-locked. A token without a family (issued before families existed)
    gets one now, so it rotates like any other from here on."""
    family_id = token.get(FAMILY_CLAIM)
    if family_id is not None:
        return issued_refresh_token_for_update(jti=token["jti"], user=user, family_id=family_id)
    record = issued_refresh_token_for_update(jti=token["jti"], user=user)
    if record is not None:
        return record
    try:
        with transaction.atomic():
            family = TokenFamily.objects.create(user=user)
            issued_at = datetime_from_epoch(token["iat"])
            return _record_issue(family=family, jti=token["jti"], issued_at=issued_at)
    except IntegrityError:  # a parallel refresh of the same token created it first
        return issued_refresh_token_for_update(jti=token["jti"], user=user)


def _family_revoke(*, family: TokenFamily, reason: str) -> None:
    if family.revoked_at is None:
        family.revoked_at = timezone.now()
        family.revoke_reason = reason
        family.save(update_fields=["revoked_at", "revoke_reason"])
    family_id = str(family.pk)
    best_effort(lambda: family_revocation_remember(family_id), what="token_revocation_cache")
    login_sockets_close_on_commit(family_id)  # its open sockets close with 4001


def _successor_locked(record: IssuedRefreshToken) -> IssuedRefreshToken | None:
    """The record's successor (issued now on first use, the same one within the grace window),
    or None when the token is spent: the family is then revoked."""
    now = timezone.now()
    if record.rotated_at is None:
        record.successor = _record_issue(family=record.family, issued_at=now)
        record.rotated_at = now
        record.save(update_fields=["successor", "rotated_at"])
        return record.successor
    grace = timedelta(seconds=settings.JWT_REFRESH_GRACE_SECONDS)
    if record.successor is not None and now - record.rotated_at <= grace:
        return record.successor
    _family_revoke(family=record.family, reason=TokenFamily.RevokeReason.REUSE)
    logger.warning(
        "Refresh token reused %.0f s after its rotation: login %s of user %s revoked",
        (now - record.rotated_at).total_seconds(),
        record.family_id,
        record.family.user_id,
    )
    return None


def refresh_token_rotate(*, raw_token: str) -> TokenPair:
    """E06: the next pair of the token's family. 401 for a revoked family or a reused token."""
    token, user = _refresh_token_read(raw_token)
    with transaction.atomic():
        record = _record_locked(token=token, user=user)
        if record is None or record.family.revoked_at is not None:
            raise TokenFamilyRevokedError()
        successor = _successor_locked(record)
    if successor is None:  # raised after the commit: the revocation stays
        raise RefreshTokenReusedError()
    return _pair_for(user=user, record=successor)


@transaction.atomic
def token_family_revoke(*, raw_token: str) -> None:
    """Logout: every token of the refresh token's login stops working (idempotent)."""
    token, user = _refresh_token_read(raw_token)
    record = _record_locked(token=token, user=user)
    if record is not None:
        _family_revoke(family=record.family, reason=TokenFamily.RevokeReason.LOGOUT)


def refresh_tokens_purge_expired(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete the records of refresh tokens expired ``older_than`` ago (their tokens are refused
    anyway), then the families left without any; returns how many families went."""
    cutoff = timezone.now() - older_than
    IssuedRefreshToken.objects.filter(expires_at__lt=cutoff).delete()
    stale = TokenFamily.objects.filter(created_at__lt=cutoff, refresh_tokens__isnull=True)
    _total, deleted = stale.delete()
    return deleted.get(TokenFamily._meta.label, 0)
