"""Celery tasks of the chat app (queue ``marketplace_tasks``)."""

from celery import shared_task

from chat.services.digests import chat_unread_digests_send


@shared_task(name="chat.tasks.chat_unread_digests_task")
def chat_unread_digests_task() -> int:
    """Beat, hourly: one digest per user with chat messages left unread."""
    return chat_unread_digests_send()
