"""Sign-up: account creation, unique usernames, e-mail verification links."""

import re
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from authentication.emails import email_user_after_commit
from authentication.exceptions import InvalidTokenError
from authentication.lock_objects import email_verification_token_for_update
from authentication.models import EmailVerificationToken, Profile, User
from authentication.security import keyed_hash, new_token
from designiaBackend.errors import ConflictError
from designiaBackend.observability import metrics


def username_base(email):
    local_part = email.split("@", 1)[0]
    return (slugify(local_part) or "user")[:140]


def username_unique(base):
    """``base``, or ``base-2``, ``base-3``... whichever is free (contract C16)."""
    taken = set(User.objects.filter(username__startswith=base).values_list("username", flat=True))
    if base not in taken:
        return base
    pattern = re.compile(rf"^{re.escape(base)}-(\d+)$")
    numbers = [int(match.group(1)) for name in taken if (match := pattern.match(name))]
    return f"{base}-{max(numbers, default=1) + 1}"


def user_create(*, email, password=None, **fields):
    """Create a user with a de-duplicated username and a profile; retries a lost username race."""
    base = username_base(email)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                user = User(email=email, username=username_unique(base), **fields)
                if password is None:
                    user.set_unusable_password()
                else:
                    user.set_password(password)
                user.save()
                Profile.objects.create(user=user)
                return user
        except IntegrityError as exc:
            if User.objects.filter(email__iexact=email).exists():  # lost a race for the same e-mail
                raise ConflictError("An account with this email already exists.", code="email_taken") from exc
    raise IntegrityError("Could not allocate a unique username.")


@transaction.atomic
def user_register(*, email, password, first_name="", last_name=""):
    user = user_create(
        email=email.strip().lower(), password=password, first_name=first_name, last_name=last_name
    )
    verification_email_send(user=user)
    metrics.SIGNUPS.labels(method="email").inc()
    return user


@transaction.atomic
def verification_email_send(*, user):
    """Issue a fresh single-use link (older ones die) and e-mail it after the commit."""
    now = timezone.now()
    EmailVerificationToken.objects.filter(user=user, used_at__isnull=True).update(used_at=now)
    token = new_token()
    EmailVerificationToken.objects.create(
        user=user,
        token_hash=keyed_hash(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.EMAIL_VERIFICATION_TTL_HOURS),
    )
    email_user_after_commit(
        user,
        subject=gettext_noop("Confirm your Designia email address"),
        template="verify_email",
        link=f"{settings.FRONTEND_URL}/verify-email/{token}",
        ttl_hours=settings.EMAIL_VERIFICATION_TTL_HOURS,
    )


def verification_email_resend(*, email):
    """Send a new link to an unverified account; silent for unknown or verified addresses."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True, is_email_verified=False).first()
    if user is None:
        return
    since = timezone.now() - timedelta(seconds=settings.VERIFICATION_CODE_RESEND_SECONDS)
    if EmailVerificationToken.objects.filter(user=user, created_at__gt=since).exists():
        return  # one link per resend window: no mailbox flooding
    verification_email_send(user=user)


@transaction.atomic
def email_verify(*, token):
    record = email_verification_token_for_update(token_hash=keyed_hash(token), now=timezone.now())
    if record is None or not record.user.is_active:
        raise InvalidTokenError()
    record.used_at = timezone.now()
    record.save(update_fields=["used_at"])
    user = record.user
    if not user.is_email_verified:
        user.is_email_verified = True
        user.save(update_fields=["is_email_verified"])
    return user


def verification_tokens_purge_expired(*, older_than=timedelta(days=1)):
    cutoff = timezone.now() - older_than
    deleted, _ = EmailVerificationToken.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
