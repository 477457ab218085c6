from designiaBackend.errors import ApplicationError, NotFoundError, ServiceUnavailableError


class ConnectNotEligibleError(ApplicationError):
    """The seller may not create a connected account yet (2FA, password). Contract §3.2."""

    code = "stripe_not_eligible"
    status = 400


class ConnectAccountMissingError(NotFoundError):
    code = "stripe_account_missing"
    default_message = "You have no Stripe account yet. Create one first."


class StripeUnavailableError(ServiceUnavailableError):
    code = "stripe_unavailable"
    default_message = "Stripe is not reachable right now. Please try again in a moment."


class StripeRequestError(ApplicationError):
    """Stripe refused a call the platform made on the seller's behalf."""

    code = "stripe_error"
    status = 502
    default_message = "Stripe refused the request."


class InvalidRedirectURLError(ApplicationError):
    code = "invalid_url"
    status = 400
    default_message = "The return and refresh URLs must point to the Designia web app."
