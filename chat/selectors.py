"""Reads of the chat, with their related rows loaded up front."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce

from chat.exceptions import ChatPartnerUnavailableError, MessageNotFoundError, ThreadNotFoundError
from chat.models import ChatBan, Message, Thread
from designiaBackend.api.fields import public_id
from marketplace.catalog.products.selectors import product_find

if TYPE_CHECKING:
    from uuid import UUID


def _participants_prefetch():
    users = get_user_model().objects.select_related("profile").order_by("username")
    return Prefetch("participants", queryset=users)


def _unread_count_for(user):
    unread = (
        Message.objects.filter(thread=OuterRef("pk"), read_at__isnull=True)
        .exclude(sender=user)
        .order_by()
        .values("thread")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread, output_field=IntegerField()), Value(0))


def thread_list_for_user(*, user):
    """The user's inbox: last message, product, participants and the caller's unread count."""
    return (
        Thread.objects.filter(participants=user)
        .select_related("last_message", "product")
        .prefetch_related(_participants_prefetch())
        .annotate(unread_count=_unread_count_for(user))
        .order_by("-updated_at", "-id")
    )


def thread_get_for_participant(*, thread_id, user):
    """The thread if ``user`` takes part in it; a missing thread and a foreign one look the same."""
    thread = thread_list_for_user(user=user).filter(pk=thread_id).first()
    if thread is None:
        raise ThreadNotFoundError()
    return thread


def thread_is_participant(*, thread_id, user_id) -> bool:
    return Thread.participants.through.objects.filter(thread_id=thread_id, user_id=user_id).exists()


def thread_participant_ids(*, thread_id):
    return list(
        Thread.participants.through.objects.filter(thread_id=thread_id).values_list("user_id", flat=True)
    )


@dataclass(frozen=True)
class ThreadAccess:
    """Who takes part in a thread and whether the sender is blocked from chatting: what a send
    checks. A chat socket keeps it for its lifetime, updated by the thread's and the user's
    control events (``events.participant_removed``, ``events.chat_ban_changed``)."""

    participant_ids: frozenset[object]
    sender_banned: bool

    def recipients_of(self, sender_id: object) -> list[object]:
        return [user_id for user_id in self.participant_ids if user_id != sender_id]


def thread_access_get(*, thread_id: int, user_id: "UUID | str") -> ThreadAccess | None:
    """The access of ``user_id`` to the thread, or None when they do not take part in it."""
    participant_ids = frozenset(thread_participant_ids(thread_id=thread_id))
    if user_id not in participant_ids:
        return None
    return ThreadAccess(participant_ids, ChatBan.objects.filter(user_id=user_id).exists())


def message_list_for_thread(*, thread):
    """History, newest first."""
    return Message.objects.filter(thread=thread).select_related("sender").order_by("-created_at", "-id")


def message_get_for_participant(*, message_id, user):
    message = (
        Message.objects.select_related("thread", "sender")
        .filter(pk=message_id, thread__participants=user)
        .first()
    )
    if message is None:
        raise MessageNotFoundError()
    return message


def unread_messages_count(*, user) -> int:
    """Messages from others, in the user's threads, that the user has not read."""
    return (
        Message.objects.filter(thread__participants=user, read_at__isnull=True).exclude(sender=user).count()
    )


def user_is_chat_banned(*, user) -> bool:
    return ChatBan.objects.filter(user=user).exists()


def chat_partner_for_product(*, product_id):
    """The product (with its seller) a buyer wants to ask about."""
    product = product_find(product_id=product_id)
    if product is None or product.deleted_at is not None or not product.seller.is_active:
        raise ChatPartnerUnavailableError("Product not found.", code="product_not_found")
    return product


def chat_partner_get(*, user_id):
    user = get_user_model().objects.filter(pk=user_id, is_active=True, deleted_at__isnull=True).first()
    if user is None:
        raise ChatPartnerUnavailableError()
    return user


def chat_export_for_user(*, user):
    """GDPR export: the user's threads with every message they can see."""
    threads = (
        Thread.objects.filter(participants=user)
        .select_related("product")
        .prefetch_related(
            _participants_prefetch(),
            Prefetch(
                "messages", queryset=Message.objects.select_related("sender").order_by("created_at", "id")
            ),
        )
        .order_by("created_at")
    )
    return [
        {
            "thread_id": public_id(thread.pk),
            "product": thread.product.name if thread.product else None,
            "participants": [participant.username for participant in thread.participants.all()],
            "created_at": thread.created_at.isoformat(),
            "messages": [
                {
                    "id": public_id(message.pk),
                    "sender": message.sender.username,
                    "mine": message.sender_id == user.pk,
                    "message_type": message.message_type,
                    "text": message.text,
                    "image": message.image.name or None,
                    "created_at": message.created_at.isoformat(),
                    "read_at": message.read_at.isoformat() if message.read_at else None,
                }
                for message in thread.messages.all()
            ],
        }
        for thread in threads
    ]


def chat_export_for_user_section(user):
    return chat_export_for_user(user=user)
