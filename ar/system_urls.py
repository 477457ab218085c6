from django.urls import path

from ar.apis.system import AppVersionCheckView

app_name = "system"

urlpatterns = [
    path("app-version-check/", AppVersionCheckView.as_view(), name="app-version-check"),
]
