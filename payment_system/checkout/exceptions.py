from designiaBackend.errors import ApplicationError, ServiceUnavailableError


class PaymentProviderFailed(ApplicationError):
    code = "payment_provider_error"
    status = 502
    default_message = "The payment provider refused to start the payment. Please try again later."


class PaymentProviderDown(ServiceUnavailableError):
    code = "payment_provider_unavailable"
    default_message = "The payment provider is unavailable. Please try again shortly."


class OrderNotPayable(ApplicationError):
    code = "order_not_payable"
    default_message = "Only orders waiting for payment can be paid."
