"""Product endpoints (contract E22 list and E48 create, E26, E47, E49, E50). Thin: validate, call a
selector or service; the list itself is the search package's ``ProductFilterMixin``."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import PagePagination, page_of, paginated
from designiaBackend.api.permissions import IsSeller
from marketplace.activity.apis import viewer_key
from marketplace.activity.services import activity_view_record_later
from marketplace.catalog.display_currency import CURRENCY_PARAMETER, display_currency_for
from marketplace.catalog.http.renderers import ORJSONRenderer
from marketplace.catalog.http.uploads import LargeBodyMixin
from marketplace.catalog.images.services import prepare_data_url_images, prepare_uploaded_images
from marketplace.catalog.products import presenters
from marketplace.catalog.products.permissions import ensure_product_owner
from marketplace.catalog.products.selectors import (
    product_get_for_update,
    product_list_for_seller,
    product_page_get,
)
from marketplace.catalog.products.serializers import (
    ProductDetailSerializer,
    ProductWriteSerializer,
    SellerProductItemSerializer,
)
from marketplace.catalog.products.services import (
    MISSING,
    product_create,
    product_delete,
    product_update,
)
from marketplace.catalog.search.apis import ERRORS, FILTER_PARAMETERS, ProductFilterMixin
from marketplace.catalog.search.serializers import ProductSearchPageSerializer
from marketplace.favorites.selectors import favorite_exists


def product_detail_response(*, slug, user, status_code=status.HTTP_200_OK, request=None):
    """E26 (and the E48/E49 answers): one query, never cached.

    The page is cheap to build and its counters (stock, views, favorites, rating) stay current;
    caching it per product only paid off for products seen more than once a minute.
    """
    display = display_currency_for(request) if request is not None else None
    page = product_page_get(slug=slug, user=user)
    body = presenters.product_detail(page)
    if display is not None:
        display.apply([body])
        for variant in body["variants"]:  # a variant's price in the display currency too
            prices = {"price": variant["price"], "original_price": variant["original_price"]}
            variant.update(display.fields(**prices, currency=body["currency"]))
    body["is_favorited"] = bool(user.is_authenticated and favorite_exists(user=user, product_id=body["id"]))
    return Response(body, status=status_code)


def _prepared_images(data):
    return prepare_data_url_images(data.get("image_data") or []) + prepare_uploaded_images(
        data.get("uploaded_images") or []
    )


class ProductListCreateView(LargeBodyMixin, ProductFilterMixin, APIView):
    """E22 (list) and E48 (create)."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsSeller()]

    @extend_schema(
        operation_id="marketplace_products_list",
        parameters=FILTER_PARAMETERS,
        responses={200: ProductSearchPageSerializer, **ERRORS},
    )
    def get(self, request):
        return self.filtered_list(request)

    @extend_schema(request=ProductWriteSerializer, responses={201: ProductDetailSerializer, **ERRORS})
    def post(self, request):
        serializer = ProductWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product = product_create(
            seller=request.user,
            data=data,
            images=_prepared_images(data),
            model_data=data.get("model_data", MISSING) if "model_data" in request.data else MISSING,
        )
        return product_detail_response(slug=product.slug, user=request.user, status_code=201)


class MyProductsView(APIView):
    """E47: the caller's own products, paginated."""

    permission_classes = [IsSeller]
    renderer_classes = [ORJSONRenderer]
    pagination_class = PagePagination

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
        responses={
            200: page_of(SellerProductItemSerializer),
            401: OpenApiTypes.OBJECT,
            403: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request):
        products = product_list_for_seller(seller=request.user)
        return paginated(request, self, products, presenters.seller_product_item)


class ProductDetailView(LargeBodyMixin, APIView):
    """E26 (read, counts a view), E49 (update by owner or staff), E50 (soft delete)."""

    renderer_classes = [ORJSONRenderer]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[CURRENCY_PARAMETER],
        responses={
            200: ProductDetailSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            404: OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, slug):
        response = product_detail_response(slug=slug, user=request.user, request=request)
        activity_view_record_later(product_id=response.data["id"], viewer=viewer_key(request))
        return response

    @extend_schema(request=ProductWriteSerializer, responses={200: ProductDetailSerializer, **ERRORS})
    def patch(self, request, slug):
        product = product_get_for_update(slug=slug)
        ensure_product_owner(product=product, user=request.user)
        serializer = ProductWriteSerializer(data=request.data, partial=True, context={"product": product})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        product_update(
            product=product,
            user=request.user,
            data=data,
            images=_prepared_images(data),
            model_data=data.get("model_data") if "model_data" in request.data else MISSING,
        )
        return product_detail_response(slug=product.slug, user=request.user)

    @extend_schema(
        responses={204: None, 401: OpenApiTypes.OBJECT, 403: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}
    )
    def delete(self, request, slug):
        product_delete(product=product_get_for_update(slug=slug), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
