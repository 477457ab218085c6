"""Prices shown in a buyer's currency (``?currency=XXX`` or the profile's preferred currency).

Display only: stored prices, carts and orders keep the product's own currency. The rates are the
payment system's latest stored day, read through a seam it registers at start-up
(``PaymentSystemConfig.ready``): the marketplace never imports ``payment_system``. The source
answers from one cache read (no query per row, no query at all once warm).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from drf_spectacular.utils import OpenApiParameter

from authentication.selectors import profile_preferred_currency
from designiaBackend.errors import ApplicationError

CURRENCY_PATTERN = re.compile(r"^[A-Za-z]{3}$")
CURRENCY_PARAMETER = OpenApiParameter(
    "currency",
    str,
    description=(
        "ISO 4217 code to show prices in (adds display_price, display_original_price, "
        "display_currency, display_rate_date); default: the profile's preferred currency"
    ),
)
DISPLAY_FIELDS = ("display_price", "display_original_price", "display_currency", "display_rate_date")


class DisplayRates(Protocol):
    """The latest day of rates, as the payment system offers it."""

    @property
    def date(self) -> date: ...

    @property
    def currencies(self) -> set[str]: ...

    def convert(self, amount: Decimal, from_currency: str, to_currency: str) -> Decimal:
        """``amount`` converted and rounded to ``to_currency``'s minor unit; KeyError-free for
        currencies in ``currencies``, ``ValueError`` otherwise."""
        ...


class UnsupportedCurrency(ApplicationError):
    code = "unsupported_currency"
    status = 400
    default_message = "Prices cannot be shown in this currency."

    def __init__(self, currency: str, supported: Iterable[str]):
        supported = sorted(supported)
        listed = ", ".join(supported) if supported else "none yet (no exchange rates stored)"
        super().__init__(
            f"Prices cannot be shown in {currency}. Supported currencies: {listed}.",
            extra={"supported_currencies": supported},
        )


_source: Callable[[], DisplayRates | None] | None = None


def register_rate_source(source: Callable[[], DisplayRates | None]) -> None:
    global _source
    _source = source


def display_rates() -> DisplayRates | None:
    return _source() if _source is not None else None


@dataclass(frozen=True)
class DisplayCurrency:
    currency: str
    rates: DisplayRates

    @property
    def cache_namespace(self) -> str:
        return f"{self.currency}:{self.rates.date.isoformat()}"

    def amount(self, value: Any, from_currency: str) -> str | None:
        if value is None or value == "":
            return None
        try:
            converted = self.rates.convert(Decimal(str(value)), from_currency.upper(), self.currency)
        except ValueError:  # a product priced in a currency the rates do not know
            return None
        return format(converted, "f")

    def fields(self, *, price: Any, original_price: Any, currency: str) -> dict[str, str | None]:
        return {
            "display_price": self.amount(price, currency),
            "display_original_price": self.amount(original_price, currency),
            "display_currency": self.currency,
            "display_rate_date": self.rates.date.isoformat(),
        }

    def apply(self, items: Iterable[dict]) -> None:
        """Add the display fields to product dicts (``price``, ``original_price``, ``currency``)."""
        for item in items:
            item.update(
                self.fields(
                    price=item.get("price"),
                    original_price=item.get("original_price"),
                    currency=item["currency"],
                )
            )


def display_currency_for(request) -> DisplayCurrency | None:
    """The display currency of a request: ``?currency=`` (400 ``unsupported_currency`` listing the
    supported ones when unknown), else the signed-in user's preferred currency when it is
    supported, else None (prices shown as stored, no display fields)."""
    requested = request.query_params.get("currency")
    if requested is not None:
        code = requested.strip().upper()
        rates = display_rates()
        supported = rates.currencies if rates is not None else set()
        if not CURRENCY_PATTERN.match(code) or code not in supported:
            raise UnsupportedCurrency(requested.strip()[:10] or "''", supported)
        assert rates is not None
        return DisplayCurrency(code, rates)
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    preferred = profile_preferred_currency(user=user)
    if not preferred:
        return None
    rates = display_rates()
    if rates is None or preferred not in rates.currencies:
        return None
    return DisplayCurrency(preferred, rates)
