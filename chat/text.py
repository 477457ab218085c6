"""Message text rules: stored as sent, minus control characters, within the length limit."""

import unicodedata

from django.conf import settings

from chat.exceptions import InvalidMessageError, MessageTooLongError

# Line breaks and tabs are part of what people write; every other C0/C1 control is dropped, and
# so are lone surrogates (valid in JSON escapes, not storable as UTF-8).
KEPT_CONTROLS = {"\n", "\r", "\t"}
DROPPED_CATEGORIES = {"Cc", "Cs"}


def strip_control_characters(text):
    return "".join(
        ch for ch in text if ch in KEPT_CONTROLS or unicodedata.category(ch) not in DROPPED_CATEGORIES
    )


def clean_message_text(text, *, allow_empty=False):
    """The text to store; raises when it is empty (unless allowed) or too long."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise InvalidMessageError("The message text must be a string.")
    cleaned = strip_control_characters(text)
    limit = settings.CHAT_MESSAGE_MAX_LENGTH
    if len(cleaned) > limit:
        raise MessageTooLongError(f"A message can have at most {limit} characters.")
    if not allow_empty and not cleaned.strip():
        raise InvalidMessageError("The message is empty.")
    return cleaned
