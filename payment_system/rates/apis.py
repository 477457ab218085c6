"""Public exchange rates: read from the database only, never from the provider."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.currencies import quantize_money
from designiaBackend.errors import ServiceUnavailableError
from payment_system.rates import serializers
from payment_system.rates.conversion import convert, cross_rate, display_rate
from payment_system.rates.selectors import exchange_rate_table_latest


class RatesUnavailableError(ServiceUnavailableError):
    code = "exchange_rates_unavailable"
    default_message = "Exchange rates are not available yet."


class ExchangeRateListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="exchange_rates_list",
        parameters=[serializers.ExchangeRatesQuerySerializer],
        responses={
            200: serializers.ExchangeRatesSerializer,
            400: OpenApiResponse(description="Field errors, e.g. an unknown currency"),
            503: OpenApiResponse(description="No rates stored yet"),
        },
    )
    def get(self, request: Request) -> Response:
        """The latest stored rates for `base` (cross rates through the provider's base); with
        `amount`, that amount (rounded to `base`'s minor unit) converted to each currency and
        rounded to its minor unit with banker's rounding."""
        query = serializers.ExchangeRatesQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        table = exchange_rate_table_latest()
        if table is None:
            raise RatesUnavailableError()
        base = query.validated_data.get("base", settings.DEFAULT_CURRENCY.upper())
        symbols = query.validated_data.get("symbols") or sorted(table.currencies - {base})
        if base not in table.currencies:
            raise ValidationError({"base": [f"No exchange rate for {base}."]})
        unknown = [code for code in symbols if code not in table.currencies]
        if unknown:
            raise ValidationError({"symbols": [f"No exchange rate for {', '.join(unknown)}."]})
        body = {
            "base": base,
            "date": table.date,
            "source": table.source,
            "rates": {code: display_rate(cross_rate(table, base, code)) for code in symbols},
        }
        if "amount" in query.validated_data:
            amount = quantize_money(query.validated_data["amount"], base)
            body["amount"] = str(amount)
            body["converted"] = {code: str(convert(table, amount, base, code)) for code in symbols}
        return Response(serializers.ExchangeRatesSerializer(body).data)
