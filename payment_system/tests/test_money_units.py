from decimal import Decimal

import pytest

from infrastructure.payments import from_minor, to_minor
from marketplace.ordering.pricing import allocate


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [(Decimal("12.50"), "usd", 1250), (Decimal("0.01"), "EUR", 1), (Decimal("1500"), "jpy", 1500)],
)
def test_minor_units_round_trip(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == amount


def test_fractions_of_a_minor_unit_are_refused():
    with pytest.raises(ValueError, match="not a whole number"):
        to_minor(Decimal("1.005"), "usd")
    with pytest.raises(ValueError):
        to_minor(Decimal("10.5"), "jpy")


def test_allocation_adds_up_to_the_cent():
    shares = allocate(Decimal("10.00"), {"a": Decimal("1"), "b": Decimal("1"), "c": Decimal("1")})

    assert shares == {"a": Decimal("3.33"), "b": Decimal("3.33"), "c": Decimal("3.34")}
    assert allocate(Decimal("5.00"), {"a": Decimal("0"), "b": Decimal("0")}) == {
        "a": Decimal("5.00"),
        "b": Decimal("0"),
    }
