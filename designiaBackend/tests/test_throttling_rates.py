"""One rate parser for the REST throttles and the chat's sliding window (issue 19)."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from chat import ratelimit
from designiaBackend.api.throttling import IPRateThrottle, parse_rate


@pytest.mark.parametrize(
    "rate, expected",
    [("30/min", (30, 60)), ("20/10s", (20, 10)), ("5/hour", (5, 3600)), ("1000/day", (1000, 86400))],
)
def test_the_throttles_and_the_chat_limit_read_a_rate_alike(rate, expected):
    assert parse_rate(rate) == IPRateThrottle().parse_rate(rate) == ratelimit.parse_rate(rate) == expected


def test_a_malformed_rate_is_a_configuration_error_and_no_rate_no_limit():
    with pytest.raises(ImproperlyConfigured):
        parse_rate("often")
    assert IPRateThrottle().parse_rate(None) == (None, None)
