"""orjson rendering for the catalogue's hot read endpoints (several times faster than json)."""

from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer


def _default(value):
    if isinstance(value, Decimal | Promise):
        return str(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


class ORJSONRenderer(BaseRenderer):
    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return render_json(data)


def render_json(data):
    return orjson.dumps(data, default=_default, option=orjson.OPT_NON_STR_KEYS)
