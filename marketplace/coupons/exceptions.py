from designiaBackend.errors import ApplicationError, ConflictError


class CouponInvalid(ApplicationError):
    """A code that does not exist, is not active, has not started or has ended."""

    code = "coupon_invalid"
    status = 400
    default_message = "This code is not valid."


class CouponNotApplicable(ApplicationError):
    """A valid code that covers nothing in this cart (another shop's code) or below its minimum spend."""

    code = "coupon_not_applicable"
    status = 400
    default_message = "This code does not apply to your cart."


class CouponAlreadyApplied(ConflictError):
    code = "coupon_already_applied"
    default_message = "This code is already applied to your cart."


class CouponUsedUp(ConflictError):
    code = "coupon_used_up"
    default_message = "This code has been used up."
