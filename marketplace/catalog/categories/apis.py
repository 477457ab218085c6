"""E25: the category tree."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from marketplace.catalog.categories.selectors import category_tree
from marketplace.catalog.categories.serializers import CategorySerializer
from marketplace.catalog.http.renderers import ORJSONRenderer, render_json
from marketplace.catalog.http.response_cache import cached_json_response


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
