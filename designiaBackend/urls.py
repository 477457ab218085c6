from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from designiaBackend.api import errors, files, health

api_urlpatterns = [
    path("auth/", include("authentication.urls")),
    path("marketplace/", include("marketplace.urls")),
    path("payments/", include("payment_system.urls")),
    path("chat/", include("chat.urls")),
    path("ar/", include("ar.urls")),
    path("health/live/", health.LiveView.as_view(), name="health-live"),
    path("health/ready/", health.ReadyView.as_view(), name="health-ready"),
    path("files/private/<str:token>/", files.private_download, name="private-download"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
]

urlpatterns = [
    path("api/", include(api_urlpatterns)),
    path("admin/", admin.site.urls),
]

if settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]

handler404 = errors.not_found
handler500 = errors.server_error
