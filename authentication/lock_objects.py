"""Row locks of the authentication app, in one place and always in the same order.

A user's row is locked before anything of that user (profile, seller application, codes, tokens);
an application is locked before its user. Every helper must run inside ``transaction.atomic``.
"""

from datetime import datetime
from uuid import UUID

from authentication.models import (
    EmailVerificationToken,
    IssuedRefreshToken,
    Profile,
    SellerApplication,
    User,
    VerificationCode,
)


def user_for_update(user_id: UUID | str) -> User:
    """Lock one user; ``User.DoesNotExist`` when there is none."""
    return User.objects.select_for_update().get(pk=user_id)


def user_and_profile_for_update(user_id: UUID | str) -> tuple[User, Profile]:
    """Lock the user, then their profile (created if missing)."""
    user = user_for_update(user_id)
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    return user, profile


def user_for_update_by_identity(*, google_sub: str, email: str) -> User | None:
    """Google sign-in: the account linked to ``google_sub``, else the one with that e-mail, locked."""
    user = User.objects.select_for_update().filter(google_sub=google_sub).first()
    if user is None:
        user = User.objects.select_for_update().filter(email__iexact=email).first()
    return user


def seller_application_for_update(application_id: int | str) -> SellerApplication | None:
    """Lock one application (with its user read, not locked: lock the user after it)."""
    return (
        SellerApplication.objects.select_for_update().select_related("user").filter(pk=application_id).first()
    )


def email_verification_token_for_update(*, token_hash: str, now: datetime) -> EmailVerificationToken | None:
    """Lock the unused, unexpired verification token with this hash."""
    return (
        EmailVerificationToken.objects.select_for_update()
        .select_related("user")
        .filter(token_hash=token_hash, used_at__isnull=True, expires_at__gt=now)
        .first()
    )


def verification_code_for_update(
    *, user_id: UUID | str, purpose: str, now: datetime, max_attempts: int
) -> VerificationCode | None:
    """Lock the user's newest live code for ``purpose`` (unused, unexpired, attempts left)."""
    return (
        VerificationCode.objects.filter(user_id=user_id, purpose=purpose, used_at__isnull=True)
        .filter(expires_at__gt=now, attempts__lt=max_attempts)
        .select_for_update()
        .order_by("-created_at", "-id")
        .first()
    )


def issued_refresh_token_for_update(
    *, jti: str, user: User, family_id: UUID | None = None
) -> IssuedRefreshToken | None:
    """Lock the user's record of refresh token ``jti`` (in ``family_id`` when given), with its family
    and successor read."""
    records = IssuedRefreshToken.objects.select_for_update().select_related("family", "successor")
    records = records.filter(jti=jti, family__user=user)
    if family_id is not None:
        records = records.filter(family_id=family_id)
    return records.first()
