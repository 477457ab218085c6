from django.urls import path

from ar.apis.catalogue import ARProductListView
from ar.apis.downloads import ARDownloadListView
from ar.apis.models import ARModelDetailView, ARModelDownloadLinkView
from ar.apis.uploads import ARUploadFinishView, ARUploadStartView

app_name = "ar"

urlpatterns = [
    path("products/", ARProductListView.as_view(), name="product-list"),
    path("models/<int:product_id>/", ARModelDetailView.as_view(), name="model-detail"),
    path(
        "models/<int:product_id>/download-link/",
        ARModelDownloadLinkView.as_view(),
        name="model-download-link",
    ),
    path("models/<int:product_id>/uploads/", ARUploadStartView.as_view(), name="upload-start"),
    path("uploads/<uuid:upload_id>/finish/", ARUploadFinishView.as_view(), name="upload-finish"),
    path("downloads/", ARDownloadListView.as_view(), name="download-list"),
]
