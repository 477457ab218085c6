"""The category output shape (E25)."""

from rest_framework import serializers


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    ordering = serializers.IntegerField()
    product_count = serializers.IntegerField()
