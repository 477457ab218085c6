"""ASGI entry point: HTTP and the WebSockets under /ws/.

In production `/api/` is best served by a WSGI server (gunicorn) and only `/ws/` by daphne;
this application serves both so that `make run` needs a single process.
"""

import os

from django.core.asgi import get_asgi_application

from designiaBackend.observability.tracing import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
# Before the application loads its middleware: the Django instrumentation adds its own.
configure_tracing()
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from chat.routing import websocket_urlpatterns  # noqa: E402
from designiaBackend.api.origin import allowed_hosts_origin_validator  # noqa: E402
from designiaBackend.api.websocket import JWTQueryAuthMiddleware  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": allowed_hosts_origin_validator(JWTQueryAuthMiddleware(URLRouter(websocket_urlpatterns))),
    }
)
