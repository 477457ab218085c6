"""Saved searches through the real URLs and their daily digest: one notification per search and
day with the new matches, never the buyer's own products; bad input is a clear 400."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from authentication.tests.factories import SellerFactory, UserFactory
from marketplace.alerts.models import SavedSearch
from marketplace.alerts.saved_searches import saved_search_digest, saved_search_digest_batch
from marketplace.alerts.tasks import saved_search_digests_task
from marketplace.tests.catalog_factories import ProductFactory
from notifications.models import Notification

pytestmark = pytest.mark.django_db
URL = "/api/marketplace/saved-searches/"


def save(client, **body):
    return client.post(URL, body, format="json")


@pytest.mark.django_db(transaction=True)  # InnoDB indexes FULLTEXT rows at commit
def test_a_saved_search_gets_one_daily_digest_of_new_matches(auth_client, mailoutbox):
    buyer = SellerFactory()  # a seller who also buys: their own products never reach their digest
    answer = save(auth_client(buyer), query="oak", filters={"price_max": "500.00"})
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["query"], body["filters"]) == ("oak", {"price_max": "500.00"})
    assert isinstance(body["id"], str)
    ProductFactory(name="Oak Table", price=Decimal("400.00"))
    ProductFactory(name="Oak Wardrobe", price=Decimal("900.00"))  # over the price limit
    ProductFactory(name="Pine Stool", price=Decimal("40.00"))  # not matching the text
    ProductFactory(seller=buyer, name="Oak Bench", price=Decimal("100.00"))  # their own

    assert saved_search_digests_task.delay().get() == 1  # one batch
    [notice] = Notification.objects.filter(recipient=buyer)
    assert (notice.kind, notice.link_type, notice.link_id) == (
        "saved_search_match",
        "saved_search",
        body["id"],
    )
    assert notice.body == "New products match your saved search: Oak Table."
    assert [m.subject for m in mailoutbox if m.to == [buyer.email]] == [notice.title]

    # the same day again, or the batch redelivered: nothing more
    saved_search_digests_task.delay()
    search = SavedSearch.objects.get()
    saved_search_digest_batch(search_ids=[search.pk], until=search.checked_until)
    assert Notification.objects.filter(recipient=buyer).count() == 1

    ProductFactory(name="Oak Shelf", price=Decimal("90.00"))
    saved_search_digest_batch(search_ids=[search.pk], until=timezone.now() + timedelta(days=1))
    assert Notification.objects.filter(recipient=buyer).count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_digest_whose_batch_was_lost_before_its_e_mails_is_e_mailed_by_the_next_days_batch(mailoutbox):
    """A batch stored its searches' notifications, then its task was lost (the broker with it)
    before it queued their e-mails: the next day's batch sends that e-mail, once, with its own."""
    buyer = UserFactory()
    search = SavedSearch.objects.create(
        user=buyer, query="", filters={}, checked_until=timezone.now() - timedelta(days=2)
    )
    ProductFactory(name="Oak Table")
    yesterday = timezone.now()
    assert saved_search_digest(search_id=search.pk, until=yesterday, email=False)  # the lost run's part
    assert mailoutbox == []

    ProductFactory(name="Oak Shelf")
    assert saved_search_digest_batch(search_ids=[search.pk], until=yesterday + timedelta(days=1)) == 1
    notices = Notification.objects.filter(recipient=buyer).order_by("pk")
    assert [m.subject for m in mailoutbox] == [notice.title for notice in notices] and len(notices) == 2
    assert not notices.filter(emailed_at__isnull=True).exists()

    saved_search_digest_batch(search_ids=[search.pk], until=yesterday + timedelta(days=1))  # redelivered
    assert len(mailoutbox) == 2


def test_saved_searches_are_listed_and_deleted_by_their_owner_only(auth_client):
    owner, other = UserFactory(), UserFactory()
    created = save(auth_client(owner), query="lamp").json()
    assert [s["id"] for s in auth_client(owner).get(URL).json()] == [created["id"]]
    assert auth_client(other).get(URL).json() == []
    assert auth_client(other).delete(f"{URL}{created['id']}/").status_code == 404
    assert SavedSearch.objects.count() == 1
    assert auth_client(owner).delete(f"{URL}{created['id']}/").status_code == 204
    assert SavedSearch.objects.count() == 0


@pytest.mark.parametrize(
    "body, field",
    [
        ({"query": "x" * 10_240}, "query"),
        ({"query": "oak", "filters": {"price_min": "cheap"}}, "filters"),
        ({"query": "oak", "filters": {"condition": ["broken"]}}, "filters"),
    ],
)
def test_bad_saved_searches_are_400_and_store_nothing(auth_client, body, field):
    answer = save(auth_client(UserFactory()), **body)
    assert answer.status_code == 400
    assert field in answer.json()
    assert SavedSearch.objects.count() == 0
