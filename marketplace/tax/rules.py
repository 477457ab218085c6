"""Tax by destination, in one place (``marketplace.ordering.pricing`` calls it per seller group).

- The rate is the shipping country's: the EU VAT table (``VatRate``, staff-editable), else
  ``TAX_RATES`` (settings, ``{"US": "0", ...}``), else the flat ``TAX_DEFAULT_RATE`` (0 unless
  set; it also applies when no country is known yet).
- A seller in an EU country prices VAT-inclusive: the group's tax is the part of its price (items
  and shipping, less its discount) that is VAT at the destination's rate, and the buyer pays the
  prices shown. Other sellers price exclusive: the tax is added on top of items and shipping.
- The flat ``TAX_DEFAULT_RATE`` rule keeps its old base (the items only, added on top).

These rules are the ``table`` tax provider (``marketplace.tax.providers``, the default).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from designiaBackend.errors import ApplicationError
from marketplace.tax.models import VatRate

# EU member states (the VAT area); their standard rates are rows of ``VatRate``.
EU_COUNTRIES = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


@dataclass(frozen=True)
class TaxRule:
    rate: Decimal
    source: str  # "eu_vat", "settings", "flat" or "stripe" (computed by Stripe Tax at payment)
    country: str = ""

    @property
    def taxes_shipping(self) -> bool:
        return self.source != "flat"


def tax_rule_for(country: str) -> TaxRule:
    """The rule for a shipping country ('' before one is known): one primary-key query at most."""
    code = (country or "").upper()
    if code:
        rate = VatRate.objects.filter(pk=code).values_list("rate", flat=True).first()
        if rate is not None:
            return TaxRule(Decimal(rate), "eu_vat", code)
        configured = settings.TAX_RATES.get(code)
        if configured is not None:
            return TaxRule(Decimal(configured), "settings", code)
        if settings.TAX_REFUSE_UNKNOWN_COUNTRIES:
            raise NoTaxRule(code)
    return TaxRule(Decimal(settings.TAX_DEFAULT_RATE), "flat", code)


def prices_include_tax(seller_country: str) -> bool:
    return (seller_country or "").upper() in EU_COUNTRIES


class NoTaxRule(ApplicationError):
    code = "no_tax_rule"
    status = 400
    default_message = "We cannot compute the tax for this country."

    def __init__(self, country: str):
        super().__init__(
            f"There is no tax rule for {country}: we cannot ship there yet.", extra={"country": country}
        )
