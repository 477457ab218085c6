"""Reads of the AR app: which products a user may see or manage, models, downloads, releases."""

import hashlib

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from ar.exceptions import ModelNotFoundError
from ar.models import ARModel, ARModelDownload, ARModelUpload, MobileAppRelease
from ar.versioning import Version
from designiaBackend.errors import NotFoundError, PermissionDeniedError
from infrastructure.storage import private_url
from marketplace.catalog.products.selectors import product_find, product_queryset_public

MAX_ID = 2**63 - 1


class ProductNotFoundError(NotFoundError):
    default_message = "Product not found."


def _is_staff(user):
    return bool(user and user.is_authenticated and user.is_staff)


def _is_owner(user, product):
    return bool(user and user.is_authenticated and product.seller_id == user.pk)


def _is_public(product):
    return product.is_active and product.deleted_at is None


def _product_or_404(product_id):
    product = product_find(product_id=product_id) if 0 < product_id <= MAX_ID else None
    if product is None:
        raise ProductNotFoundError()
    return product


def product_get_visible(*, product_id, user):
    """A product the user may see: active and not deleted, or the user's own, or any for staff."""
    product = _product_or_404(product_id)
    if _is_public(product) or _is_staff(user) or _is_owner(user, product):
        return product
    raise ProductNotFoundError()


def product_get_for_ar_management(*, product_id, user):
    """A product whose models the user may change: the owning seller's or, for staff, any.

    Unknown, deleted and (for others) hidden products answer 404; another seller's visible
    product answers 403.
    """
    product = _product_or_404(product_id)
    if _is_staff(user):
        return product
    if product.deleted_at is not None:
        raise ProductNotFoundError()
    if _is_owner(user, product) and user.is_seller:
        return product
    if not _is_public(product) and not _is_owner(user, product):
        raise ProductNotFoundError()
    raise PermissionDeniedError("Only the product's seller can change its 3D models.")


def ar_model_list_for_product(*, product):
    return list(ARModel.objects.filter(product=product).order_by("format"))


def ar_model_get(*, product, model_format):
    model = ARModel.objects.filter(product=product, format=model_format).first()
    if model is None:
        raise ModelNotFoundError()
    return model


def ar_models_etag(models):
    """A strong ETag over every format's version and checksum: it changes with any replacement."""
    state = ";".join(f"{model.format}:{model.version}:{model.checksum}" for model in models)
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def ar_model_download_link(*, model, expires_in=None):
    expires_in = expires_in or settings.PRIVATE_URL_EXPIRE_SECONDS
    return {"url": private_url(model.storage_name, expires_in=expires_in), "expires_in": expires_in}


def with_preferred_model_names(products):
    """``products`` annotated with their preferred model's ``ar_model_filename`` and
    ``ar_model_storage_name`` (None for a product without a model); no extra query."""
    # GLB (what the web client's viewer reads) sorts before USDZ: the (product, format) index
    # yields the preferred model first.
    preferred = ARModel.objects.filter(product=OuterRef("pk")).order_by("format")
    return products.annotate(
        ar_model_filename=Subquery(preferred.values("original_filename")[:1]),
        ar_model_storage_name=Subquery(preferred.values("storage_name")[:1]),
    )


def ar_product_list(*, category_slugs=(), model_format=None):
    """Visible products that have at least one 3D model, newest first, ready to serialise."""
    models = ARModel.objects.order_by("format")
    if model_format:
        models = models.filter(format=model_format)
    products = product_queryset_public().filter(Exists(models.filter(product=OuterRef("pk"))))
    if category_slugs:
        products = products.filter(
            Q(category__slug__in=category_slugs) | Q(category__parent__slug__in=category_slugs)
        )
    return (
        products.select_related("category")
        .prefetch_related(Prefetch("ar_models", queryset=models, to_attr="ar_model_list"))
        .order_by("-created_at", "-id")
    )


def ar_upload_get_for_user(*, upload_id, user):
    upload = ARModelUpload.objects.filter(pk=upload_id).select_related("product").first()
    if upload is None or not (_is_staff(user) or upload.uploaded_by_id == user.pk):
        raise NotFoundError("Upload not found.")
    return upload


def ar_download_list_for_user(*, user, device_id=None):
    """The user's download records with the product and its current models prefetched."""
    records = ARModelDownload.objects.filter(user=user)
    if device_id:
        records = records.filter(device_id=device_id)
    return records.select_related("product").prefetch_related(
        Prefetch("product__ar_models", queryset=ARModel.objects.all(), to_attr="ar_model_list")
    )


def ar_model_list_with_download_counts():
    """Every model with its reported downloads and the number of devices holding it (admin)."""
    downloads = ARModelDownload.objects.filter(product=OuterRef("product"), format=OuterRef("format"))
    total = downloads.values("product").annotate(total=Sum("download_count")).values("total")
    devices = downloads.values("product").annotate(devices=Count("id")).values("devices")
    return ARModel.objects.select_related("product", "uploaded_by").annotate(
        downloads_total=Coalesce(Subquery(total), 0),
        devices_total=Coalesce(Subquery(devices), 0),
    )


def app_version_check(*, platform, version):
    """Compare the app's ``version`` (a parsed ``Version``) with the platform's release.

    With no release configured for the platform nothing can be required: "no update required"."""
    release = MobileAppRelease.objects.filter(platform=platform).first()
    if release is None:
        return {
            "platform": platform,
            "current_version": str(version),
            "latest_version": None,
            "minimum_version": None,
            "update_available": False,
            "update_required": False,
            "store_url": None,
            "release_notes": "",
            "message": "No update required.",
        }
    latest = Version.parse(release.latest_version)
    minimum = Version.parse(release.minimum_version)
    required, available = version < minimum, version < latest
    return {
        "platform": platform,
        "current_version": str(version),
        "latest_version": release.latest_version,
        "minimum_version": release.minimum_version,
        "update_available": available,
        "update_required": required,
        "store_url": release.store_url,
        "release_notes": release.release_notes,
        "message": _version_message(available=available, required=required),
    }


def _version_message(*, available, required):
    if required:
        return "An update is required."
    return "An update is available." if available else "No update required."
