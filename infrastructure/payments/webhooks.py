"""Verification of Stripe webhook signatures (``Stripe-Signature: t=...,v1=...``)."""

import json
import time

import stripe

from infrastructure.payments.base import InvalidWebhookSignature, WebhookEvent

SIGNATURE_TOLERANCE_SECONDS = 300  # both ways: Stripe's library only bounds the past


def _signed_at(signature: str) -> int:
    """The ``t=`` timestamp of a header that ``verify_header`` accepted."""
    for item in signature.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            return int(value)
    raise InvalidWebhookSignature("The signature has no timestamp.")


def _check_not_in_future(signature: str) -> None:
    if _signed_at(signature) > time.time() + SIGNATURE_TOLERANCE_SECONDS:
        raise InvalidWebhookSignature("The signature's timestamp is in the future.")


def construct_event(payload: bytes, signature: str | None, secret: str) -> WebhookEvent:
    """Check ``payload`` against ``signature`` with ``secret`` and return the event it carries.

    Raises ``InvalidWebhookSignature`` for a missing, malformed or wrong signature, one dated more
    than ``SIGNATURE_TOLERANCE_SECONDS`` before or after now, a missing secret, or a body that is
    not a Stripe event.
    """
    if not secret or not signature:
        raise InvalidWebhookSignature("Missing webhook signature or secret.")
    try:
        stripe.WebhookSignature.verify_header(
            payload.decode("utf-8"), signature, secret, tolerance=SIGNATURE_TOLERANCE_SECONDS
        )
        _check_not_in_future(signature)
        body = json.loads(payload)
    except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidWebhookSignature(str(exc)) from exc
    if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise InvalidWebhookSignature("The body is not a Stripe event.")
    obj = body["data"].get("object")
    if (
        not isinstance(body.get("id"), str)
        or not isinstance(body.get("type"), str)
        or not isinstance(obj, dict)
    ):
        raise InvalidWebhookSignature("The body is not a Stripe event.")
    return WebhookEvent(
        id=body["id"],
        type=body["type"],
        data=obj,
        created=int(body.get("created") or 0),
        account=body.get("account"),
    )
