from designiaBackend.errors import NotFoundError


class ShippingProfileNotFound(NotFoundError):
    default_message = "Shipping profile not found."
