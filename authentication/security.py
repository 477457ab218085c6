"""Secrets sent by e-mail: generation (CSPRNG) and the keyed hashes that are stored instead."""

import hashlib
import hmac
import secrets

from django.conf import settings

CODE_DIGITS = 6


def new_code():
    """A uniformly random 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def new_token():
    return secrets.token_urlsafe(32)


def keyed_hash(value):
    """HMAC-SHA256 with the SECRET_KEY: a stolen table of hashes cannot be brute-forced offline."""
    return hmac.new(settings.SECRET_KEY.encode(), str(value).encode(), hashlib.sha256).hexdigest()


def code_hash(*, user_id, purpose, code):
    # The user and purpose are part of the message: a code is only good for what it was sent for.
    return keyed_hash(f"{purpose}:{user_id}:{code}")


def hashes_match(left, right):
    return hmac.compare_digest(str(left), str(right))
