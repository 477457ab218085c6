"""Errors of the AR app: each has a stable machine code (see ``designiaBackend.api.exceptions``)."""

from designiaBackend.errors import ApplicationError, ConflictError, NotFoundError


class InvalidModelError(ApplicationError):
    """The uploaded bytes are not an acceptable GLB or USDZ model."""

    code = "invalid_model"
    status = 400
    default_message = "The file is not a valid GLB or USDZ model."


class ModelTooLargeError(InvalidModelError):
    code = "model_too_large"
    default_message = "The model is larger than the allowed size."


class ModelNotFoundError(NotFoundError):
    code = "ar_model_not_found"
    default_message = "This product has no 3D model in that format."


class UploadStateError(ConflictError):
    code = "upload_not_pending"
    default_message = "This upload has already been finished or has failed."


class DirectUploadUnavailableError(ApplicationError):
    code = "direct_upload_unavailable"
    default_message = (
        "Presigned direct uploads need S3/MinIO storage, which this server does not use. "
        "Upload the file to POST /api/ar/models/{product_id}/ instead."
    )


class InvalidVersionError(ApplicationError):
    code = "invalid_version"
    default_message = "The version must look like MAJOR.MINOR.PATCH, e.g. 1.4.2 or 2.0.0-beta.1."
