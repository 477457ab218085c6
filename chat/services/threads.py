from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction

from chat import events, selectors
from chat.exceptions import ChatBlockedError, ChatWithYourselfError
from chat.models import Thread

if TYPE_CHECKING:
    from uuid import UUID


def _ensure_may_chat(user):
    if selectors.user_is_chat_banned(user=user):
        raise ChatBlockedError()


def thread_get_or_create(*, user, product_id=None, other_user_id=None):
    """The 1:1 thread between ``user`` and the product's seller (or ``other_user_id``), about the
    product if one is given. Returns ``(thread, created)``; a second call returns the same thread.
    """
    if product_id is not None:
        product = selectors.chat_partner_for_product(product_id=product_id)
        other = product.seller
    else:
        product = None
        other = selectors.chat_partner_get(user_id=other_user_id)
    if other.pk == user.pk:
        raise ChatWithYourselfError()
    key = Thread.key_for(user_ids=(user.pk, other.pk), product_id=product.pk if product else None)
    thread = Thread.objects.filter(key=key).first()
    if thread is not None:
        return thread, False
    _ensure_may_chat(user)
    try:
        with transaction.atomic():
            thread = Thread.objects.create(key=key, product=product)
            thread.participants.add(user, other)
    except IntegrityError:
        # Both sides opened the conversation at the same moment: the other request won.
        return Thread.objects.get(key=key), False
    return thread, True


@transaction.atomic
def thread_participant_remove(*, thread_id: int, user_id: "UUID | str") -> bool:
    """Take a user out of a thread (staff moderation): from the commit on, their sockets on it are
    closed (4003) and no message of it reaches them. Returns whether they took part in it."""
    removed, _ = Thread.participants.through.objects.filter(thread_id=thread_id, user_id=user_id).delete()
    if removed:
        events.participant_removed(thread_id=thread_id, user_id=user_id)
    return bool(removed)
