from django.conf import settings
from rest_framework import serializers

from ar.models import ARModel, ARModelDownload, MobileAppRelease, ModelFormat
from ar.validation import CONTENT_TYPES
from ar.versioning import Version
from designiaBackend.api.fields import PublicIdField
from designiaBackend.errors import ApplicationError
from marketplace.catalog.products.serializers import ProductCardSerializer

SHA256_HEX = r"^[0-9a-fA-F]{64}$"
DEVICE_ID = r"^[A-Za-z0-9._:-]{1,100}$"


# --- models ---------------------------------------------------------------------------------


class ARModelSerializer(serializers.ModelSerializer):
    filename = serializers.CharField(source="original_filename")
    checksum_algorithm = serializers.SerializerMethodField()
    content_type = serializers.SerializerMethodField()

    class Meta:
        model = ARModel
        fields = [
            "format",
            "filename",
            "content_type",
            "size",
            "checksum",
            "checksum_algorithm",
            "version",
            "vertex_count",
            "mesh_count",
            "created_at",
            "updated_at",
        ]

    def get_checksum_algorithm(self, model) -> str:
        return "sha256"

    def get_content_type(self, model) -> str:
        return CONTENT_TYPES[model.format]


class ARModelSetSerializer(serializers.Serializer):
    """Every format of one product's model; ``etag`` is also sent as the ETag header."""

    product_id = PublicIdField()
    has_ar_model = serializers.BooleanField()
    formats = serializers.ListField(child=serializers.CharField(), help_text="The formats stored: glb, usdz.")
    models = ARModelSerializer(many=True)
    etag = serializers.CharField()


class ARModelUploadResultSerializer(ARModelSerializer):
    product_id = PublicIdField()

    class Meta(ARModelSerializer.Meta):
        fields = ["product_id", *ARModelSerializer.Meta.fields]


class MultipartUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The GLB or USDZ file; the format is read from its content.")
    format = serializers.ChoiceField(
        choices=ModelFormat.choices, required=False, help_text="If given, the file must be of this format."
    )


class DataURLUploadSerializer(serializers.Serializer):
    model_content = serializers.CharField(help_text="data:<type>;base64,<data> (or bare base64).")
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)
    format = serializers.ChoiceField(choices=ModelFormat.choices, required=False)


class ModelFormatQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ModelFormat.choices)


class OptionalModelFormatQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=ModelFormat.choices, required=False, help_text="Only this format; all formats when omitted."
    )


class DownloadLinkSerializer(serializers.Serializer):
    product_id = PublicIdField()
    format = serializers.ChoiceField(choices=ModelFormat.choices)
    url = serializers.URLField()
    expires_in = serializers.IntegerField(help_text="Seconds the URL stays valid.")
    expires_at = serializers.DateTimeField()
    filename = serializers.CharField()
    size = serializers.IntegerField()
    checksum = serializers.CharField()
    version = serializers.IntegerField()


# --- presigned uploads --------------------------------------------------------------------------


class UploadStartSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=ModelFormat.choices)
    size = serializers.IntegerField(min_value=1, help_text="Exact size of the file in bytes.")
    checksum_sha256 = serializers.RegexField(SHA256_HEX, help_text="SHA-256 of the file, hex.")
    filename = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate_size(self, value):
        if value > settings.AR_MODEL_MAX_SIZE:
            raise serializers.ValidationError(f"The model may not exceed {settings.AR_MODEL_MAX_SIZE} bytes.")
        return value


class UploadTicketSerializer(serializers.Serializer):
    upload_id = serializers.UUIDField()
    upload_url = serializers.URLField()
    method = serializers.CharField()
    headers = serializers.DictField(
        child=serializers.CharField(), help_text="Send these headers with the PUT."
    )
    expires_at = serializers.DateTimeField()
    max_size = serializers.IntegerField()


# --- downloads -------------------------------------------------------------------------------


