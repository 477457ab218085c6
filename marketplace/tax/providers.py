"""The tax interface: who computes an order's tax, chosen by ``TAX_PROVIDER``.

- ``table`` (the default): our rules (``marketplace.tax.rules``) price the tax per seller group
  in the cart and at checkout; Stripe gets it as line items (one per shipment).
- ``stripe``: Stripe Tax computes it on the Checkout Session (automatic tax, from the address the
  buyer enters there). Carts and new orders carry no tax (rate 0; EU sellers' prices are still
  marked VAT-inclusive); when the payment completes, the order keeps what Stripe reports
  (``reported_tax_split``, applied by ``marketplace.ordering.services.orders.order_record_reported_tax``).
"""

from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings

from marketplace.ordering.pricing import CENT, ZERO, allocate
from marketplace.tax.rules import TaxRule, tax_rule_for


class TaxProvider(Protocol):
    name: str
    # True: the payment provider computes the tax on the session (no tax lines of our own).
    automatic: bool

    def rule_for(self, country: str) -> TaxRule: ...


class TableTaxProvider:
    name = "table"
    automatic = False

    def rule_for(self, country: str) -> TaxRule:
        return tax_rule_for(country)


class StripeTaxProvider:
    name = "stripe"
    automatic = True

    def rule_for(self, country: str) -> TaxRule:
        # Rate 0 until Stripe reports; a destination rule (not "flat"), so EU sellers stay inclusive.
        return TaxRule(ZERO, "stripe", (country or "").upper())


def tax_provider() -> TaxProvider:
    if settings.TAX_PROVIDER == "stripe":
        return StripeTaxProvider()
    return TableTaxProvider()


class ReportedTaxMismatch(ValueError):
    """The tax Stripe reports cannot be the tax of these parts (the order goes to review)."""


def reported_tax_split(
    parts: dict[Any, tuple[Decimal, bool]], *, amount_tax: Decimal, charged: Decimal, unit: Decimal = CENT
) -> dict[Any, tuple[Decimal, Decimal]]:
    """Split the tax Stripe computed over an order's shipments: ``{key: (tax, tax_included)}``.

    ``parts`` is ``{shipment key: (its total before tax, prices include tax)}`` in a stable order;
    ``charged`` what Stripe charged. The tax Stripe added on top (``charged`` less the parts'
    totals) goes to the tax-exclusive shipments, the rest of ``amount_tax`` (VAT inside the prices)
    to the inclusive ones, each in proportion to their totals; each remainder goes to the last
    shipment of its kind (in ``parts``' order), so the shares add up to ``amount_tax`` exactly.
    """
    added = charged - sum((total for total, _ in parts.values()), ZERO)
    included = amount_tax - added
    exclusive = {key: total for key, (total, inclusive) in parts.items() if not inclusive}
    inclusive_parts = {key: total for key, (total, inclusive) in parts.items() if inclusive}
    if added < ZERO or included < ZERO:
        raise ReportedTaxMismatch(f"Stripe charged {charged} with {amount_tax} of tax")
    if (added and not exclusive) or (included and not inclusive_parts):
        raise ReportedTaxMismatch(f"Stripe's tax {amount_tax} does not fit the order's prices")
    added_shares = allocate(added, exclusive, unit)
    included_shares = allocate(included, inclusive_parts, unit)
    return {
        key: ((included_shares[key], included_shares[key]) if inclusive else (added_shares[key], ZERO))
        for key, (_, inclusive) in parts.items()
    }
