"""Shipping profile input and output (profile ids are strings, contract C21)."""

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from marketplace.shipping.countries import is_country

PRICE = {"max_digits": 10, "decimal_places": 2, "min_value": Decimal("0.00")}


@extend_schema_field(OpenApiTypes.STR)
class CountryField(serializers.CharField):
    """An ISO 3166-1 alpha-2 country code (any case in, upper case out)."""

    default_error_messages = {"country": "{value} is not a country code (ISO 3166-1 alpha-2, e.g. PT)."}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("allow_blank", "default" in kwargs)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data).strip().upper()
        if value and not is_country(value):
            self.fail("country", value=value)
        return value


class ShippingZoneSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    countries = serializers.ListField(child=CountryField(), max_length=250, required=False, default=list)
    rest_of_world = serializers.BooleanField(required=False, default=False)
    base_price = serializers.DecimalField(**PRICE)
    price_per_kg = serializers.DecimalField(**PRICE, required=False, default=Decimal("0.00"))

    def validate(self, attrs):
        if attrs.get("rest_of_world") == bool(attrs.get("countries")):
            raise serializers.ValidationError("A zone lists countries or is the rest of the world, not both.")
        if len(set(attrs.get("countries", []))) != len(attrs.get("countries", [])):
            raise serializers.ValidationError({"countries": ["A country is listed twice."]})
        return attrs


def zones_overlap(zones) -> str | None:
    """Why zones of one profile overlap (``None`` when they do not)."""
    seen: set = set()
    for zone in zones:
        repeated = seen & set(zone["countries"])
        if repeated:
            return f"{', '.join(sorted(repeated))} is in two zones."
        seen |= set(zone["countries"])
    if sum(1 for zone in zones if zone["rest_of_world"]) > 1:
        return "Only one zone can be the rest of the world."
    return None


class ShippingProfileSerializer(serializers.Serializer):
    id = serializers.CharField(read_only=True)
    name = serializers.CharField(max_length=100)
    is_default = serializers.BooleanField(required=False, default=False)
    processing_days_min = serializers.IntegerField(min_value=0, max_value=365, required=False, default=1)
    processing_days_max = serializers.IntegerField(min_value=0, max_value=365, required=False, default=3)
    free_shipping_threshold = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        required=False,
        allow_null=True,
        default=None,
    )
    # An empty list is refused in validate_zones, so its error is a plain list like the others.
    zones = ShippingZoneSerializer(many=True, max_length=50)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["zones"] = ShippingZoneSerializer(instance.zones.all(), many=True).data
        return data

    def validate_zones(self, zones):
        if not zones:
            raise serializers.ValidationError("A profile needs at least one zone.")
        overlap = zones_overlap(zones)
        if overlap:
            raise serializers.ValidationError(overlap)
        return zones

    def validate(self, attrs):
        instance = self.instance
        low = attrs.get("processing_days_min", getattr(instance, "processing_days_min", 1))
        high = attrs.get("processing_days_max", getattr(instance, "processing_days_max", 3))
        if low > high:
            raise serializers.ValidationError(
                {"processing_days_max": ["The longest processing time is shorter than the shortest."]}
            )
        return attrs
