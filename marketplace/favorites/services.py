"""Favorites: a toggle whose product counter stays exact under concurrent toggles."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from designiaBackend.api.after_commit import best_effort
from marketplace.activity.services import activity_record
from marketplace.catalog.models import Product
from marketplace.favorites.models import Favorite
from marketplace.lock_objects import product_for_update


@dataclass(frozen=True)
class FavoriteState:
    is_favorited: bool
    favorite_count: int


@transaction.atomic
def favorite_toggle(*, user, product):
    """Add or remove ``product`` from the user's favorites.

    The product row is locked first, so toggles of one product run one after another; the
    counter moves with an F() expression in the same transaction as the favorite row.
    """
    product_for_update(product.pk, fields=("id",))
    deleted, _ = Favorite.objects.filter(user=user, product=product).delete()
    if deleted:
        Product.objects.filter(pk=product.pk).update(favorite_count=F("favorite_count") - 1)
    else:
        Favorite.objects.create(user=user, product=product)
        Product.objects.filter(pk=product.pk).update(favorite_count=F("favorite_count") + 1)
        best_effort(
            lambda: activity_record(product_id=product.pk, action="favorite", viewer=f"u:{user.pk}"),
            what="activity_record",
        )
    count = Product.objects.filter(pk=product.pk).values_list("favorite_count", flat=True).get()
    return FavoriteState(is_favorited=not deleted, favorite_count=count)


@transaction.atomic
def favorites_remove_for_user(*, user):
    """Remove every favorite of ``user`` (account deletion), decrementing each product's counter."""
    product_ids = sorted(Favorite.objects.filter(user=user).values_list("product_id", flat=True))
    for product_id in product_ids:
        product_for_update(product_id, fields=("id",))
        if Favorite.objects.filter(user=user, product_id=product_id).delete()[0]:
            Product.objects.filter(pk=product_id).update(favorite_count=F("favorite_count") - 1)
    return len(product_ids)
