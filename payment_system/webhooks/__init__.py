"""The platform Stripe webhook: events stored once by id, processed under the order's row lock."""
