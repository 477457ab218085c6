"""E56–E58: opening conversations, the inbox and one conversation."""

import uuid

import pytest

from authentication.tests.factories import SellerFactory, UserFactory
from chat.models import Thread
from chat.tests.factories import ProductFactory, add_message, thread_between

pytestmark = pytest.mark.django_db

CONVERSATIONS = "/api/chat/conversations/"


def test_buyer_opens_a_thread_about_a_product_then_gets_the_same_one(auth_client):
    buyer = UserFactory()
    product = ProductFactory()
    client = auth_client(buyer)

    first = client.post(CONVERSATIONS, {"product_id": product.pk})
    again = client.post(CONVERSATIONS, {"product_id": str(product.pk)})

    assert first.status_code == 201
    thread = Thread.objects.get()
    assert first.json() == {"thread_id": str(thread.pk), "is_new": True}
    assert again.status_code == 200
    assert again.json() == {"thread_id": str(thread.pk), "is_new": False}
    assert thread.product == product
    assert set(thread.participants.all()) == {buyer, product.seller}


def test_the_seller_opening_the_same_product_thread_from_the_other_side_is_refused(auth_client):
    product = ProductFactory()

    response = auth_client(product.seller).post(CONVERSATIONS, {"product_id": product.pk})

    assert response.status_code == 400
    assert response.json()["code"] == "chat_with_yourself"
    assert response.json()["detail"] == "You cannot start a conversation with yourself."
    assert not Thread.objects.exists()


