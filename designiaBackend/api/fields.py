"""Serializer fields shared by every app.

``PublicIdField``: the id of a public object (product, order item, review, image, thread,
message, ...) as the web client sees it: a JSON string (contract §4.2 and C21; category ids
stay integers). The database keeps integer keys; a client may send the id back as a string or,
as older clients do, as a number. Why a serializer rule and not UUID keys: docs/adr/.
"""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designiaBackend.money import DECIMAL_PLACES, MAX_DIGITS

ID_MAX = 2**63 - 1  # the largest BIGINT key


def public_id(value):
    """A key as the client sees it, for the responses built as plain dicts."""
    return None if value is None else str(value)


def parse_public_id(value):
    """The integer key behind a client's id (``"12"`` or ``12``), or ``None`` if it is not one."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    key = int(text)
    return key if 1 <= key <= ID_MAX else None


@extend_schema_field(OpenApiTypes.STR)
class PublicIdField(serializers.Field):
    default_error_messages = {"invalid": "A valid id is required."}

    def to_representation(self, value):
        return public_id(value)

    def to_internal_value(self, data):
        key = parse_public_id(data)
        if key is None:
            self.fail("invalid")
        return key


def money_serializer_field(*, max_digits: int = MAX_DIGITS, **options: Any) -> serializers.DecimalField:
    """An amount in a request or response, with the money columns' precision (``designiaBackend.money``)."""
    return serializers.DecimalField(max_digits=max_digits, decimal_places=DECIMAL_PLACES, **options)
