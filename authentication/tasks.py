"""Celery tasks of the authentication app (interfaces: each calls one service or adapter)."""

import logging

from celery import shared_task
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from authentication.models import DataExport, User
from authentication.selectors import user_language
from authentication.services.account import gdpr_export_build
from authentication.services.codes import codes_purge_expired
from authentication.services.exports import data_export_complete, data_export_release
from authentication.services.registration import verification_tokens_purge_expired
from authentication.services.tokens import refresh_tokens_purge_expired
from infrastructure.email import send_templated_email
from infrastructure.storage import private_url

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_email_task(*, to, subject, template, context, user_id=None):
    """Render and send one account e-mail in its recipient's language (``user_id``; the default
    language without one); SMTP errors are retried with backoff."""
    with translation.override(user_language(user_id=user_id)):
        send_templated_email(to=to, subject=gettext(subject), template=template, context=context)


@shared_task
def gdpr_export_task(*, user_id, export_id=None):
    """Write the user's data archive to private storage and e-mail a short-lived link to it."""
    user = User.objects.select_related("profile").filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("GDPR export skipped: user %s is gone", user_id)
        return None
    if export_id is not None and not DataExport.objects.filter(pk=export_id).exists():
        # A failed run released this export (the user may ask again); a redelivery does nothing.
        logger.info("GDPR export %s skipped: it was released after a failure", export_id)
        return None
    name = None
    try:
        name = gdpr_export_build(user=user)
        data_export_complete(export_id=export_id, archive_name=name)
        expires_in = settings.GDPR_EXPORT_URL_EXPIRE_SECONDS
        with translation.override(user_language(user_id=user.pk)):
            send_templated_email(
                to=user.email,
                subject=gettext("Your Designia data export is ready"),
                template="gdpr_export_ready",
                context={
                    "first_name": user.first_name or user.username,
                    "link": private_url(name, expires_in=expires_in),
                    "expires_hours": expires_in // 3600,
                },
            )
    except Exception:
        # Whatever failed (the archive, storage, the e-mail), the user got nothing: the export
        # must not hold their once-a-day window. The task still fails, visibly.
        logger.exception("GDPR export %s of user %s failed; its window is released", export_id, user_id)
        data_export_release(export_id=export_id, archive_name=name)
        raise
    return name


@shared_task
def purge_expired_codes_task():
    """Delete long-expired verification codes, e-mail verification tokens and logins whose refresh
    tokens all expired (beat, every 6 h)."""
    codes = codes_purge_expired()
    tokens = verification_tokens_purge_expired()
    logins = refresh_tokens_purge_expired()
    logger.info("Purged %s verification codes, %s e-mail tokens and %s logins", codes, tokens, logins)
    return {"codes": codes, "tokens": tokens, "token_families": logins}
