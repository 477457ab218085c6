"""Stripe API objects as the fake Stripe server answers them."""


def stripe_account(account_id="acct_1Oak", *, name="Oak & Ash Studio", onboarded=False, **overrides):
    body = {
        "id": account_id,
        "object": "account",
        "type": "express",
        "email": "maker@example.com",
        "country": "US",
        "default_currency": "usd",
        "business_profile": {"name": name},
        "details_submitted": onboarded,
        "charges_enabled": onboarded,
        "payouts_enabled": onboarded,
        "capabilities": {"transfers": "active" if onboarded else "inactive"},
        "requirements": {
            "currently_due": [] if onboarded else ["external_account", "tos_acceptance.date"],
            "past_due": [] if onboarded else ["external_account"],
            "disabled_reason": None if onboarded else "requirements.past_due",
        },
    }
    body.update(overrides)
    return body


def stripe_payout(payout_id="po_1Oak", *, amount=12345, currency="usd", status="paid", **overrides):
    body = {
        "id": payout_id,
        "object": "payout",
        "amount": amount,
        "currency": currency,
        "status": status,
        "method": "standard",
        "arrival_date": 1795651200,  # 2026-11-26
        "created": 1795478400,
        "failure_code": None,
        "failure_message": None,
    }
    body.update(overrides)
    return body
