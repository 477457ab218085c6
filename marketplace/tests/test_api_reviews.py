from decimal import Decimal

import pytest

from authentication.tests.factories import StaffFactory, UserFactory
from marketplace.reviews.models import Review
from marketplace.tests.catalog_factories import ProductFactory, received_order_item

pytestmark = pytest.mark.django_db

URL = "/api/marketplace/products/"


def body(rating=5, **extra):
    return {
        "product_id": 1,
        "rating": rating,
        "title": "Great",
        "comment": "Solid and beautiful piece.",
        **extra,
    }


@pytest.fixture
def product():
    return ProductFactory()


def buyer_of(product, status="delivered"):
    buyer = UserFactory()
    received_order_item(buyer=buyer, product=product, status=status)
    return buyer


def test_create_review_and_aggregates(auth_client, product):
    first, second = buyer_of(product), buyer_of(product, status="shipped")
    response = auth_client(first).post(f"{URL}{product.slug}/reviews/", body(rating="5"), format="json")
    auth_client(second).post(f"{URL}{product.slug}/reviews/", body(rating=2), format="json")

    assert response.status_code == 201
    data = response.json()
    assert data["reviewer"] == {"id": str(first.pk), "username": first.username}
    assert (data["rating"], data["title"], data["is_verified_purchase"]) == (5, "Great", True)
    product.refresh_from_db()
    assert product.review_count == 2
    assert product.average_rating == Decimal("3.50")
    assert product.rating_distribution == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}


def test_list_reviews_paginated_newest_first(api_client, auth_client, product):
    buyers = [buyer_of(product) for _ in range(2)]
    ids = [
        auth_client(b).post(f"{URL}{product.slug}/reviews/", body(), format="json").json()["id"]
        for b in buyers
    ]

    data = api_client.get(f"{URL}{product.slug}/reviews/").json()

    assert (data["count"], data["page"], data["has_next"]) == (2, 1, False)
    assert [r["id"] for r in data["results"]] == ids[::-1]
    assert (
        api_client.get(f"{URL}{product.slug}/reviews/?ordering=-rating&page_size=1").json()["num_pages"] == 2
    )
    assert api_client.get(f"{URL}unknown-slug/reviews/").status_code == 404


def test_author_edits_and_aggregates_follow(auth_client, product):
    buyer = buyer_of(product)
    client = auth_client(buyer)
    review_id = client.post(f"{URL}{product.slug}/reviews/", body(), format="json").json()["id"]

    response = client.patch(
        f"/api/marketplace/reviews/{review_id}/",
        {"product_id": product.id, "rating": 3, "title": "Okay", "comment": "Changed my mind a bit."},
        format="json",
    )

    assert response.status_code == 200
    assert (response.json()["rating"], response.json()["title"]) == (3, "Okay")
    product.refresh_from_db()
    assert (product.average_rating, product.rating_distribution["3"], product.rating_distribution["5"]) == (
        Decimal("3.00"),
        1,
        0,
    )


def test_only_the_author_edits_or_deletes(auth_client, product):
    review_id = (
        auth_client(buyer_of(product))
        .post(f"{URL}{product.slug}/reviews/", body(), format="json")
        .json()["id"]
    )
    stranger = auth_client(UserFactory())

    edit = stranger.patch(f"/api/marketplace/reviews/{review_id}/", body(rating=1), format="json")
    delete = stranger.delete(f"/api/marketplace/reviews/{review_id}/")

    assert (edit.status_code, delete.status_code) == (403, 403)
    assert edit.json()["code"] == "not_review_author"
    assert Review.objects.get().rating == 5


def test_delete_then_review_again(auth_client, product):
    buyer = buyer_of(product)
    client = auth_client(buyer)
    review_id = client.post(f"{URL}{product.slug}/reviews/", body(), format="json").json()["id"]

    assert client.delete(f"/api/marketplace/reviews/{review_id}/").status_code == 204
    product.refresh_from_db()
    assert (product.review_count, product.average_rating) == (0, Decimal("0.00"))
    again = client.post(f"{URL}{product.slug}/reviews/", body(rating=4), format="json")
    assert again.status_code == 201
    product.refresh_from_db()
    assert (product.review_count, product.average_rating) == (1, Decimal("4.00"))


