"""Search and browse input (E22/E23 filters, E24 autocomplete) and the facets' output shape."""

from rest_framework import serializers

from marketplace.catalog.constants import ORDERINGS
from marketplace.catalog.models import Product

MULTI_VALUE_PARAMS = ("category", "condition")


def query_params_dict(query_params):
    """A QueryDict as a plain dict (repeated keys as lists), so absent booleans stay absent."""
    return {
        key: query_params.getlist(key) if key in MULTI_VALUE_PARAMS else query_params.get(key)
        for key in query_params
    }


class ProductFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200)
    category = serializers.ListField(
        child=serializers.SlugField(max_length=120), required=False, max_length=50
    )
    price_min = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    price_max = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0, required=False)
    condition = serializers.ListField(
        child=serializers.ChoiceField(Product.Condition.choices), required=False
    )
    min_rating = serializers.DecimalField(
        max_digits=3, decimal_places=2, min_value=0, max_value=5, required=False
    )
    in_stock = serializers.BooleanField(required=False)
    seller = serializers.UUIDField(required=False)
    is_featured = serializers.BooleanField(required=False)
    brand = serializers.CharField(required=False, allow_blank=True, max_length=100)
    ordering = serializers.ChoiceField(list(ORDERINGS), required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)


class AutocompleteQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=20, default=10)


class SuggestionSerializer(serializers.Serializer):
    id = serializers.JSONField(
        help_text="A product id (string), a category id (integer) or a brand key (string)."
    )
    name = serializers.CharField()
    type = serializers.ChoiceField(["product", "category", "brand"])
    slug = serializers.CharField()


class AutocompleteSerializer(serializers.Serializer):
    suggestions = SuggestionSerializer(many=True)


class FacetCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    product_count = serializers.IntegerField()


class FacetCountSerializer(serializers.Serializer):
    name = serializers.CharField()
    count = serializers.IntegerField()


class FacetConditionSerializer(serializers.Serializer):
    value = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class PriceRangeSerializer(serializers.Serializer):
    min = serializers.CharField(allow_null=True)
    max = serializers.CharField(allow_null=True)


class FacetsSerializer(serializers.Serializer):
    categories = FacetCategorySerializer(many=True)
    price_range = PriceRangeSerializer()
    brands = FacetCountSerializer(many=True)
    conditions = FacetConditionSerializer(many=True)
