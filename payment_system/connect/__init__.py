"""Stripe Connect: sellers' connected accounts, onboarding, Connect webhooks and payouts."""
