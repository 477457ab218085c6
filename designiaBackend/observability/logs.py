"""Log records: request and trace ids on every record, secrets redacted, JSON in production.

Wired by ``settings.LOGGING``: both filters sit on the console handler (handler filters also see
records propagated from child loggers), and the formatter is ``json`` or ``text`` (``LOG_FORMAT``).
"""

import json
import logging
import re
from datetime import UTC, datetime

from opentelemetry import trace

from designiaBackend.observability.context import get_request_id

REDACTED = "[REDACTED]"

_SENSITIVE_KEY = r"[\w-]*(?:password|passwd|secret|token|api[_-]?key|sessionid|csrftoken|cookie)[\w-]*"
# A value: already redacted, quoted (up to its closing quote, spaces included) or bare.
_VALUE = r"(?:\[REDACTED\]|\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*'|[^\s&,;}\]\"'<>]+)"


def _keep_quotes(match):
    value = match.group(2)
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match.group(1)}{quote}{REDACTED}{quote}"


_REDACTIONS = (
    # Authorization: Bearer <jwt> / Basic <b64> (headers, dict reprs, curl-style dumps).
    (
        re.compile(
            r"(?i)(\bauthorization[\"']?\s*[:=]\s*)((?:[\"'])?(?:(?:bearer|basic|token)\s+)?[^\s\"',;}]+[\"']?)"
        ),
        _keep_quotes,
    ),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9\-._~+/]+=*"), r"\1 " + REDACTED),
    # JSON Web Tokens wherever they appear (query strings, bodies).
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), REDACTED),
    # Stripe secret and restricted keys, webhook secrets, client secrets of sessions and intents.
    (re.compile(r"\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]+"), REDACTED),
    (re.compile(r"\bwhsec_[A-Za-z0-9_]+"), REDACTED),
    (re.compile(r"\b((?:cs|pi|seti)_[A-Za-z0-9_]+?)_secret_[A-Za-z0-9]+"), r"\1_secret_" + REDACTED),
    # key=value and "key": "value" pairs whose key names a secret (password=, "refresh_token": ...).
    (re.compile(rf"(?i)(\b{_SENSITIVE_KEY}[\"']?\s*[:=]\s*)({_VALUE})"), _keep_quotes),
)
_SENSITIVE_KEY_NAME = re.compile(rf"(?i)^(?:{_SENSITIVE_KEY}|authorization)$")


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(key, value):
    if isinstance(key, str) and _SENSITIVE_KEY_NAME.match(key):
        return REDACTED
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: _redact_value(k, v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redact_value(None, v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))  # e.g. django.request's HttpRequest, whose repr has the query string


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``trace_id`` and ``span_id`` (empty strings when there are none)."""

    def filter(self, record):
        if hasattr(record, "request_id"):  # another handler's filter got here first
            return True
        # django.request logs 4xx/5xx responses after the middleware has unbound the id, but
        # passes the request along.
        request_id = get_request_id() or getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or ""
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            record.trace_id = format(span_context.trace_id, "032x")
            record.span_id = format(span_context.span_id, "016x")
        else:
            record.trace_id = record.span_id = ""
        return True


class RedactingFilter(logging.Filter):
    """Rewrites the message, the traceback and the extra fields without secrets or tokens."""

    def filter(self, record):
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: log what we have
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        for key in _extra_keys(record):
            setattr(record, key, _redact_value(key, getattr(record, key)))
        return True


# Attributes every LogRecord has, plus the ones ContextFilter adds: the rest are ``extra=`` fields.
_RECORD_ATTRIBUTES = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "trace_id",
    "span_id",
    "taskName",
}


def _extra_keys(record):
    return [key for key in record.__dict__ if key not in _RECORD_ATTRIBUTES and not key.startswith("_")]


class JsonFormatter(logging.Formatter):
    """One JSON object per line, with the ids that tie a record to its request and trace."""

    def format(self, record):
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "") or None,
            "trace_id": getattr(record, "trace_id", "") or None,
            "span_id": getattr(record, "span_id", "") or None,
            "module": record.module,
            "function": record.funcName,
            "line": record.lineno,
            "process": record.process,
            "thread": record.threadName,
        }
        for key in _extra_keys(record):
            entry.setdefault(key, getattr(record, key))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)
