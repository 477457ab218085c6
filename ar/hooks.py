"""The AR app's implementation of the catalogue's ``ARModelHandler`` seam (marketplace.catalog.products.ar_hooks).

The catalogue calls it from product create/PATCH (``model_data``) and to describe products in
ProductDetail; it is registered in ``ArConfig.ready``.
"""

from django.conf import settings

from ar.selectors import with_preferred_model_names
from ar.services import ar_model_delete, ar_model_store_from_data_url
from designiaBackend.errors import ApplicationError
from infrastructure.storage import private_url
from marketplace.catalog.products.ar_hooks import NO_AR_MODEL


class ProductARModels:
    def save_from_data_url(self, *, product, uploaded_by, model_data):
        if not isinstance(model_data, dict):
            raise ApplicationError(
                "model_data must be an object {model_content, filename}.", code="invalid_model_data"
            )
        ar_model_store_from_data_url(
            product=product,
            uploaded_by=uploaded_by,
            model_content=model_data.get("model_content"),
            filename=model_data.get("filename"),
        )

    def remove(self, *, product):
        ar_model_delete(product=product)

    def with_model_names(self, products):
        return with_preferred_model_names(products)

    def describe(self, *, filename, storage_name):
        if not storage_name:
            return dict(NO_AR_MODEL)
        # The page holds the link while it is open: it lives as long as other media links.
        expires_in = settings.MEDIA_URL_EXPIRE_SECONDS
        return {
            "has_ar_model": True,
            "ar_model_filename": filename,
            "ar_model_url": private_url(storage_name, expires_in=expires_in),
        }
