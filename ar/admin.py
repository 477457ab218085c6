from django.contrib import admin
from django.db import models
from django.utils.html import format_html

from ar import selectors
from ar.models import ARModel, ARModelDownload, ARModelUpload, MobileAppRelease
from ar.services import ar_model_delete
from designiaBackend.api.admin import ReadOnlyAdmin
from infrastructure.storage import private_url


@admin.register(ARModel)
class ARModelAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "format",
        "size",
        "version",
        "vertex_count",
        "mesh_count",
        "downloads",
        "devices",
        "uploaded_by",
        "updated_at",
    ]
    list_filter = ["format"]
    search_fields = ["product__name", "product__slug", "checksum"]
    readonly_fields = ["download_link"]
    list_select_related = ["product", "uploaded_by"]

    def get_queryset(self, request):
        return selectors.ar_model_list_with_download_counts()

    @admin.display(description="downloads", ordering="downloads_total")
    def downloads(self, model):
        return model.downloads_total

    @admin.display(description="devices", ordering="devices_total")
    def devices(self, model):
        return model.devices_total

    @admin.display(description="file")
    def download_link(self, model):
        return format_html('<a href="{}">{}</a>', private_url(model.storage_name), model.original_filename)

    def has_delete_permission(self, request, obj=None):
        return admin.ModelAdmin.has_delete_permission(self, request, obj)

    def delete_model(self, request, obj):
        ar_model_delete(product=obj.product, model_format=obj.format)

    def delete_queryset(self, request, queryset):
        for model in queryset.select_related("product").order_by("pk"):
            ar_model_delete(product=model.product, model_format=model.format)


@admin.register(ARModelDownload)
class ARModelDownloadAdmin(ReadOnlyAdmin):
    list_display = [
        "product",
        "format",
        "user",
        "device_id",
        "version",
        "download_count",
        "last_downloaded_at",
    ]
    list_filter = ["format"]
    search_fields = ["product__name", "user__email", "device_id"]
    list_select_related = ["product", "user"]


@admin.register(ARModelUpload)
class ARModelUploadAdmin(ReadOnlyAdmin):
    list_display = ["id", "product", "format", "status", "expected_size", "uploaded_by", "created_at"]
    list_filter = ["status", "format"]
    list_select_related = ["product", "uploaded_by"]


@admin.register(MobileAppRelease)
class MobileAppReleaseAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["platform", "latest_version", "minimum_version", "store_url", "updated_at"]
