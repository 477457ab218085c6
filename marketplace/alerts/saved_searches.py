"""Saved searches and their daily digest: the beat task splits the searches into batches of ids
(``saved_search_digest_batch_task`` on ``marketplace_tasks``); each search is locked, its new
matches since ``checked_until`` (never the buyer's own products) become one notification keyed by
(search, day), and ``checked_until`` moves on in the same transaction: a batch killed midway and
redelivered sends no duplicate.

The batch's e-mails go together, over one SMTP connection per ``EMAIL_BATCH_SIZE`` (as the chat
digests and stock alerts): each search still commits on its own, and once the batch is through
one transaction queues the e-mails not sent yet of the batch's searches, today's and yesterday's
(what this run stored, what a run killed before this point stored, what a run whose task was lost
with its broker stored the day before). Each is sent at most once (``emailed_at``)."""

from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designiaBackend.api.notifications import email_batch, email_batch_join_unsent, notify
from marketplace.alerts.exceptions import TooManySavedSearches
from marketplace.alerts.models import SavedSearch
from marketplace.catalog.search.selectors import product_list
from marketplace.catalog.search.serializers import ProductFilterSerializer
from marketplace.lock_objects import saved_search_for_update

MAX_SAVED_SEARCHES = 50
DIGEST_BATCH_SIZE = 500
DIGEST_MAX_PRODUCTS = 10


@transaction.atomic
def saved_search_create(*, user, query: str, filters: dict) -> SavedSearch:
    """``filters`` were validated by ``ProductFilterSerializer`` (JSON-able values)."""
    if SavedSearch.objects.filter(user_id=user.pk).count() >= MAX_SAVED_SEARCHES:
        raise TooManySavedSearches()
    now = timezone.now()
    return SavedSearch.objects.create(user_id=user.pk, query=query, filters=filters, checked_until=now)


@transaction.atomic
def saved_search_delete(*, user, search_id) -> bool:
    return SavedSearch.objects.filter(pk=search_id, user_id=user.pk).delete()[0] > 0


def saved_search_list_for_user(*, user):
    return SavedSearch.objects.filter(user_id=user.pk).order_by("-created_at", "-id")


def saved_search_batches(*, batch_size=DIGEST_BATCH_SIZE) -> list[list[int]]:
    ids = list(SavedSearch.objects.order_by("pk").values_list("pk", flat=True))
    return [ids[start : start + batch_size] for start in range(0, len(ids), batch_size)]


def _matches(search: SavedSearch, until):
    serializer = ProductFilterSerializer(data={**search.filters, "q": search.query})
    if not serializer.is_valid():
        return []
    filters = {**serializer.validated_data, "ordering": "-created_at"}
    return list(
        product_list(filters=filters)
        .filter(created_at__gt=search.checked_until, created_at__lte=until)
        .exclude(seller_id=search.user_id)[:DIGEST_MAX_PRODUCTS]
    )


def _event_key(search_id, day) -> str:
    return f"saved_search:{search_id}:{day.isoformat()}"


@transaction.atomic
def saved_search_digest(*, search_id, until, email: bool = True) -> bool:
    """One search's digest up to ``until``; True when a notification was raised. ``email=False``:
    its e-mail is left to the caller (the batch queues its searches' e-mails together)."""
    search = saved_search_for_update(search_id)
    if search is None or search.checked_until >= until:
        return False
    products = _matches(search, until)
    search.checked_until = until
    search.save(update_fields=["checked_until"])
    if not products:
        return False
    label = search.query or _("your saved search")
    names = ", ".join(product.name for product in products)
    notify(
        recipient=search.user_id,
        kind="saved_search_match",
        event_key=_event_key(search.pk, until.date()),
        title=format_lazy(_("New on Designia for “{label}”"), label=label),
        body=format_lazy(_("New products match your saved search: {names}."), names=names),
        link_type="saved_search",
        link_id=str(search.pk),
        url=f"{settings.FRONTEND_URL}/products?{urlencode({'q': search.query})}",
        email=email,
    )
    return True


def saved_search_digest_batch(*, search_ids, until) -> int:
    """The digests of a batch of searches, each committed on its own, then their e-mails queued
    together; returns how many notifications this run raised."""
    raised = sum(
        saved_search_digest(search_id=search_id, until=until, email=False) for search_id in search_ids
    )
    saved_search_digest_emails_queue(search_ids=search_ids, until=until)
    return raised


@transaction.atomic
def saved_search_digest_emails_queue(*, search_ids, until) -> int:
    """Queue (outbox, ``EMAIL_BATCH_SIZE`` a message) the digest e-mails of these searches stored
    for ``until``'s day or the day before and not sent yet; returns how many."""
    days = (until.date(), until.date() - timedelta(days=1))
    owners = SavedSearch.objects.filter(pk__in=search_ids).values_list("pk", "user_id")
    events = [(user_id, _event_key(pk, day)) for pk, user_id in owners for day in days]
    with email_batch():
        return email_batch_join_unsent(kind="saved_search_match", events=events)
