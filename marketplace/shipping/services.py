"""Writes of shipping profiles. A seller's profiles are locked (pk order) while one changes, so
there is always at most one default; the first profile a seller creates is their default."""

from django.db import transaction

from marketplace.lock_objects import shipping_profiles_for_update
from marketplace.shipping.exceptions import ShippingProfileNotFound
from marketplace.shipping.models import ShippingProfile, ShippingZone

PROFILE_FIELDS = (
    "name",
    "is_default",
    "processing_days_min",
    "processing_days_max",
    "free_shipping_threshold",
)
ZONE_FIELDS = ("name", "countries", "rest_of_world", "base_price", "price_per_kg")


def _lock_profiles(seller) -> list[ShippingProfile]:
    return shipping_profiles_for_update(seller.pk)


def _replace_zones(profile: ShippingProfile, zones: list[dict]) -> None:
    profile.zones.all().delete()
    ShippingZone.objects.bulk_create(
        ShippingZone(profile=profile, **{key: zone[key] for key in ZONE_FIELDS}) for zone in zones
    )


def _one_default(profile: ShippingProfile, others: list[ShippingProfile]) -> None:
    if profile.is_default:
        ShippingProfile.objects.filter(pk__in=[p.pk for p in others if p.is_default]).update(is_default=False)
    elif not any(p.is_default for p in others):
        profile.is_default = True
        profile.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def shipping_profile_create(*, seller, data: dict) -> ShippingProfile:
    others = _lock_profiles(seller)
    profile = ShippingProfile.objects.create(seller=seller, **{key: data[key] for key in PROFILE_FIELDS})
    _replace_zones(profile, data["zones"])
    _one_default(profile, others)
    return profile


@transaction.atomic
def shipping_profile_update(*, profile_id: int, seller, data: dict) -> ShippingProfile:
    profiles = _lock_profiles(seller)
    profile = next((p for p in profiles if p.pk == profile_id), None)
    if profile is None:
        raise ShippingProfileNotFound()
    for key in PROFILE_FIELDS:
        if key in data:
            setattr(profile, key, data[key])
    profile.save()
    if "zones" in data:
        _replace_zones(profile, data["zones"])
    _one_default(profile, [p for p in profiles if p.pk != profile.pk])
    return profile


@transaction.atomic
def shipping_profile_delete(*, profile_id: int, seller) -> None:
    """Its products fall back to the seller's default; a deleted default passes to the oldest."""
    profiles = _lock_profiles(seller)
    profile = next((p for p in profiles if p.pk == profile_id), None)
    if profile is None:
        raise ShippingProfileNotFound()
    profile.delete()
    rest = [p for p in profiles if p.pk != profile_id]
    if profile.is_default and rest:
        ShippingProfile.objects.filter(pk=rest[0].pk).update(is_default=True)


def shipping_profile_ensure_owned(*, profile_id: int, seller) -> None:
    """A product may use only its seller's own profiles (404 otherwise)."""
    if not ShippingProfile.objects.filter(pk=profile_id, seller=seller).exists():
        raise ShippingProfileNotFound("You have no shipping profile with this id.")
