"""The seam between product forms and 3D models.

Products accept ``model_data`` (contract E48/E49) and show ``has_ar_model``, ``ar_model_filename``
and ``ar_model_url``, but the ``ar`` app owns the models and depends on the marketplace, not the
other way round. So the ``ar`` app registers its handler here at start-up (``AppConfig.ready``);
without one, products have no AR model and ``model_data`` is refused.
"""

from typing import Protocol

from django.db.models import CharField, Value

from designiaBackend.errors import ApplicationError

NO_AR_MODEL = {"has_ar_model": False, "ar_model_filename": None, "ar_model_url": None}


class ARModelHandler(Protocol):
    def save_from_data_url(self, *, product, uploaded_by, model_data: dict) -> None:
        """Validate and store (or replace) the product's model; raise ApplicationError when invalid."""

    def remove(self, *, product) -> None:
        """Delete the product's model(s), if any."""

    def with_model_names(self, products):
        """``products`` (a queryset) annotated with ``ar_model_filename`` and
        ``ar_model_storage_name`` of each product's preferred model, None without one."""

    def describe(self, *, filename, storage_name) -> dict:
        """``{"has_ar_model", "ar_model_filename", "ar_model_url"}`` from those two annotations."""


class _NoARModels:
    def save_from_data_url(self, *, product, uploaded_by, model_data):
        raise ApplicationError("3D models are not supported on this server.", code="ar_unsupported")

    def remove(self, *, product):
        return None

    def with_model_names(self, products):
        return products.annotate(
            ar_model_filename=Value(None, output_field=CharField()),
            ar_model_storage_name=Value(None, output_field=CharField()),
        )

    def describe(self, *, filename, storage_name):
        return dict(NO_AR_MODEL)


_handler: ARModelHandler = _NoARModels()


def register_ar_model_handler(handler: ARModelHandler) -> None:
    global _handler
    _handler = handler


def ar_model_handler() -> ARModelHandler:
    return _handler
