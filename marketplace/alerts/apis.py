from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.errors import NotFoundError
from marketplace.alerts import saved_searches
from marketplace.alerts.services import stock_alert_subscribe, stock_alert_unsubscribe
from marketplace.catalog.products.selectors import product_get_public
from marketplace.catalog.search.serializers import ProductFilterSerializer


class StockAlertSerializer(serializers.Serializer):
    product_id = serializers.CharField()
    subscribed = serializers.BooleanField()


class StockAlertView(APIView):
    """``products/{slug}/notify_me/``: be told once when an out-of-stock product is restocked."""

    @extend_schema(
        operation_id="products_notify_me_create",
        summary="Subscribe to a back-in-stock alert (in stock or own product: 400)",
        request=None,
        responses={200: StockAlertSerializer, 201: StockAlertSerializer},
    )
    def post(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        _, created = stock_alert_subscribe(user=request.user, product=product)
        body = StockAlertSerializer({"product_id": str(product.pk), "subscribed": True}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="products_notify_me_destroy",
        summary="Cancel a pending back-in-stock alert",
        request=None,
        responses={204: None},
    )
    def delete(self, request, slug):
        product = product_get_public(slug=slug, user=request.user)
        stock_alert_unsubscribe(user=request.user, product=product)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SavedSearchFiltersSerializer(ProductFilterSerializer):
    """The E22 filters a saved search keeps (no text, paging or ordering: those are not saved)."""

    q = None
    ordering = None
    page = None
    page_size = None


class SavedSearchInputSerializer(serializers.Serializer):
    query = serializers.CharField(max_length=200, allow_blank=True, default="")
    filters = SavedSearchFiltersSerializer(required=False)


class SavedSearchSerializer(serializers.Serializer):
    id = serializers.CharField()
    query = serializers.CharField()
    filters = serializers.DictField()
    created_at = serializers.DateTimeField()

    def to_representation(self, instance):
        return {
            "id": str(instance.pk),
            "query": instance.query,
            "filters": instance.filters,
            "created_at": instance.created_at.isoformat(),
        }


class SavedSearchListView(APIView):
    """``saved-searches/``: the caller's saved searches (new matches come as a daily digest)."""

    @extend_schema(operation_id="saved_searches_list", responses={200: SavedSearchSerializer(many=True)})
    def get(self, request):
        searches = saved_searches.saved_search_list_for_user(user=request.user)
        return Response(SavedSearchSerializer(searches, many=True).data)

    @extend_schema(
        operation_id="saved_searches_create",
        request=SavedSearchInputSerializer,
        responses={201: SavedSearchSerializer},
    )
    def post(self, request):
        serializer = SavedSearchInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        filters = SavedSearchFiltersSerializer(serializer.validated_data.get("filters") or {}).data
        search = saved_searches.saved_search_create(
            user=request.user,
            query=serializer.validated_data["query"].strip(),
            filters={key: value for key, value in filters.items() if value is not None},
        )
        return Response(SavedSearchSerializer(search).data, status=status.HTTP_201_CREATED)


class SavedSearchDetailView(APIView):
    @extend_schema(operation_id="saved_searches_destroy", request=None, responses={204: None})
    def delete(self, request, search_id):
        if not saved_searches.saved_search_delete(user=request.user, search_id=search_id):
            raise NotFoundError("Saved search not found.")
        return Response(status=status.HTTP_204_NO_CONTENT)
