import re
from decimal import Decimal
from typing import Any

from rest_framework import serializers

CURRENCY = re.compile(r"^[A-Za-z]{3}$")
MAX_AMOUNT = Decimal("1000000000000")


def _currency(value: str) -> str:
    value = value.strip()
    if not CURRENCY.match(value):
        raise serializers.ValidationError(f"'{value[:10]}' is not a three-letter currency code.")
    return value.upper()


class CurrencyField(serializers.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("min_length", 3)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        return _currency(super().to_internal_value(data))


class AmountField(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=18, decimal_places=6, min_value=Decimal(0), max_value=MAX_AMOUNT, **kwargs
        )


class ExchangeRatesQuerySerializer(serializers.Serializer):
    base = CurrencyField(required=False, help_text="Defaults to DEFAULT_CURRENCY.")
    symbols = serializers.CharField(
        required=False, max_length=400, help_text="Comma-separated currency codes; all when omitted."
    )
    amount = AmountField(required=False, help_text="Also convert this amount of `base` to every symbol.")

    def validate_symbols(self, value: str) -> list[str]:
        codes = [_currency(code) for code in value.split(",") if code.strip()]
        if not codes:
            raise serializers.ValidationError("Give at least one currency code.")
        return list(dict.fromkeys(codes))


class ExchangeRatesSerializer(serializers.Serializer):
    base = serializers.CharField()
    date = serializers.DateField()
    source = serializers.CharField()
    rates = serializers.DictField(
        child=serializers.CharField(), help_text="Units of each currency per 1 base."
    )
    amount = serializers.CharField(required=False)
    converted = serializers.DictField(child=serializers.CharField(), required=False)
