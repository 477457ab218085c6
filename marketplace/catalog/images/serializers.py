"""Product photo input (data URLs, uploads, reorder) and the image output shape."""

from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField


class ImageDataSerializer(serializers.Serializer):
    image_content = serializers.CharField()
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_primary = serializers.BooleanField(required=False, default=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ImageReorderSerializer(serializers.Serializer):
    image_ids = serializers.ListField(child=PublicIdField(), max_length=100)


class ImageUploadSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)
    image_data = ImageDataSerializer(many=True, required=False)
    # The photos show this variant of the product (absent or null: every variant).
    variant_id = PublicIdField(required=False, allow_null=True)


class ProductImageSerializer(serializers.Serializer):
    id = PublicIdField()
    url = serializers.URLField()
    image = serializers.URLField()
    thumbnail = serializers.URLField()
    alt_text = serializers.CharField()
    is_primary = serializers.BooleanField()
    order = serializers.IntegerField()
    variant_id = PublicIdField(allow_null=True)
