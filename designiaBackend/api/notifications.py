"""Raise a notification for a user without importing the app that stores and delivers it.

The ``notifications`` app registers its ``notify`` service here from ``AppConfig.ready``; any app
(authentication, marketplace, payment_system) calls :func:`notify` inside its transaction. The
notification is stored in that transaction; the socket push and the e-mail leave after commit.
A missing registration is a ``RuntimeError`` at the first call (README, "registration seams").

Code that raises many at once (digests, stock alerts) wraps them in :func:`email_batch`: their
e-mails then go as batches over one SMTP connection, not one task and one connection each. Code
that stores its notifications in transactions of their own and queues their e-mails afterwards
(the saved-search digests) adds them with :func:`email_batch_join_unsent`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


_handler = None
_batch_handler = None
_unsent_handler = None
_email_batch: ContextVar[list | None] = ContextVar("notification_email_batch", default=None)


def register(handler) -> None:
    """``handler(**kwargs)`` receives exactly the keyword arguments of :func:`notify`."""
    global _handler
    if not callable(handler):
        raise TypeError("A notification handler must be callable.")
    _handler = handler


def register_email_batch(handler) -> None:
    """``handler(notification_ids)`` queues the e-mails collected by :func:`email_batch`."""
    global _batch_handler
    if not callable(handler):
        raise TypeError("A notification e-mail batch handler must be callable.")
    _batch_handler = handler


def register_unsent_emails(handler) -> None:
    """``handler(kind=..., events=[(recipient_id, event_key), ...])`` returns the ids of those
    notifications of ``kind`` whose e-mail has not been sent."""
    global _unsent_handler
    if not callable(handler):
        raise TypeError("A handler of unsent notification e-mails must be callable.")
    _unsent_handler = handler


def email_batch_join_unsent(*, kind: str, events: Iterable[tuple]) -> int:
    """Inside :func:`email_batch`: the notifications of ``kind`` stored for these ``(recipient id,
    event key)`` pairs whose e-mail has not been sent join the batch (a batch run again finds those
    an interrupted run stored). Returns how many joined."""
    batch = _email_batch.get()
    if batch is None:
        raise RuntimeError("email_batch_join_unsent() belongs inside email_batch().")
    if _unsent_handler is None:
        raise RuntimeError("No handler of unsent notification e-mails is registered.")
    joining = [pk for pk in _unsent_handler(kind=kind, events=list(events)) if pk not in batch]
    batch.extend(joining)
    return len(joining)


def collecting_emails() -> list | None:
    """Inside :func:`email_batch`: the list the notifications' e-mails join (else None)."""
    return _email_batch.get()


@contextmanager
def email_batch() -> Iterator[None]:
    """The notifications raised inside have their e-mails queued together when the block ends
    (use it inside the transaction that raises them, so the batch is recorded with them)."""
    if _email_batch.get() is not None:  # nested: the outer batch takes them
        yield
        return
    collected: list = []
    token = _email_batch.set(collected)
    try:
        yield
    finally:
        _email_batch.reset(token)
    if collected:
        if _batch_handler is None:
            raise RuntimeError("No notification e-mail batch handler is registered.")
        _batch_handler(collected)


def notify(
    *,
    recipient,
    kind: str,
    event_key: str,
    title: StrOrPromise,  # lazy texts are translated per recipient
    body: StrOrPromise,
    link_type: str = "",
    link_id: str = "",
    url: str = "",
    email_subject: StrOrPromise = "",
    email_template: str = "",
    email_context: dict | None = None,
    email: bool = True,
):
    """Store one notification of ``kind`` for ``recipient`` (a user or a user id), once per
    ``event_key``.

    ``email=False`` when the caller sends its own e-mail for the event (the order receipt);
    ``email_template`` (``templates/emails/<name>``) overrides the generic notification e-mail;
    ``email_context`` must be JSON-able (it travels to a Celery task).
    """
    if _handler is None:
        raise RuntimeError("No notification handler is registered (is the notifications app installed?).")
    return _handler(
        recipient=recipient,
        kind=kind,
        event_key=event_key,
        title=title,
        body=body,
        link_type=link_type,
        link_id=str(link_id or ""),
        url=url,
        email_subject=email_subject,
        email_template=email_template,
        email_context=email_context or {},
        email=email,
    )
