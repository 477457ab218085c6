"""JWT classes: every token carries its login's ``family`` id; a revoked family's tokens are refused.

The refresh side is checked against the database (``services.tokens``); access tokens, checked
on every request, only against the cache, where a revocation is kept for an access token's
lifetime (so the check costs no query).
"""

from typing import Any

from django.conf import settings
from django.core.cache import cache
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken

FAMILY_CLAIM = "family"


def revoked_family_key(family_id: str) -> str:
    return f"auth:token-family-revoked:{family_id}"


def family_revocation_remember(family_id: str) -> None:
    """Refuse the family's access tokens from now until the longest of them has expired."""
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"].total_seconds()
    cache.set(revoked_family_key(family_id), True, timeout=int(lifetime) + 60)


class FamilyAccessToken(AccessToken):
    """An access token, refused once its login's family was revoked (logout, refresh reuse)."""

    def verify(self, *args: Any, **kwargs: Any) -> None:
        super().verify(*args, **kwargs)
        family_id = self.payload.get(FAMILY_CLAIM)
        if family_id and cache.get(revoked_family_key(str(family_id))):
            raise TokenError("This session was signed out.")
