"""How an amount is stored: one definition of a money column (12 digits, 2 decimals).

Amounts are Decimal in the major unit of their row's currency; every money column of every app is
built here, so its precision is changed (with one migration per app) in one place.
"""

from decimal import Decimal
from typing import Any, TypeAlias

from django.db import models
from django.db.models.expressions import Combinable

MAX_DIGITS = 12
DECIMAL_PLACES = 2
ZERO = Decimal("0.00")

# A non-null money column: set from a Decimal (or what Django converts to one), read as a Decimal.
MoneyInput: TypeAlias = Decimal | int | float | str | Combinable
MoneyColumn: TypeAlias = "models.DecimalField[MoneyInput, Decimal]"


def money_field(*, max_digits: int = MAX_DIGITS, **options: Any) -> MoneyColumn:
    """A ``DecimalField`` with the money precision (``max_digits`` only for narrower legacy columns)."""
    return models.DecimalField(max_digits=max_digits, decimal_places=DECIMAL_PLACES, **options)
