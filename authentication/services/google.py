"""Google sign-in: verify the ID token, then find, link or create the account."""

import logging

from django.db import transaction

from authentication.exceptions import GoogleSignInError
from authentication.lock_objects import user_for_update_by_identity
from authentication.services.registration import user_create
from authentication.services.sessions import session_start_or_challenge
from designiaBackend.errors import ServiceUnavailableError
from designiaBackend.observability import metrics
from infrastructure import google

logger = logging.getLogger(__name__)


def _identity_from_token(token):
    try:
        identity = google.verify_id_token(token)
    except google.GoogleUnavailable as exc:
        logger.warning("Google key set unavailable: %s", exc)
        raise ServiceUnavailableError("Google sign-in is temporarily unavailable.") from exc
    except google.GoogleTokenInvalid as exc:
        logger.info("Refused Google ID token: %s", exc)
        metrics.LOGINS.labels(outcome="failed").inc()
        raise GoogleSignInError() from exc
    if not identity.email_verified:
        metrics.LOGINS.labels(outcome="failed").inc()
        raise GoogleSignInError("Your Google account's email address is not verified.")
    return identity


def _account_for(identity):
    """The linked account, an existing verified account with that e-mail, or a new one."""
    user = user_for_update_by_identity(google_sub=identity.subject, email=identity.email)
    if user is None:
        user = user_create(
            email=identity.email,
            first_name=identity.given_name,
            last_name=identity.family_name,
            is_email_verified=True,
            google_sub=identity.subject,
        )
        metrics.SIGNUPS.labels(method="google").inc()
        return user
    if not user.is_active:
        raise GoogleSignInError("This account is disabled.")
    if not user.is_email_verified:
        # Linking would hand a possibly pre-registered account (with someone else's password)
        # to the Google user: the owner must verify the address through our own link first.
        raise GoogleSignInError(
            "An account with this email exists but is not verified yet. Verify it from the email we sent."
        )
    if user.google_sub is None:
        user.google_sub = identity.subject
        user.save(update_fields=["google_sub"])
    return user


def login_with_google(*, token):
    # Google's keys are fetched outside the transaction: a slow answer holds no database locks.
    identity = _identity_from_token(token)
    with transaction.atomic():
        user = _account_for(identity)
        return session_start_or_challenge(user=user)
