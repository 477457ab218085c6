from marketplace.catalog.products.selectors import LIST_FIELDS, product_queryset_public
from marketplace.favorites.models import Favorite


def favorite_products_for_user(*, user):
    """The user's favorite products that are still public, most recently favorited first."""
    return (
        product_queryset_public()
        .filter(favorited_by__user=user)
        .only(*LIST_FIELDS)
        .order_by("-favorited_by__created_at", "-id")
    )


def favorite_exists(*, user, product_id):
    return Favorite.objects.filter(user=user, product_id=product_id).exists()
