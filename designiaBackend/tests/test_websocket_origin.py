"""A socket refused at the handshake for its Origin gets a 403 and the log says why."""

import logging
from urllib.parse import urlparse

from designiaBackend.api.origin import LoggingOriginValidator


def validator():
    return LoggingOriginValidator(application=None, allowed_origins=["localhost"])


def test_a_missing_origin_is_refused_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="designiaBackend.api.origin"):
        assert validator().valid_origin(None) is False
    assert [record.getMessage() for record in caplog.records] == [
        "WebSocket refused (403): no Origin header; send Origin: http(s)://<a host in ALLOWED_HOSTS>"
    ]


def test_a_foreign_origin_is_refused_and_logged(caplog):
    with caplog.at_level(logging.WARNING, logger="designiaBackend.api.origin"):
        assert validator().valid_origin(urlparse("http://evil.example")) is False
    assert [record.getMessage() for record in caplog.records] == [
        "WebSocket refused (403): Origin http://evil.example is not in ALLOWED_HOSTS"
    ]


def test_an_allowed_origin_passes_without_a_log(caplog):
    with caplog.at_level(logging.WARNING, logger="designiaBackend.api.origin"):
        assert validator().valid_origin(urlparse("http://localhost:8000")) is True
    assert caplog.records == []
