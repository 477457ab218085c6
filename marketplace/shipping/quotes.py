"""Shipping cost of one seller group to a destination, from the products' shipping profiles.

A product ships by its own profile, else by its seller's default profile, else by the settings'
flat rule (``SHIPPING_FLAT_RATE`` below ``FREE_SHIPPING_THRESHOLD``), so products created before
profiles existed keep their price. Per profile: the zone naming the country (else the
rest-of-world zone) costs ``base_price + price_per_kg x weight`` (a variant's weight, else its
product's; weightless items add nothing to the weight), free when the group's subtotal reaches the profile's threshold.
"""

from decimal import Decimal

from django.db.models import Q

from authentication.selectors import profile_countries
from marketplace.ordering.pricing import ZERO, Quote, ShippingQuote, flat_rate_shipping, money, quote_lines
from marketplace.shipping.models import ShippingProfile, ShippingZone
from marketplace.tax.providers import tax_provider
from marketplace.tax.rules import prices_include_tax


def profiles_for(lines) -> dict:
    """``{product_id: profile or None}`` for the lines' products (one query, zones prefetched)."""
    products = [line.product for line in lines]
    own = {p.shipping_profile_id for p in products if p.shipping_profile_id}
    sellers = {p.seller_id for p in products}
    profiles = list(
        ShippingProfile.objects.filter(Q(pk__in=own) | Q(seller_id__in=sellers, is_default=True))
        .prefetch_related("zones")
        .order_by("pk")
    )
    by_pk = {profile.pk: profile for profile in profiles}
    defaults = {profile.seller_id: profile for profile in profiles if profile.is_default}
    return {p.pk: by_pk.get(p.shipping_profile_id) or defaults.get(p.seller_id) for p in products}


def zone_for(profile: ShippingProfile, country: str) -> ShippingZone | None:
    """The zone of ``profile`` serving ``country`` (``""``: unknown yet, the rest of the world)."""
    zones = list(profile.zones.all())
    named = next((zone for zone in zones if country and zone.covers(country)), None)
    return named or next((zone for zone in zones if zone.rest_of_world), None)


def _profile_cost(profile, zone, lines, subtotal: Decimal) -> Decimal:
    threshold = profile.free_shipping_threshold
    if threshold is not None and subtotal >= threshold:
        return ZERO
    weight = sum((line.weight * line.quantity for line in lines if line.weight), ZERO)
    return money(zone.base_price + zone.price_per_kg * weight)


def shipping_for_group(lines, subtotal: Decimal, country: str, profiles: dict) -> ShippingQuote:
    """The ``ShippingQuote`` of one seller's lines to ``country`` (``profiles``: ``profiles_for``)."""
    by_profile: dict = {}
    flat = []
    for line in lines:
        profile = profiles[line.product.pk]
        if profile is None:
            flat.append(line)
        else:
            by_profile.setdefault(profile, []).append(line)
    cost = flat_rate_shipping(money(sum((line.amount for line in flat), ZERO))) if flat else ZERO
    unshippable, days = [], []
    for profile, profile_lines in by_profile.items():
        zone = zone_for(profile, country)
        if zone is None:
            # A product once, however many of its variants are in the group.
            unshippable += list(dict.fromkeys(line.product.pk for line in profile_lines))
            continue
        cost += _profile_cost(profile, zone, profile_lines, subtotal)
        days.append((profile.processing_days_min, profile.processing_days_max))
    processing = (max(d[0] for d in days), max(d[1] for d in days)) if days else None
    return ShippingQuote(money(cost), processing, tuple(unshippable))


def shipping_countries_for(lines, offered: tuple[str, ...]) -> tuple[str, ...]:
    """Countries every line can ship to. ``offered`` (the platform's list) stands for "the rest of
    the world" and for products under the flat rule."""
    allowed = None
    for profile in set(profiles_for(lines).values()):
        zones = list(profile.zones.all()) if profile is not None else []
        reach = {code for zone in zones for code in zone.countries}
        if profile is None or any(zone.rest_of_world for zone in zones):
            reach |= set(offered)
        allowed = reach if allowed is None else allowed & reach
    return tuple(sorted(allowed if allowed is not None else offered))


def quote_for(lines, *, country: str, discount=None) -> Quote:
    """The cart's or checkout's ``Quote``: per seller group, shipping by profile to ``country``."""
    lines = list(lines)
    profiles = profiles_for(lines) if lines else {}
    rule = tax_provider().rule_for(country)
    inclusive: frozenset = frozenset()
    if lines and rule.taxes_shipping:
        countries = profile_countries(user_ids={line.product.seller_id for line in lines})
        inclusive = frozenset(seller for seller, code in countries.items() if prices_include_tax(code))
    return quote_lines(
        lines,
        country=country,
        shipping=lambda group, subtotal, to: shipping_for_group(group, subtotal, to, profiles),
        tax_rule=rule,
        inclusive_sellers=inclusive,
        discount=discount,
        currency=lines[0].product.currency if lines else "",
    )
