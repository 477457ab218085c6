"""Signed one-click unsubscribe tokens: (user, kind), valid for NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS."""

from urllib.parse import urlencode

from django.conf import settings
from django.core import signing

from infrastructure.storage import base_url

SALT = "notifications.unsubscribe"


def unsubscribe_token(*, user_id, kind: str) -> str:
    return signing.dumps({"u": str(user_id), "k": kind}, salt=SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[str, str] | None:
    """``(user_id, kind)`` of a valid token, else None (forged, altered or expired)."""
    max_age = settings.NOTIFICATION_UNSUBSCRIBE_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), str) or not isinstance(data.get("k"), str):
        return None
    return data["u"], data["k"]


def unsubscribe_url(*, user_id, kind: str) -> str:
    query = urlencode({"token": unsubscribe_token(user_id=user_id, kind=kind)})
    return f"{base_url()}/api/notifications/unsubscribe/?{query}"


def unsubscribe_page_url(*, user_id, kind: str) -> str:
    """The page people reach from the e-mail's link (it asks before it turns anything off)."""
    query = urlencode({"token": unsubscribe_token(user_id=user_id, kind=kind)})
    return f"{base_url()}/notifications/unsubscribe/?{query}"
