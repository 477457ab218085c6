"""Browse and search endpoints: E22's list (shared with products/), E23 search, E24, facets."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import PagePagination, paginated
from marketplace.catalog.display_currency import CURRENCY_PARAMETER, display_currency_for
from marketplace.catalog.http.renderers import ORJSONRenderer, render_json
from marketplace.catalog.http.response_cache import cached_json_response
from marketplace.catalog.products import presenters
from marketplace.catalog.search.selectors import (
    autocomplete_suggestions,
    catalog_facets,
    product_list_counted,
    search_did_you_mean,
)
from marketplace.catalog.search.serializers import (
    AutocompleteQuerySerializer,
    AutocompleteSerializer,
    FacetsSerializer,
    ProductFilterSerializer,
    ProductSearchPageSerializer,
    query_params_dict,
)

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
    OpenApiParameter("material", str, many=True, explode=True, description="a material, repeated (any of)"),
    OpenApiParameter("color", str, many=True, explode=True, description="a colour, repeated (any of)"),
    OpenApiParameter("style", str, many=True, explode=True, description="a style, repeated (any of)"),
    *(
        OpenApiParameter(f"{bound}_{name}", OpenApiTypes.NUMBER, description="centimetres")
        for name in ("width", "depth", "height")
        for bound in ("min", "max")
    ),
    *(
        OpenApiParameter(f"{bound}_weight", OpenApiTypes.NUMBER, description="kilograms")
        for bound in ("min", "max")
    ),
    OpenApiParameter("made_to_order", bool),
    OpenApiParameter(
        "ordering",
        str,
        enum=["relevance", "-created_at", "created_at", "price", "-price", "-average_rating", "-view_count"],
    ),
    OpenApiParameter("page", int),
    OpenApiParameter("page_size", int),
    CURRENCY_PARAMETER,
]
ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: OpenApiTypes.OBJECT,
    403: OpenApiTypes.OBJECT,
    404: OpenApiTypes.OBJECT,
}


class ProductFilterMixin:
    renderer_classes = [ORJSONRenderer]
    pagination_class = PagePagination

    def filtered_list(self, request):
        display = display_currency_for(request)

        def build():
            filters = ProductFilterSerializer(data=query_params_dict(request.query_params))
            filters.is_valid(raise_exception=True)
            products = product_list_counted(filters=filters.validated_data)
            data = paginated(request, self, products, presenters.product_list_item).data
            if data["count"] == 0 and filters.validated_data.get("q"):
                data["did_you_mean"] = search_did_you_mean(query=filters.validated_data["q"])
            if display is not None:
                display.apply(data["results"])
            return render_json(data)

        # Display prices are cached per currency and rate day (a preferred currency is not in the URL).
        namespace = f"products:{display.cache_namespace}" if display else "products"
        return cached_json_response(namespace, request, build)


class ProductSearchView(ProductFilterMixin, APIView):
    """E23: search with filters, ordering (C3) and the paginated shape of §4.1."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=FILTER_PARAMETERS, responses={200: ProductSearchPageSerializer, **ERRORS})
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


class FiltersView(APIView):
    """Facets: categories with counts, and the price range, brands, conditions, materials,
    colours, styles, sizes and made-to-order counts of the products matching the E22/E23
    filters given (none: the whole public catalogue)."""

    permission_classes = [AllowAny]
    renderer_classes = [ORJSONRenderer]

    @extend_schema(
        parameters=FILTER_PARAMETERS,
        responses={200: FacetsSerializer, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        def build():
            filters = ProductFilterSerializer(data=query_params_dict(request.query_params))
            filters.is_valid(raise_exception=True)
            return render_json(catalog_facets(filters=filters.validated_data))

        return cached_json_response("facets", request, build)