def test_helpful_votes_toggle_once_per_user(auth_client, product):
    review_id = (
        auth_client(buyer_of(product))
        .post(f"{URL}{product.slug}/reviews/", body(), format="json")
        .json()["id"]
    )
    url = f"/api/marketplace/reviews/{review_id}/mark_helpful/"
    alice, bob = auth_client(UserFactory()), auth_client(UserFactory())

    assert alice.post(url).json() == {"helpful_count": 1, "voted": True}
    assert bob.post(url).json() == {"helpful_count": 2, "voted": True}
    assert alice.post(url).json() == {"helpful_count": 1, "voted": False}
    assert alice.post(url).json() == {"helpful_count": 2, "voted": True}
    assert Review.objects.get().helpful_count == 2


def test_author_cannot_vote_own_review(auth_client, product):
    buyer = buyer_of(product)
    client = auth_client(buyer)
    review_id = client.post(f"{URL}{product.slug}/reviews/", body(), format="json").json()["id"]

    response = client.post(f"/api/marketplace/reviews/{review_id}/mark_helpful/")

    assert response.status_code == 400 and response.json()["code"] == "own_review"


def test_seller_replies_others_cannot(auth_client, product):
    review_id = (
        auth_client(buyer_of(product))
        .post(f"{URL}{product.slug}/reviews/", body(), format="json")
        .json()["id"]
    )
    url = f"/api/marketplace/reviews/{review_id}/reply/"

    refused = auth_client(UserFactory()).post(url, {"text": "Hi"}, format="json")
    answered = auth_client(product.seller).post(url, {"text": "Thank you!"}, format="json")

    assert refused.status_code == 403
    assert answered.status_code == 200
    assert answered.json()["seller_reply"] == "Thank you!" and answered.json()["seller_replied_at"]
    assert Review.objects.get(pk=review_id).seller_reply == "Thank you!"


def test_staff_moderation_hides_from_list_and_aggregates(auth_client, api_client, product):
    auth_client(buyer_of(product)).post(f"{URL}{product.slug}/reviews/", body(rating=1), format="json")
    review_id = (
        auth_client(buyer_of(product))
        .post(f"{URL}{product.slug}/reviews/", body(), format="json")
        .json()["id"]
    )
    url = f"/api/marketplace/reviews/{review_id}/moderate/"

    assert auth_client(UserFactory()).post(url, {"action": "hide"}, format="json").status_code == 403
    hidden = auth_client(StaffFactory()).post(url, {"action": "hide", "note": "spam"}, format="json")

    assert hidden.status_code == 200
    assert [r["rating"] for r in api_client.get(f"{URL}{product.slug}/reviews/").json()["results"]] == [1]
    product.refresh_from_db()
    assert (product.review_count, product.average_rating) == (1, Decimal("1.00"))


def test_staff_may_delete_any_review(auth_client, product):
    review_id = (
        auth_client(buyer_of(product))
        .post(f"{URL}{product.slug}/reviews/", body(), format="json")
        .json()["id"]
    )

    assert auth_client(StaffFactory()).delete(f"/api/marketplace/reviews/{review_id}/").status_code == 204
    assert not Review.objects.exists()


def test_detail_shows_rating_and_seller_rating(api_client, auth_client, product):
    auth_client(buyer_of(product)).post(f"{URL}{product.slug}/reviews/", body(rating=4), format="json")

    data = api_client.get(f"{URL}{product.slug}/").json()

    assert (data["average_rating"], data["review_count"]) == ("4.00", 1)
    assert data["seller"]["seller_rating"] == "4.00"
    assert data["rating_distribution"]["4"] == 1
