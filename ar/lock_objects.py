"""Row locks of the AR app, in one place. A product's models are locked in pk order; an upload
is locked before the model it creates. Every helper must run inside ``transaction.atomic``."""

from ar.models import ARModel, ARModelDownload, ARModelUpload


def ar_download_for_update(*, user, device_id, product_id, model_format, must_exist=False):
    """Lock the device's download record of one model (``None`` without one, unless ``must_exist``)."""
    records = ARModelDownload.objects.select_for_update()
    key = {"user": user, "device_id": device_id, "product_id": product_id, "format": model_format}
    return records.get(**key) if must_exist else records.filter(**key).first()


def ar_upload_for_update(upload_id):
    return ARModelUpload.objects.select_for_update().get(pk=upload_id)


def ar_model_for_update(*, product_id, model_format):
    """Lock the product's model in one format, ``None`` without one."""
    return ARModel.objects.select_for_update().filter(product_id=product_id, format=model_format).first()


def ar_models_for_update(*, product_id, model_format=None) -> list[ARModel]:
    """Lock the product's models (of one format when given), in pk order."""
    models = ARModel.objects.select_for_update().filter(product_id=product_id).order_by("pk")
    if model_format:
        models = models.filter(format=model_format)
    return list(models)
