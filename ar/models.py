import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from ar.versioning import Version, is_valid_version
from marketplace.catalog.models import Product


class ModelFormat(models.TextChoices):
    GLB = "glb", "GLB (glTF binary, Android and web)"
    USDZ = "usdz", "USDZ (iOS AR Quick Look)"


class ARModel(models.Model):
    """One 3D model file of a product in one format, kept in private storage.

    ``storage_name`` is the file's name in ``infrastructure.storage.private_storage``; it
    changes on every replacement (and ``version`` goes up), so cached links never serve a
    stale file. ``checksum`` is the SHA-256 of the bytes, which the app compares to skip
    unchanged downloads.
    """

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ar_models")
    format = models.CharField(max_length=8, choices=ModelFormat.choices)
    storage_name = models.CharField(max_length=255, unique=True)
    original_filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    checksum = models.CharField(max_length=64)
    vertex_count = models.PositiveIntegerField(null=True, blank=True)  # GLB only
    mesh_count = models.PositiveIntegerField(null=True, blank=True)  # GLB only
    version = models.PositiveIntegerField(default=1)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AR model"
        ordering = ["product_id", "format"]
        constraints = [
            models.UniqueConstraint(fields=["product", "format"], name="ar_model_one_per_product_format"),
        ]

    def __str__(self):
        return f"{self.get_format_display()} of product {self.product_id} (v{self.version})"


class ARModelUpload(models.Model):
    """A presigned direct-to-storage upload: started, then finished (verified) or failed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=ModelFormat.choices)
    storage_name = models.CharField(max_length=255, unique=True)
    original_filename = models.CharField(max_length=255)
    expected_size = models.PositiveBigIntegerField()
    expected_checksum = models.CharField(max_length=64)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    failure_reason = models.CharField(max_length=300, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "AR model upload"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Upload {self.pk} ({self.status})"


class ARModelDownload(models.Model):
    """What one device of a user has downloaded: the version and checksum it holds.

    Keyed by product and format rather than by the model row, so the record survives a model's
    deletion (the device is then told the model is gone).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    device_id = models.CharField(max_length=100)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=8, choices=ModelFormat.choices)
    version = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)
    download_count = models.PositiveIntegerField(default=1)
    first_downloaded_at = models.DateTimeField(auto_now_add=True)
    last_downloaded_at = models.DateTimeField()

    class Meta:
        verbose_name = "AR model download"
        ordering = ["-last_downloaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "device_id", "product", "format"], name="ar_download_one_per_device"
            ),
        ]
        indexes = [models.Index(fields=["product", "format"], name="ar_download_model")]

    def __str__(self):
        return f"{self.format} of product {self.product_id} on {self.device_id}"


class MobileAppRelease(models.Model):
    """Latest and minimum supported version of the mobile app on one platform (set in the admin)."""

    class Platform(models.TextChoices):
        IOS = "ios", "iOS"
        ANDROID = "android", "Android"

    platform = models.CharField(max_length=10, choices=Platform.choices, unique=True)
    latest_version = models.CharField(max_length=64)
    minimum_version = models.CharField(max_length=64)
    store_url = models.URLField(max_length=500)
    release_notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "mobile app release"
        ordering = ["platform"]

    def __str__(self):
        return f"{self.get_platform_display()} {self.latest_version} (min {self.minimum_version})"

    def clean(self):
        errors = {
            field: "Use a semantic version such as 1.4.2 or 2.0.0-beta.1."
            for field in ("latest_version", "minimum_version")
            if not is_valid_version(getattr(self, field))
        }
        if errors:
            raise ValidationError(errors)
        if Version.parse(self.minimum_version) > Version.parse(self.latest_version):
            raise ValidationError({"minimum_version": "The minimum version cannot be above the latest."})
