from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from designiaBackend.api import errors, files, health
from designiaBackend.observability.exposition import metrics_view
from notifications.views import UnsubscribePageView

# The Swagger page loads Swagger UI from its CDN and has one inline <style>; its start-up script
# comes from this server (the split view), so scripts stay limited to 'self' and the CDN.
SWAGGER_CDN = "https://cdn.jsdelivr.net"
SWAGGER_CSP = {
    "script-src": [SWAGGER_CDN],
    "style-src": [SWAGGER_CDN, "'unsafe-inline'"],
    "img-src": [SWAGGER_CDN],
}
swagger_view = csp_update(SWAGGER_CSP)(SpectacularSwaggerSplitView.as_view(url_name="schema"))

api_urlpatterns = [
    path("auth/", include("authentication.urls")),
    path("marketplace/", include("marketplace.urls")),
    path("activity/", include("marketplace.activity.urls")),
    path("payments/", include("payment_system.urls")),
    path("chat/", include("chat.urls")),
    path("notifications/", include("notifications.urls")),
    path("ar/", include("ar.urls")),
    path("system/", include("ar.system_urls")),
    path("health/live/", health.LiveView.as_view(), name="health-live"),
    path("health/ready/", health.ReadyView.as_view(), name="health-ready"),
    path("files/private/<str:token>/", files.private_download, name="private-download"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_view, name="swagger-ui"),
]

urlpatterns = [
    path("api/", include(api_urlpatterns)),
    path("admin/", admin.site.urls),
    # The page behind every notification e-mail's "Stop these e-mails" link (HTML, no login).
    path("notifications/unsubscribe/", UnsubscribePageView.as_view(), name="notifications-unsubscribe-page"),
    # Prometheus (token or network rule: designiaBackend.observability.exposition).
    path("metrics", metrics_view, name="prometheus-metrics"),
]


def serve_media(request, path):
    # MEDIA_ROOT is read per request, so a changed setting (tests' per-test media dirs) applies.
    return serve(request, path, document_root=settings.MEDIA_ROOT)


if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve_media),
    ]

handler404 = errors.not_found
handler500 = errors.server_error
