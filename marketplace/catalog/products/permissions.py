"""Who may change a product: its seller, or staff."""

from marketplace.catalog.exceptions import NotProductOwnerError


def ensure_product_owner(*, product, user):
    if not (user.is_staff or product.seller_id == user.pk):
        raise NotProductOwnerError()
