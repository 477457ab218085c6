from decimal import ROUND_DOWN, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal

import pytest

from designiaBackend.currencies import quantize_money
from infrastructure.payments import from_minor, to_minor
from marketplace.ordering.pricing import allocate, unit_of


@pytest.mark.parametrize(
    ("amount", "currency", "minor"),
    [
        (Decimal("12.50"), "usd", 1250),
        (Decimal("0.01"), "EUR", 1),
        (Decimal("1500"), "jpy", 1500),
        # Stripe takes three-decimal currencies in fils (x1000), in tens of them.
        (Decimal("12.50"), "kwd", 12500),
        (Decimal("100.00"), "isk", 10000),
    ],
)
def test_minor_units_round_trip(amount, currency, minor):
    assert to_minor(amount, currency) == minor
    assert from_minor(minor, currency) == amount


def test_fractions_of_a_minor_unit_are_refused():
    with pytest.raises(ValueError, match="not a whole number"):
        to_minor(Decimal("1.005"), "usd")
    with pytest.raises(ValueError):
        to_minor(Decimal("10.5"), "jpy")
    # Stripe writes ISK with two decimals but takes whole kronur only: prices and charges are whole.
    with pytest.raises(ValueError):
        to_minor(Decimal("100.50"), "isk")
    assert (unit_of("ISK"), unit_of("JPY"), unit_of("KWD"), unit_of("EUR")) == (
        1,
        1,
        Decimal("0.01"),
        Decimal("0.01"),
    )
    with pytest.raises(ValueError):
        to_minor(Decimal("1.005"), "kwd")  # a fils, not ten: Stripe refuses it


@pytest.mark.parametrize(
    ("rounding", "settlement", "currency", "expected"),
    [
        (ROUND_HALF_EVEN, False, "USD", "2.34"),
        (ROUND_HALF_UP, False, "USD", "2.35"),
        (ROUND_DOWN, True, "USD", "2.34"),
        (ROUND_HALF_EVEN, False, "KWD", "2.345"),
        (ROUND_DOWN, True, "KWD", "2.34"),
        (ROUND_HALF_UP, True, "JPY", "2"),
    ],
)
def test_one_rounding_to_the_minor_unit(rounding, settlement, currency, expected):
    amount = quantize_money(Decimal("2.345"), currency, rounding, settlement=settlement)

    assert str(amount) == expected


def test_allocation_adds_up_to_the_cent():
    shares = allocate(Decimal("10.00"), {"a": Decimal("1"), "b": Decimal("1"), "c": Decimal("1")})

    assert shares == {"a": Decimal("3.33"), "b": Decimal("3.33"), "c": Decimal("3.34")}
    assert allocate(Decimal("5.00"), {"a": Decimal("0"), "b": Decimal("0")}) == {
        "a": Decimal("5.00"),
        "b": Decimal("0"),
    }
