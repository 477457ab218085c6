"""Catalogue endpoints (contract E22–E26, E47–E50). Thin: validate, call a selector or service."""

from django.core.exceptions import RequestDataTooBig
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import PagePagination
from designiaBackend.api.permissions import IsSeller
from designiaBackend.errors import ApplicationError
from marketplace.activity.services import activity_view_record_later, viewer_key
from marketplace.catalog import presenters
from marketplace.catalog.categories import category_tree
from marketplace.catalog.discovery import autocomplete_suggestions, catalog_facets
from marketplace.catalog.images import prepare_data_url_images, prepare_uploaded_images
from marketplace.catalog.renderers import ORJSONRenderer, render_json
from marketplace.catalog.response_cache import cached_json_response
from marketplace.catalog.selectors import (
    product_get_for_update,
    product_list,
    product_list_for_seller,
    product_page_get,
)
from marketplace.catalog.serializers import (
    AutocompleteQuerySerializer,
    AutocompleteSerializer,
    CategorySerializer,
    FacetsSerializer,
    ProductDetailSerializer,
    ProductFilterSerializer,
    ProductListItemSerializer,
    ProductWriteSerializer,
    SellerProductItemSerializer,
    page_of,
    query_params_dict,
)
from marketplace.catalog.services import (
    MISSING,
    ensure_product_owner,
    product_create,
    product_delete,
    product_update,
)
from marketplace.favorites.selectors import favorite_exists

FILTER_PARAMETERS = [
    OpenApiParameter("q", str),
    OpenApiParameter("category", str, many=True, explode=True, description="category slug, repeated"),
    OpenApiParameter("price_min", OpenApiTypes.NUMBER),
    OpenApiParameter("price_max", OpenApiTypes.NUMBER),
    OpenApiParameter(
        "condition", str, many=True, explode=True, enum=["new", "like_new", "good", "fair", "poor"]
    ),
    OpenApiParameter("min_rating", OpenApiTypes.NUMBER),
    OpenApiParameter("in_stock", bool),
    OpenApiParameter("seller", OpenApiTypes.UUID),
    OpenApiParameter("is_featured", bool),
    OpenApiParameter("brand", str),
    OpenApiParameter(
        "ordering",
        str,
        enum=["relevance", "-created_at", "created_at", "price", "-price", "-average_rating", "-view_count"],
    ),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
]
ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class LargeBodyMixin:
    """Answer 413 in the error shape when a body exceeds ``DATA_UPLOAD_MAX_MEMORY_SIZE``."""

    def handle_exception(self, exc):
        if isinstance(exc, RequestDataTooBig):
            exc = ApplicationError(
                "The request is too large. Send fewer or smaller images.",
                code="request_too_large",
                status=413,
            )
        return super().handle_exception(exc)


def paginated(request, view, queryset, present):
    paginator = PagePagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response([present(item) for item in page])


def product_detail_response(*, slug, user, status_code=status.HTTP_200_OK):
    """E26 (and the E48/E49 answers): one query, never cached.

    The page is cheap to build and its counters (stock, views, favorites, rating) stay current;
    caching it per product only paid off for products seen more than once a minute.
    """
    page = product_page_get(slug=slug, user=user)
    body = presenters.product_detail(page)
    body["is_favorited"] = bool(user.is_authenticated and favorite_exists(user=user, product_id=body["id"]))
    return Response(body, status=status_code)


class ProductFilterMixin:
    renderer_classes = [ORJSONRenderer]
    pagination_class = PagePagination

    def filtered_list(self, request):
        def build():
            filters = ProductFilterSerializer(data=query_params_dict(request.query_params))
            filters.is_valid(raise_exception=True)
            products = product_list(filters=filters.validated_data)
            return render_json(paginated(request, self, products, presenters.product_list_item).data)

        return cached_json_response("products", request, build)


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
        responses={200: page_of(ProductListItemSerializer), **ERRORS},
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


class ProductSearchView(ProductFilterMixin, APIView):
    """E23: search with filters, ordering (C3) and the paginated shape of §4.1."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=FILTER_PARAMETERS, responses={200: page_of(ProductListItemSerializer), **ERRORS}
    )
    def get(self, request):
        return self.filtered_list(request)


class AutocompleteView(APIView):
    """E24: ``{suggestions: [{id, name, type, slug}]}`` (C13)."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        parameters=[AutocompleteQuerySerializer],
        responses={200: AutocompleteSerializer, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        params = AutocompleteQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        suggestions = autocomplete_suggestions(
            query=params.validated_data["q"], limit=params.validated_data["limit"]
        )
        return Response({"suggestions": suggestions})


class CategoryListView(APIView):
    """E25: a plain array of active categories with ``product_count``."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(responses={200: CategorySerializer(many=True), 401: OpenApiTypes.OBJECT})
    def get(self, request):
        def build():
            return render_json(
                [{k: v for k, v in c.items() if k != "descendant_ids"} for c in category_tree()]
            )

        return cached_json_response("categories", request, build)


class FiltersView(APIView):
    """Facets of the catalogue: categories with counts, price range, brands, conditions."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(responses={200: FacetsSerializer, 401: OpenApiTypes.OBJECT})
    def get(self, request):
        return cached_json_response("facets", request, lambda: render_json(catalog_facets()))


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
        responses={200: ProductDetailSerializer, 401: OpenApiTypes.OBJECT, 404: OpenApiTypes.OBJECT}
    )
    def get(self, request, slug):
        response = product_detail_response(slug=slug, user=request.user)
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