class DownloadRecordInputSerializer(serializers.Serializer):
    product_id = PublicIdField()
    format = serializers.ChoiceField(choices=ModelFormat.choices)
    device_id = serializers.RegexField(DEVICE_ID, help_text="A stable id of the app install.")
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)
    checksum = serializers.RegexField(SHA256_HEX, required=False)


class DownloadListQuerySerializer(serializers.Serializer):
    device_id = serializers.RegexField(DEVICE_ID, required=False)


class DownloadRecordSerializer(serializers.ModelSerializer):
    product_id = PublicIdField(read_only=True)
    product_name = serializers.CharField(source="product.name")
    product_slug = serializers.CharField(source="product.slug")
    current_version = serializers.SerializerMethodField()
    current_checksum = serializers.SerializerMethodField()
    is_available = serializers.SerializerMethodField()
    is_up_to_date = serializers.SerializerMethodField()

    class Meta:
        model = ARModelDownload
        fields = [
            "product_id",
            "product_name",
            "product_slug",
            "format",
            "device_id",
            "version",
            "checksum",
            "download_count",
            "first_downloaded_at",
            "last_downloaded_at",
            "current_version",
            "current_checksum",
            "is_available",
            "is_up_to_date",
        ]

    def _current(self, record):
        product = record.product
        if not product.is_active or product.deleted_at is not None:
            return None
        models = getattr(product, "ar_model_list", None)
        if models is None:
            models = list(product.ar_models.all())
        return next((model for model in models if model.format == record.format), None)

    def get_current_version(self, record) -> int | None:
        current = self._current(record)
        return current.version if current else None

    def get_current_checksum(self, record) -> str | None:
        current = self._current(record)
        return current.checksum if current else None

    def get_is_available(self, record) -> bool:
        return self._current(record) is not None

    def get_is_up_to_date(self, record) -> bool:
        current = self._current(record)
        return bool(current and current.checksum == record.checksum)


# --- catalogue of products with AR ------------------------------------------------------------------


class ARProductListQuerySerializer(serializers.Serializer):
    category = serializers.ListField(
        child=serializers.SlugField(max_length=120),
        required=False,
        help_text="Category slug, repeatable; a parent category includes its children.",
    )
    format = serializers.ChoiceField(choices=ModelFormat.choices, required=False)


class ARFormatSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ARModel
        fields = ["format", "size", "checksum", "version", "updated_at"]


class ARCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ARProductSerializer(ProductCardSerializer):
    category = ARCategorySerializer(allow_null=True)
    ar_models = ARFormatSummarySerializer(source="ar_model_list", many=True)


# --- mobile app version check -----------------------------------------------------------------------


class AppVersionQuerySerializer(serializers.Serializer):
    """``version``, or ``current_version`` as the upstream API named it (``version`` wins)."""

    platform = serializers.ChoiceField(choices=MobileAppRelease.Platform.choices)
    version = serializers.CharField(max_length=64)
    current_version = serializers.CharField(max_length=64, required=False, write_only=True)

    def to_internal_value(self, data):
        if "version" not in data and "current_version" in data:
            data = {**data, "version": data["current_version"]}
        return super().to_internal_value(data)

    def validate_version(self, value):
        try:
            return Version.parse(value)
        except ApplicationError as exc:
            raise serializers.ValidationError(exc.message) from exc


class AppVersionCheckSerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=MobileAppRelease.Platform.choices)
    current_version = serializers.CharField()
    latest_version = serializers.CharField(allow_null=True, help_text="null when no release is configured")
    minimum_version = serializers.CharField(allow_null=True, help_text="null when no release is configured")
    update_available = serializers.BooleanField()
    update_required = serializers.BooleanField()
    store_url = serializers.URLField(allow_null=True, help_text="null when no release is configured")
    release_notes = serializers.CharField()
    message = serializers.CharField(help_text="No update required. / An update is available. / ... required.")
