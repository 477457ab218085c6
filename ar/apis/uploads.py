"""Presigned direct uploads: start (a PUT URL for storage), then finish (verify and attach)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ar import selectors, serializers
from ar.apis.common import error_response, parse_body
from ar.services import ar_upload_finish, ar_upload_start


class ARUploadStartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ar_upload_start",
        request=serializers.UploadStartSerializer,
        responses={
            201: serializers.UploadTicketSerializer,
            400: error_response("Invalid input, or the server's storage cannot take direct uploads."),
            401: error_response("Not signed in."),
            403: error_response("Another seller's product."),
            404: error_response("Unknown product."),
        },
        description=(
            "Start a direct upload: PUT the file to `upload_url` with `headers`, then call "
            "`POST /api/ar/uploads/{upload_id}/finish/`. Needs S3/MinIO storage; with local "
            "storage the server answers 400 `direct_upload_unavailable`."
        ),
    )
    def post(self, request, product_id):
        product = selectors.product_get_for_ar_management(product_id=product_id, user=request.user)
        data = parse_body(serializers.UploadStartSerializer, request)
        upload, presigned = ar_upload_start(
            product=product,
            uploaded_by=request.user,
            model_format=data["format"],
            size=data["size"],
            checksum=data["checksum_sha256"],
            filename=data.get("filename", ""),
        )
        ticket = {
            "upload_id": upload.pk,
            "upload_url": presigned.url,
            "method": presigned.method,
            "headers": presigned.headers,
            "expires_at": presigned.expires_at,
            "max_size": settings.AR_MODEL_MAX_SIZE,
        }
        return Response(serializers.UploadTicketSerializer(ticket).data, status=status.HTTP_201_CREATED)


class ARUploadFinishView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="ar_upload_finish",
        request=None,
        responses={
            200: serializers.ARModelUploadResultSerializer,
            201: serializers.ARModelUploadResultSerializer,
            400: error_response("Nothing uploaded, or the file's size, checksum or content is wrong."),
            401: error_response("Not signed in."),
            403: error_response("The product now belongs to someone else's catalogue."),
            404: error_response("Unknown upload."),
            409: error_response("The upload was already finished or failed."),
        },
    )
    def post(self, request, upload_id):
        upload = selectors.ar_upload_get_for_user(upload_id=upload_id, user=request.user)
        selectors.product_get_for_ar_management(product_id=upload.product_id, user=request.user)
        model, created = ar_upload_finish(upload=upload)
        body = serializers.ARModelUploadResultSerializer(model).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
