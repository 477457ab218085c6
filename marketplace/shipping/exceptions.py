from designiaBackend.api.exceptions import NotFoundError


class ShippingProfileNotFound(NotFoundError):
    default_message = "Shipping profile not found."
