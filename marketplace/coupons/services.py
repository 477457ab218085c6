"""Coupon writes: create (seller for their shop, staff for the platform), apply to and remove from a
cart, and count a use at checkout under the coupon's row lock."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from designiaBackend.errors import PermissionDeniedError
from marketplace.coupons.exceptions import (
    CouponAlreadyApplied,
    CouponInvalid,
    CouponNotApplicable,
    CouponUsedUp,
)
from marketplace.coupons.models import Coupon, CouponRedemption
from marketplace.coupons.pricing import CouponDiscount
from marketplace.lock_objects import cart_for_update, coupon_for_update
from marketplace.ordering.models import CartItem
from marketplace.ordering.pricing import ZERO, QuoteLine, line_discounts


@transaction.atomic
def coupon_create(*, user, data: dict) -> Coupon:
    """A seller's code for their own shop; staff may create a platform code (``platform=True``)."""
    data = dict(data)
    platform = data.pop("platform", False)
    products = data.pop("products", [])
    if platform and not user.is_staff:
        raise PermissionDeniedError("Only staff create platform codes.")
    if not platform and getattr(user, "role", None) != "seller" and not user.is_staff:
        raise PermissionDeniedError("Only sellers create codes for their shop.")
    seller = None if platform else user
    if seller is not None and any(product.seller_id != seller.pk for product in products):
        raise CouponNotApplicable("A code can only name products of your own shop.")
    coupon = Coupon.objects.create(seller=seller, **data)
    if products:
        coupon.products.set(products)
    return coupon


def _check_valid(coupon: Coupon | None, code: str) -> Coupon:
    now = timezone.now()
    if coupon is None or not coupon.is_active:
        raise CouponInvalid(f"{code} is not a valid code.")
    if coupon.starts_at and coupon.starts_at > now:
        raise CouponInvalid(f"{code} is not valid yet.")
    if coupon.ends_at and coupon.ends_at <= now:
        raise CouponInvalid(f"{code} has expired.")
    return coupon


def _check_uses(coupon: Coupon, buyer) -> None:
    if coupon.max_uses is not None and coupon.uses_count >= coupon.max_uses:
        raise CouponUsedUp(f"{coupon.code} has been used up.")
    if coupon.max_uses_per_buyer is not None:
        used = CouponRedemption.objects.filter(coupon=coupon, buyer=buyer).count()
        if used >= coupon.max_uses_per_buyer:
            raise CouponUsedUp(f"You have already used {coupon.code}.")


def _check_covers(coupon: Coupon, lines: list[QuoteLine]) -> dict:
    discount = CouponDiscount.of(coupon)
    covered = [line for line in lines if discount.covers(line.product)]
    if not covered:
        owner = "another shop" if coupon.seller_id else "no item"
        raise CouponNotApplicable(f"{coupon.code} is a code of {owner} in your cart.")
    currencies = {line.product.currency.upper() for line in covered}
    if coupon.currency and coupon.currency.upper() not in currencies:
        raise CouponNotApplicable(f"{coupon.code} is an amount in {coupon.currency}.")
    eligible = sum((line.amount for line in covered), ZERO)
    if eligible < coupon.min_spend:
        raise CouponNotApplicable(
            f"{coupon.code} needs a spend of at least {coupon.min_spend} on the items it covers."
        )
    return line_discounts(lines, discount)


def _cart_lines(cart) -> list[QuoteLine]:
    items = (
        CartItem.objects.filter(cart=cart).select_related("product", "variant").order_by("product_id", "pk")
    )
    return [QuoteLine(item.product, item.quantity, item.variant) for item in items]


@transaction.atomic
def cart_apply_coupon(*, user, code: str):
    cart = cart_for_update(user)
    code = code.strip()
    coupon = _check_valid(Coupon.objects.filter(code__iexact=code).first(), code)
    if cart.coupon_id == coupon.pk:
        raise CouponAlreadyApplied(f"{coupon.code} is already applied to your cart.")
    _check_uses(coupon, user)
    _check_covers(coupon, _cart_lines(cart))
    cart.coupon = coupon
    cart.save(update_fields=["coupon", "updated_at"])
    return cart


@transaction.atomic
def cart_remove_coupon(*, user):
    cart = cart_for_update(user)
    if cart.coupon_id is not None:
        cart.coupon = None
        cart.save(update_fields=["coupon", "updated_at"])
    return cart


def coupon_for_checkout(*, cart, buyer, lines: list[QuoteLine]) -> Coupon | None:
    """The cart's coupon, locked and checked again (inside checkout's transaction, after the products'
    locks): another buyer taking its last use first makes this checkout answer 409."""
    if cart.coupon_id is None:
        return None
    coupon = coupon_for_update(cart.coupon_id)
    coupon = _check_valid(coupon, coupon.code if coupon else "The code")
    _check_uses(coupon, buyer)
    _check_covers(coupon, lines)
    return coupon


def coupon_redeem(*, coupon: Coupon, buyer, order, discount_amount: Decimal) -> CouponRedemption:
    """Count one use (the coupon is locked by ``coupon_for_checkout``)."""
    Coupon.objects.filter(pk=coupon.pk).update(uses_count=coupon.uses_count + 1)
    coupon.uses_count += 1
    return CouponRedemption.objects.create(
        coupon=coupon, buyer=buyer, order=order, discount_amount=discount_amount
    )


def coupon_release_for_order(*, order) -> bool:
    """An order cancelled before it was paid gives its use back (the coupon locked last, after the
    order and its products, as checkout does). False when the order used no coupon."""
    redemption = CouponRedemption.objects.filter(order=order).first()
    if redemption is None:
        return False
    coupon = coupon_for_update(redemption.coupon_id)
    if coupon is not None:  # a deleted coupon has no use count to give back
        Coupon.objects.filter(pk=coupon.pk).update(uses_count=max(coupon.uses_count - 1, 0))
    redemption.delete()
    return True
