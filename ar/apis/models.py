"""A product's 3D models: metadata (with ETag), upload/replace, delete, and download links."""

from datetime import timedelta

from django.utils import timezone
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ar import selectors, serializers
from ar.apis.common import (
    ModelFormatNegotiation,
    error_response,
    parse_body,
    parse_query,
    refuse_oversized_body,
)
from ar.exceptions import ModelNotFoundError
from ar.services import ar_model_delete, ar_model_store, ar_model_store_from_data_url


def _model_set(product, models):
    etag = selectors.ar_models_etag(models)
    data = {
        "product_id": product.pk,
        "has_ar_model": bool(models),
        "formats": [model.format for model in models],
        "models": models,
        "etag": etag,
    }
    return serializers.ARModelSetSerializer(data).data, etag


def _etag_matches(request, etag):
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or quote_etag(etag) in {tag.removeprefix("W/") for tag in tags}


class ARModelDetailView(APIView):
    content_negotiation_class = ModelFormatNegotiation
    parser_classes = [MultiPartParser, JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        operation_id="ar_model_metadata",
        parameters=[OpenApiParameter("If-None-Match", str, OpenApiParameter.HEADER, required=False)],
        responses={
            200: serializers.ARModelSetSerializer,
            304: OpenApiResponse(description="Unchanged since the ETag sent in If-None-Match."),
            404: error_response("Unknown product, or one the caller may not see."),
        },
    )
    def get(self, request, product_id):
        product = selectors.product_get_visible(product_id=product_id, user=request.user)
        data, etag = _model_set(product, selectors.ar_model_list_for_product(product=product))
        headers = {"ETag": quote_etag(etag), "Cache-Control": "private, no-cache"}
        if _etag_matches(request, etag):
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        return Response(data, headers=headers)

    @extend_schema(
        operation_id="ar_model_upload",
        request={
            "multipart/form-data": serializers.MultipartUploadSerializer,
            "application/json": serializers.DataURLUploadSerializer,
        },
        responses={
            200: serializers.ARModelUploadResultSerializer,
            201: serializers.ARModelUploadResultSerializer,
            400: error_response("Invalid or oversized model, or invalid input."),
            401: error_response("Not signed in."),
            403: error_response("Another seller's product."),
            404: error_response("Unknown product."),
            409: error_response("A concurrent upload won."),
        },
        description="Upload (201) or replace (200) the product's model in the format of the file.",
    )
    def post(self, request, product_id):
        product = selectors.product_get_for_ar_management(product_id=product_id, user=request.user)
        refuse_oversized_body(request)
        if request.content_type.startswith("multipart/"):
            data = parse_body(serializers.MultipartUploadSerializer, request)
            model, created = ar_model_store(
                product=product,
                uploaded_by=request.user,
                file=data["file"],
                filename=data["file"].name,
                expected_format=data.get("format"),
            )
        else:
            data = parse_body(serializers.DataURLUploadSerializer, request)
            model, created = ar_model_store_from_data_url(
                product=product,
                uploaded_by=request.user,
                model_content=data["model_content"],
                filename=data.get("filename"),
                expected_format=data.get("format"),
            )
        body = serializers.ARModelUploadResultSerializer(model).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="ar_model_delete",
        parameters=[serializers.OptionalModelFormatQuerySerializer],
        responses={
            204: OpenApiResponse(description="Deleted."),
            400: error_response("Invalid format."),
            401: error_response("Not signed in."),
            403: error_response("Another seller's product."),
            404: error_response("Unknown product, or no model in that format."),
        },
    )
    def delete(self, request, product_id):
        query = parse_query(serializers.OptionalModelFormatQuerySerializer, request)
        product = selectors.product_get_for_ar_management(product_id=product_id, user=request.user)
        if not ar_model_delete(product=product, model_format=query.get("format")):
            raise ModelNotFoundError()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ARModelDownloadLinkView(APIView):
    content_negotiation_class = ModelFormatNegotiation
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="ar_model_download_link",
        parameters=[serializers.ModelFormatQuerySerializer],
        responses={
            200: serializers.DownloadLinkSerializer,
            400: error_response("Missing or invalid format."),
            404: error_response("Unknown product, or no model in that format."),
        },
        description="A presigned link to the model file, valid for a few minutes.",
    )
    def get(self, request, product_id):
        query = parse_query(serializers.ModelFormatQuerySerializer, request)
        product = selectors.product_get_visible(product_id=product_id, user=request.user)
        model = selectors.ar_model_get(product=product, model_format=query["format"])
        link = selectors.ar_model_download_link(model=model)
        data = {
            "product_id": product.pk,
            "format": model.format,
            "url": link["url"],
            "expires_in": link["expires_in"],
            "expires_at": timezone.now() + timedelta(seconds=link["expires_in"]),
            "filename": model.original_filename,
            "size": model.size,
            "checksum": model.checksum,
            "version": model.version,
        }
        return Response(serializers.DownloadLinkSerializer(data).data)
