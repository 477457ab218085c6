"""Search and browse input (E22/E23 filters, E24 autocomplete) and the facets' output shape."""

import copy

from rest_framework import serializers

from designiaBackend.api.pagination import page_of
from marketplace.catalog.constants import ORDERINGS, SIZE_BOUNDS
from marketplace.catalog.models import Product
from marketplace.catalog.products.serializers import ProductListItemSerializer

MULTI_VALUE_PARAMS = ("category", "condition", "material", "color", "style")


def query_params_dict(query_params):
    """A QueryDict as a plain dict (repeated keys as lists), so absent booleans stay absent."""
    return {
        key: query_params.getlist(key) if key in MULTI_VALUE_PARAMS else query_params.get(key)
        for key in query_params
    }


def _size():
    return serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, max_value=100000, required=False
    )


class ProductFilterSerializer(serializers.Serializer):
    """E22/E23 filters. A request names a few of the 27 filters: validated at the root, only
    those present are built (DRF deep-copies every declared field per instance, a tenth of a
    list request's CPU); an absent one has no default, so it is skipped either way."""

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
    # Attributes (issue 15): repeated values of one facet match any of them; facets combine (AND).
    material = serializers.ListField(
        child=serializers.CharField(max_length=60), required=False, max_length=20
    )
    color = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)
    style = serializers.ListField(child=serializers.CharField(max_length=60), required=False, max_length=20)
    min_width = _size()
    max_width = _size()
    min_depth = _size()
    max_depth = _size()
    min_height = _size()
    max_height = _size()
    min_weight = _size()  # kg
    max_weight = _size()
    made_to_order = serializers.BooleanField(required=False)
    ordering = serializers.ChoiceField(list(ORDERINGS), required=False)
    page = serializers.IntegerField(required=False, min_value=1)
    page_size = serializers.IntegerField(required=False, min_value=1)

    def get_fields(self):
        given = getattr(self, "initial_data", None)
        if self.parent is not None or not isinstance(given, dict):
            return super().get_fields()  # nested (saved searches), the schema: every field
        return {name: copy.deepcopy(field) for name, field in self._declared_fields.items() if name in given}

    def validate(self, data):
        for low, high, _ in SIZE_BOUNDS:
            if data.get(low) is not None and data.get(high) is not None and data[high] < data[low]:
                raise serializers.ValidationError({high: [f"{high} cannot be below {low}."]})
        return data


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
    product_count = serializers.IntegerField(help_text="In-stock public products (E25's count).")
    count = serializers.IntegerField(
        help_text="Products matching the request's q and filters, the category filter aside."
    )


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


class FacetValueSerializer(serializers.Serializer):
    value = serializers.CharField()
    count = serializers.IntegerField()


class FacetFlagSerializer(serializers.Serializer):
    value = serializers.BooleanField()
    count = serializers.IntegerField()


class FacetsSerializer(serializers.Serializer):
    categories = FacetCategorySerializer(many=True)
    price_range = PriceRangeSerializer()
    brands = FacetCountSerializer(many=True)
    conditions = FacetConditionSerializer(many=True)
    # Issue 15, for the products matching the query's filters (a facet's own filter left out).
    materials = FacetValueSerializer(many=True)
    colors = FacetValueSerializer(many=True)
    styles = FacetValueSerializer(many=True)
    width_range = PriceRangeSerializer()
    depth_range = PriceRangeSerializer()
    height_range = PriceRangeSerializer()
    weight_range = PriceRangeSerializer(help_text="kg")
    made_to_order = FacetFlagSerializer(many=True)


class ProductSearchPageSerializer(page_of(ProductListItemSerializer)):  # type: ignore[misc]
    """E22/E23's page; ``did_you_mean`` only when ``q`` found nothing (a corrected query or null)."""

    did_you_mean = serializers.CharField(required=False, allow_null=True)
