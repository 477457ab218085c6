"""Input validation for the catalogue, and the output shapes documented in the OpenAPI schema.

Hot responses are built as plain dicts by ``presenters.py``; the output serializers below
describe exactly those dicts for the schema.
"""

from decimal import Decimal

from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField
from designiaBackend.api.pagination import PageSerializer
from marketplace.catalog.constants import ORDERINGS
from marketplace.catalog.models import Category, Product
from marketplace.catalog.slugs import slug_is_available

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


class TagsField(serializers.ListField):
    """A list of strings; a comma-separated string is accepted too."""

    child = serializers.CharField(max_length=50)

    def __init__(self, **kwargs):
        super().__init__(max_length=30, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.split(",")
        tags = super().to_internal_value(data)
        return list(dict.fromkeys(tag.strip() for tag in tags if tag.strip()))


class ImageDataSerializer(serializers.Serializer):
    image_content = serializers.CharField()
    filename = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_primary = serializers.BooleanField(required=False, default=False)
    order = serializers.IntegerField(required=False, min_value=0, max_value=1000)
    alt_text = serializers.CharField(required=False, allow_blank=True, max_length=200)


class ModelDataSerializer(serializers.Serializer):
    model_content = serializers.CharField()
    filename = serializers.CharField(max_length=200)


class ProductWriteSerializer(serializers.Serializer):
    """E48/E49 body. ``price`` and ``stock_quantity`` accept numbers or numeric strings (§9)."""

    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=220, required=False)
    description = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    short_description = serializers.CharField(required=False, allow_blank=True, max_length=300)
    price = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    original_price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=Decimal("0.01"), required=False, allow_null=True
    )
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False)
    stock_quantity = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.filter(is_active=True), required=False, allow_null=True
    )
    condition = serializers.ChoiceField(Product.Condition.choices, required=False)
    brand = serializers.CharField(required=False, allow_blank=True, max_length=100)
    materials = serializers.CharField(required=False, allow_blank=True, max_length=300)
    dimensions = serializers.DictField(required=False)
    weight = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    colors = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    tags = TagsField(required=False)
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
    image_data = ImageDataSerializer(many=True, required=False)
    uploaded_images = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)
    model_data = ModelDataSerializer(required=False, allow_null=True)

    def validate_slug(self, value):
        current = self.context.get("product")
        if current is not None and current.slug == value:
            return value
        if not slug_is_available(value):
            raise serializers.ValidationError("This slug is already taken or reserved.")
        return value

    def validate_dimensions(self, value):
        if len(value) > 10 or any(not isinstance(v, int | float | str) for v in value.values()):
            raise serializers.ValidationError("Give up to 10 numbers or short texts.")
        return value


class ImageReorderSerializer(serializers.Serializer):
    image_ids = serializers.ListField(child=PublicIdField(), max_length=100)


class ImageUploadSerializer(serializers.Serializer):
    images = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)
    image_data = ImageDataSerializer(many=True, required=False)


# --- output shapes (schema) ---------------------------------------------------------------------


class CategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    description = serializers.CharField()
    parent = serializers.IntegerField(allow_null=True)
    ordering = serializers.IntegerField()
    product_count = serializers.IntegerField()


class ProductImageSerializer(serializers.Serializer):
    id = PublicIdField()
    url = serializers.URLField()
    image = serializers.URLField()
    thumbnail = serializers.URLField()
    alt_text = serializers.CharField()
    is_primary = serializers.BooleanField()
    order = serializers.IntegerField()


class ProductListItemSerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.CharField()
    original_price = serializers.CharField(allow_null=True)
    currency = serializers.CharField()
    is_on_sale = serializers.BooleanField()
    discount_percentage = serializers.IntegerField()
    primary_image = serializers.URLField(allow_null=True)
    primary_image_thumbnail = serializers.URLField(allow_null=True)
    average_rating = serializers.CharField()
    review_count = serializers.IntegerField()
    is_in_stock = serializers.BooleanField()
    stock_quantity = serializers.IntegerField()
    condition = serializers.CharField()
    brand = serializers.CharField()
    category_id = serializers.IntegerField(allow_null=True)
    seller_id = serializers.UUIDField()
    is_featured = serializers.BooleanField()
    favorite_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()


class SellerProductItemSerializer(ProductListItemSerializer):
    is_active = serializers.BooleanField()
    view_count = serializers.IntegerField()
    images = ProductImageSerializer(many=True)


class ProductSellerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    shop_name = serializers.CharField()
    seller_rating = serializers.CharField()


class ProductCategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ProductDetailSerializer(ProductListItemSerializer):
    description = serializers.CharField()
    short_description = serializers.CharField()
    rating_distribution = serializers.DictField(child=serializers.IntegerField())
    materials = serializers.CharField()
    dimensions = serializers.DictField()
    weight = serializers.CharField(allow_null=True)
    colors = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    is_active = serializers.BooleanField()
    view_count = serializers.IntegerField()
    click_count = serializers.IntegerField()
    is_favorited = serializers.BooleanField()
    images = ProductImageSerializer(many=True)
    seller = ProductSellerSerializer()
    category = ProductCategoryRefSerializer(allow_null=True)
    has_ar_model = serializers.BooleanField()
    ar_model_filename = serializers.CharField(allow_null=True)
    ar_model_url = serializers.URLField(allow_null=True)
    updated_at = serializers.DateTimeField()


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


_PAGE_SERIALIZERS = {}


def page_of(item_serializer):
    """The §4.1 page shape around ``item_serializer`` for the schema (one class per item type)."""
    name = f"Paginated{item_serializer.__name__.removesuffix('Serializer')}List"
    if name not in _PAGE_SERIALIZERS:
        _PAGE_SERIALIZERS[name] = type(name, (PageSerializer,), {"results": item_serializer(many=True)})
    return _PAGE_SERIALIZERS[name]
