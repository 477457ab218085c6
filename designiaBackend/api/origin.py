"""The WebSocket handshake's Origin check, saying in the log why a handshake was refused.

Channels' ``AllowedHostsOriginValidator`` answers a bare 403 to a socket whose ``Origin`` header
is missing or names a host outside ``ALLOWED_HOSTS``; this one does the same and logs the reason.
"""

import logging

from channels.security.websocket import OriginValidator
from django.conf import settings

logger = logging.getLogger(__name__)


class LoggingOriginValidator(OriginValidator):
    def valid_origin(self, parsed_origin):
        valid = super().valid_origin(parsed_origin)
        if not valid and parsed_origin is None:
            logger.warning(
                "WebSocket refused (403): no Origin header; send Origin: http(s)://<a host in ALLOWED_HOSTS>"
            )
        elif not valid:
            logger.warning(
                "WebSocket refused (403): Origin %s is not in ALLOWED_HOSTS", parsed_origin.geturl()
            )
        return valid


def allowed_hosts_origin_validator(application):
    """``AllowedHostsOriginValidator`` with a logged reason for each refusal."""
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    return LoggingOriginValidator(application, allowed_hosts)
