"""What the signed-in user's devices hold, and reporting a finished download."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from ar import selectors, serializers
from ar.apis.common import error_response, parse_body, parse_query
from ar.services import ar_download_record


class ARDownloadListView(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.DownloadRecordSerializer

    @extend_schema(
        operation_id="ar_download_list",
        parameters=[serializers.DownloadListQuerySerializer],
        responses={
            200: serializers.DownloadRecordSerializer(many=True),
            400: error_response("Invalid device id."),
            401: error_response("Not signed in."),
        },
        description="The user's downloaded models (optionally of one device) and whether each is up to date.",
    )
    def get(self, request):
        query = parse_query(serializers.DownloadListQuerySerializer, request)
        records = selectors.ar_download_list_for_user(user=request.user, device_id=query.get("device_id"))
        page = self.paginate_queryset(records)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        operation_id="ar_download_record",
        request=serializers.DownloadRecordInputSerializer,
        responses={
            200: serializers.DownloadRecordSerializer,
            201: serializers.DownloadRecordSerializer,
            400: error_response("Invalid input."),
            401: error_response("Not signed in."),
            404: error_response("Unknown product, or no model in that format."),
        },
        description="Report that this device downloaded the model (201 the first time, then 200).",
    )
    def post(self, request):
        data = parse_body(serializers.DownloadRecordInputSerializer, request)
        product = selectors.product_get_visible(product_id=data["product_id"], user=request.user)
        model = selectors.ar_model_get(product=product, model_format=data["format"])
        record, created = ar_download_record(
            user=request.user,
            device_id=data["device_id"],
            model=model,
            version=data.get("version"),
            checksum=data.get("checksum"),
        )
        body = self.get_serializer(record).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