def test_one_thread_per_pair_and_product(auth_client):
    buyer = UserFactory()
    seller = SellerFactory()
    chair, table = ProductFactory(seller=seller), ProductFactory(seller=seller)
    client = auth_client(buyer)

    ids = {client.post(CONVERSATIONS, {"product_id": p.pk}).json()["thread_id"] for p in (chair, table)}
    direct = client.post(CONVERSATIONS, {"user_id": str(seller.pk)})
    direct_again = auth_client(seller).post(CONVERSATIONS, {"user_id": str(buyer.pk)})

    assert len(ids) == 2
    assert direct.status_code == 201
    assert direct_again.status_code == 200
    assert direct_again.json()["thread_id"] == direct.json()["thread_id"]
    assert Thread.objects.count() == 3
    assert Thread.objects.get(pk=direct.json()["thread_id"]).product is None


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "non_field_errors"),
        ({"product_id": 1, "user_id": str(uuid.uuid4())}, "non_field_errors"),
        ({"product_id": "abc"}, "product_id"),
        ({"user_id": "not-a-uuid"}, "user_id"),
    ],
)
def test_open_thread_validates_its_input(auth_client, body, field):
    response = auth_client(UserFactory()).post(CONVERSATIONS, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Thread.objects.exists()


def test_chat_with_yourself_by_user_id_is_refused(auth_client):
    user = UserFactory()

    response = auth_client(user).post(CONVERSATIONS, {"user_id": str(user.pk)})

    assert response.status_code == 400
    assert response.json()["code"] == "chat_with_yourself"


def test_unknown_or_deleted_product_and_unknown_user_are_404(auth_client):
    client = auth_client(UserFactory())
    deleted = ProductFactory()
    deleted.deleted_at = deleted.created_at
    deleted.save()

    assert client.post(CONVERSATIONS, {"product_id": 987654}).status_code == 404
    assert client.post(CONVERSATIONS, {"product_id": deleted.pk}).json()["code"] == "product_not_found"
    assert client.post(CONVERSATIONS, {"user_id": str(uuid.uuid4())}).status_code == 404
    assert not Thread.objects.exists()


def test_anonymous_is_401(api_client):
    assert api_client.get(CONVERSATIONS).status_code == 401
    assert api_client.post(CONVERSATIONS, {"product_id": 1}).status_code == 401


def test_inbox_is_a_plain_array_with_user_ids_last_message_and_unread_counts(auth_client):
    buyer, seller, other = UserFactory(), SellerFactory(), UserFactory()
    product = ProductFactory(seller=seller, name="Walnut desk")
    with_seller = thread_between(buyer, seller, product=product)
    add_message(with_seller, buyer, "is it still available?")
    add_message(with_seller, seller, "yes")
    last = add_message(with_seller, seller, "want it?")
    empty = thread_between(buyer, other)
    thread_between(seller, other)  # not the buyer's

    response = auth_client(buyer).get(CONVERSATIONS)

    assert response.status_code == 200
    body = response.json()
    assert sorted(item["id"] for item in body) == sorted([str(empty.pk), str(with_seller.pk)])
    by_id = {item["id"]: item for item in body}
    item = by_id[str(with_seller.pk)]
    assert sorted(item["participants"], key=lambda p: p["username"]) == sorted(
        [
            {"id": str(buyer.pk), "username": buyer.username, "avatar": None},
            {"id": str(seller.pk), "username": seller.username, "avatar": None},
        ],
        key=lambda p: p["username"],
    )
    assert item["last_message"]["text"] == "want it?"
    assert item["last_message"]["id"] == str(last.pk)
    assert item["last_message"]["created_at"].startswith(last.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert item["unread_count"] == 2
    assert item["product"] == {"id": str(product.pk), "name": "Walnut desk", "slug": product.slug}
    assert by_id[str(empty.pk)]["last_message"] is None
    assert by_id[str(empty.pk)]["unread_count"] == 0
    assert by_id[str(empty.pk)]["product"] is None


def test_inbox_query_count_does_not_grow_with_threads(auth_client, django_assert_max_num_queries):
    buyer = UserFactory()
    for _ in range(8):
        thread = thread_between(buyer, SellerFactory(), product=ProductFactory())
        add_message(thread, buyer, "hi")
        add_message(thread, thread.participants.exclude(pk=buyer.pk).get(), "hello")
    client = auth_client(buyer)

    # user (JWT) + threads with unread counts + participants with profiles
    with django_assert_max_num_queries(3):
        response = client.get(CONVERSATIONS)

    assert len(response.json()) == 8
    assert {item["unread_count"] for item in response.json()} == {1}


def test_thread_detail_for_participants_only(auth_client):
    buyer, seller = UserFactory(), SellerFactory()
    product = ProductFactory(seller=seller, name="Lamp")
    thread = thread_between(buyer, seller, product=product)

    response = auth_client(seller).get(f"{CONVERSATIONS}{thread.pk}/")
    stranger = auth_client(UserFactory()).get(f"{CONVERSATIONS}{thread.pk}/")
    missing = auth_client(buyer).get(f"{CONVERSATIONS}{thread.pk + 1000}/")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(thread.pk)
    assert {p["id"] for p in body["participants"]} == {str(buyer.pk), str(seller.pk)}
    assert body["product"]["name"] == "Lamp"
    assert stranger.status_code == 404
    assert stranger.json()["code"] == "thread_not_found"
    assert missing.status_code == 404


def test_participant_avatar_is_an_absolute_url(auth_client, settings):
    from django.core.files.base import ContentFile

    buyer, seller = UserFactory(), SellerFactory()
    seller.profile.avatar.save("face.png", ContentFile(b"png"), save=True)
    thread = thread_between(buyer, seller)

    body = auth_client(buyer).get(f"{CONVERSATIONS}{thread.pk}/").json()

    avatar = next(p["avatar"] for p in body["participants"] if p["id"] == str(seller.pk))
    assert avatar.startswith(f"{settings.PUBLIC_BASE_URL}/media/avatars/")


@pytest.mark.parametrize("thread_id", ["99999999999999999999999", "9223372036854775808"])
def test_out_of_range_thread_ids_are_404(auth_client, thread_id):
    client = auth_client(UserFactory())

    assert client.get(f"{CONVERSATIONS}{thread_id}/").status_code == 404
    assert client.get(f"{CONVERSATIONS}{thread_id}/messages/").status_code == 404
    assert client.post(f"{CONVERSATIONS}{thread_id}/mark_read/").status_code == 404
    assert client.post(f"{CONVERSATIONS}{thread_id}/messages/", {"text": "hi"}).status_code == 404
