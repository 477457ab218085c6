from designiaBackend.errors import ApplicationError, PermissionDeniedError


class NotProductOwnerError(PermissionDeniedError):
    code = "not_product_owner"
    default_message = "Only the product's seller can change it."


class TooManyImagesError(ApplicationError):
    code = "too_many_images"
    default_message = "A product can have at most {limit} images."


class ImageOrderError(ApplicationError):
    code = "invalid_image_order"
    default_message = "List every image of the product exactly once."


class ImageVariantNotFoundError(ApplicationError):
    code = "variant_not_found"
    default_message = "No such variant of this product."
