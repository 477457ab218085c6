"""Admin building blocks shared by the apps."""

from __future__ import annotations  # ContentFile[bytes] (django-stubs' generic) is no runtime subscript

from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.conf import settings
from django.contrib import admin
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from infrastructure.images import InvalidImageError, image_content_file, validate_image


class ReadOnlyAdmin(admin.ModelAdmin):
    """A list and detail view for records that only services write (audit, support)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class UploadedImagesForm(forms.ModelForm):
    """An admin form whose image uploads are stored as the API stores them.

    ``image_fields`` maps a field to ``(setting of its byte limit, stem of the stored name)``. A
    newly uploaded file is validated by content and replaced by ``image_content_file``'s copy:
    re-encoded without EXIF, XMP or IPTC, the orientation applied, under a name made by the
    server. A field left alone or cleared is untouched. Subclasses name no Meta: the admin builds
    it (``form = ...`` on the ModelAdmin or inline), with its own fields and widgets.
    """

    image_fields: ClassVar[Mapping[str, tuple[str, str]]] = {}

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or self.cleaned_data
        for field, (limit_setting, stem) in self.image_fields.items():
            upload = cleaned.get(field)
            if not isinstance(upload, UploadedFile):
                continue
            try:
                info = validate_image(upload, max_bytes=getattr(settings, limit_setting))
            except InvalidImageError as error:
                self.add_error(field, error.message)
                continue
            upload.seek(0)
            content = image_content_file(upload.read(), info, stem=stem)
            cleaned[field] = content
            self.image_stored(field, content)
        return cleaned

    def image_stored(self, field: str, content: ContentFile[bytes]) -> None:
        """Called with each cleaned upload, before the instance is saved (e.g. for a thumbnail)."""
