"""Outgoing e-mail: every message has a plain-text and an HTML template and goes through
Django's mail framework (console by default, SMTP when configured)."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string


def email_connection() -> BaseEmailBackend:
    """One connection for a batch of messages: ``with email_connection() as connection:`` opens
    the SMTP session once; pass it to each ``send_templated_email(..., connection=connection)``."""
    connection: BaseEmailBackend = get_connection()
    return connection


def send_templated_email(
    *,
    to: str | Iterable[str],
    subject: str,
    template: str,
    context: Mapping[str, Any] | None = None,
    attachments: Iterable[tuple[str, bytes | str, str]] = (),
    headers: dict[str, str] | None = None,
    connection: BaseEmailBackend | None = None,
) -> int:
    """Render ``emails/<template>.txt`` and ``.html`` and send them to ``to`` (an address or list).

    Templates receive ``context`` plus ``frontend_url``; ``headers`` adds message headers
    (``List-Unsubscribe``, ...).
    """
    recipients = [to] if isinstance(to, str) else list(to)
    context = {"frontend_url": settings.FRONTEND_URL, **(context or {})}
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=recipients, headers=headers or None, connection=connection
    )
    message.attach_alternative(html, "text/html")
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message.send()
