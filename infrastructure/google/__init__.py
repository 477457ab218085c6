"""Google sign-in: verification of Google ID tokens (OpenID Connect) against Google's JWKS.

The key set is fetched over HTTP from ``GOOGLE_JWKS_URL`` (Google's certs endpoint in production,
a local server in tests) and cached per URL; an unknown key id triggers one refetch (key
rotation). The token's signature (RS256), audience (``GOOGLE_OAUTH_CLIENT_ID``), issuer and expiry
are checked, and the identity is returned as a plain dataclass.
"""

import threading
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings

GOOGLE_ISSUERS = ("accounts.google.com", "https://accounts.google.com")
JWKS_CACHE_SECONDS = 3600
HTTP_TIMEOUT_SECONDS = 5
CLOCK_SKEW_SECONDS = 30


class GoogleTokenInvalid(Exception):
    """The token is forged, expired, for another audience or otherwise unusable."""


class GoogleUnavailable(Exception):
    """Google's key set could not be fetched (network error, timeout, bad answer)."""


@dataclass(frozen=True)
class GoogleIdentity:
    subject: str
    email: str
    email_verified: bool
    given_name: str = ""
    family_name: str = ""
    picture: str = ""


_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def _jwks_client(url: str) -> jwt.PyJWKClient:
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = jwt.PyJWKClient(
                url, cache_jwk_set=True, lifespan=JWKS_CACHE_SECONDS, timeout=HTTP_TIMEOUT_SECONDS
            )
            _clients[url] = client
        return client


def _signing_key(token: str) -> jwt.PyJWK:
    try:
        return _jwks_client(settings.GOOGLE_JWKS_URL).get_signing_key_from_jwt(token)
    except jwt.PyJWKClientConnectionError as exc:
        raise GoogleUnavailable(str(exc)) from exc
    except (jwt.PyJWKClientError, jwt.DecodeError, jwt.InvalidTokenError) as exc:
        raise GoogleTokenInvalid(str(exc)) from exc


def verify_id_token(token: Any) -> GoogleIdentity:
    """Return the ``GoogleIdentity`` of a valid ID token, or raise ``GoogleTokenInvalid``."""
    audience = settings.GOOGLE_OAUTH_CLIENT_ID
    if not audience:
        raise GoogleTokenInvalid("Google sign-in is not configured (GOOGLE_OAUTH_CLIENT_ID).")
    if not isinstance(token, str) or token.count(".") != 2:
        raise GoogleTokenInvalid("Not a JWT.")
    key = _signing_key(token)
    try:
        claims = jwt.decode(
            token,
            key.key,
            algorithms=["RS256"],
            audience=audience,
            issuer=GOOGLE_ISSUERS,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.InvalidTokenError as exc:
        raise GoogleTokenInvalid(str(exc)) from exc
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise GoogleTokenInvalid("The token carries no email address.")
    return GoogleIdentity(
        subject=str(claims["sub"]),
        email=email.strip().lower(),
        email_verified=claims.get("email_verified") in (True, "true"),
        given_name=str(claims.get("given_name") or "")[:150],
        family_name=str(claims.get("family_name") or "")[:150],
        picture=str(claims.get("picture") or ""),
    )
