from payment_system.payments.models import Payment


def payment_find(
    *, order_id: object = None, session_id: str | None = None, payment_intent_id: str | None = None
) -> Payment | None:
    """The payment matching any of the given references (first by order, then session, then intent;
    the intent of a duplicate charge given back names the payment of its order)."""
    for field, value in (
        ("order_id", order_id),
        ("checkout_session_id", session_id),
        ("payment_intent_id", payment_intent_id),
        ("refunds__payment_intent_id", payment_intent_id),
    ):
        if value:
            payment = Payment.objects.filter(**{field: value}).first()
            if payment is not None:
                return payment
    return None
