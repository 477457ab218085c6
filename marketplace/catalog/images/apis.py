"""A seller's photo management for one product: add, delete, reorder, set the primary image."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalog.http.uploads import LargeBodyMixin
from marketplace.catalog.images import services as image_services
from marketplace.catalog.images.presenters import product_image
from marketplace.catalog.images.serializers import (
    ImageReorderSerializer,
    ImageUploadSerializer,
    ProductImageSerializer,
)
from marketplace.catalog.images.services import prepare_data_url_images, prepare_uploaded_images
from marketplace.catalog.products.permissions import ensure_product_owner
from marketplace.catalog.products.selectors import product_get_for_update

ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


def _images_response(gallery, status_code=status.HTTP_200_OK):
    return Response([product_image(row) for row in gallery], status=status_code)


def _owned_product(request, slug):
    product = product_get_for_update(slug=slug)
    ensure_product_owner(product=product, user=request.user)
    return product


class ProductImagesView(LargeBodyMixin, APIView):
    """Append images: multipart ``images`` files and/or JSON ``image_data`` data URLs."""

    @extend_schema(
        request=ImageUploadSerializer, responses={201: ProductImageSerializer(many=True), **ERRORS}
    )
    def post(self, request, slug):
        product = _owned_product(request, slug)
        serializer = ImageUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prepared = prepare_data_url_images(serializer.validated_data.get("image_data") or [])
        prepared += prepare_uploaded_images(serializer.validated_data.get("images") or [])
        if not prepared:
            return Response({"images": ["Send at least one image."], "code": "invalid"}, status=400)
        gallery = image_services.product_images_add(
            product=product,
            user=request.user,
            images=prepared,
            variant_id=serializer.validated_data.get("variant_id"),
        )
        return _images_response(gallery, status.HTTP_201_CREATED)


class ProductImageDetailView(APIView):
    @extend_schema(responses={200: ProductImageSerializer(many=True), **ERRORS})
    def delete(self, request, slug, image_id):
        product = _owned_product(request, slug)
        gallery = image_services.product_image_delete(product=product, user=request.user, image_id=image_id)
        return _images_response(gallery)


class ProductImageSetPrimaryView(APIView):
    @extend_schema(request=None, responses={200: ProductImageSerializer(many=True), **ERRORS})
    def post(self, request, slug, image_id):
        product = _owned_product(request, slug)
        gallery = image_services.product_image_set_primary(
            product=product, user=request.user, image_id=image_id
        )
        return _images_response(gallery)


class ProductImagesReorderView(APIView):
    @extend_schema(
        request=ImageReorderSerializer, responses={200: ProductImageSerializer(many=True), **ERRORS}
    )
    def post(self, request, slug):
        product = _owned_product(request, slug)
        serializer = ImageReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        gallery = image_services.product_images_reorder(
            product=product, user=request.user, image_ids=serializer.validated_data["image_ids"]
        )
        return _images_response(gallery)
