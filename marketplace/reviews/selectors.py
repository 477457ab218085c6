from django.http import Http404

from marketplace.reviews.models import Review

ORDERINGS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-rating": ("-rating", "-created_at", "-id"),
    "rating": ("rating", "-created_at", "-id"),
    "-helpful_count": ("-helpful_count", "-created_at", "-id"),
}


def review_list_for_product(*, product, ordering="-created_at"):
    """E27: the product's visible reviews with their authors (one query per page)."""
    return (
        Review.objects.filter(product=product, is_hidden=False)
        .select_related("reviewer")
        .order_by(*ORDERINGS.get(ordering, ORDERINGS["-created_at"]))
    )


def review_get(*, review_id):
    review = Review.objects.select_related("reviewer", "product").filter(pk=review_id).first()
    if review is None:
        raise Http404("No review matches the given id.")
    return review
