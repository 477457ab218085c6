"""Product input validation (E48/E49) and the product output shapes of the OpenAPI schema.

Hot responses are built as plain dicts by ``presenters.py``; the output serializers below
describe exactly those dicts (``tests/test_response_shapes.py`` holds them to it).
"""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField
from designiaBackend.currencies import minor_unit_exponent
from infrastructure.storage import public_url
from marketplace.catalog.images.serializers import ImageDataSerializer, ProductImageSerializer
from marketplace.catalog.models import Category, Product
from marketplace.catalog.products.attributes import attribute_value, material_values
from marketplace.catalog.products.slugs import slug_is_available
from marketplace.catalog.products.variants import (
    MAX_OPTIONS,
    MAX_VARIANTS,
    VariantInvalidError,
    requested_options,
    variants_validate,
)


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


class MaterialsField(serializers.CharField):
    """The display text of the materials ("Oak, steel"); a list of names is accepted too."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            data = ", ".join(str(item).strip() for item in data if str(item).strip())
        return super().to_internal_value(data)


def _centimetres():
    return serializers.DecimalField(
        max_digits=7, decimal_places=1, min_value=0, max_value=100000, required=False, allow_null=True
    )


def _price(**options):
    return serializers.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), **options)


class OptionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=40)
    values = serializers.ListField(child=serializers.CharField(max_length=40), min_length=1, max_length=50)


class VariantWriteSerializer(serializers.Serializer):
    """One combination a seller offers. ``price`` defaults to the product's ``price``; weight and
    dimensions to null (the product's)."""

    sku = serializers.CharField(max_length=64)
    options = serializers.DictField(child=serializers.CharField(max_length=40))
    price = _price(required=False, allow_null=True)
    original_price = _price(required=False, allow_null=True)
    stock_quantity = serializers.IntegerField(min_value=0, max_value=1_000_000, required=False)
    weight = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    width_cm = _centimetres()
    depth_cm = _centimetres()
    height_cm = _centimetres()
    is_active = serializers.BooleanField(required=False)


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
    materials = MaterialsField(required=False, allow_blank=True, max_length=300)
    dimensions = serializers.DictField(required=False)
    weight = serializers.DecimalField(
        max_digits=8, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    # One of the seller's shipping profiles (null: their default profile).
    shipping_profile = PublicIdField(required=False, allow_null=True, source="shipping_profile_id")
    colors = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)
    tags = TagsField(required=False)
    style = serializers.CharField(required=False, allow_blank=True, max_length=40)
    width_cm = _centimetres()
    depth_cm = _centimetres()
    height_cm = _centimetres()
    made_to_order = serializers.BooleanField(required=False)
    is_active = serializers.BooleanField(required=False)
    is_featured = serializers.BooleanField(required=False)
    image_data = ImageDataSerializer(many=True, required=False)
    uploaded_images = serializers.ListField(child=serializers.FileField(), required=False, max_length=20)
    model_data = ModelDataSerializer(required=False, allow_null=True)
    # Variants (issue 15): E49 with ``variants`` replaces the set (matched by SKU); ``[]`` removes them.
    options = OptionWriteSerializer(many=True, required=False, max_length=MAX_OPTIONS)
    variants = VariantWriteSerializer(many=True, required=False, max_length=MAX_VARIANTS)

    def validate(self, data):
        """A price has no more decimals than its currency has (JPY 0, KWD 3; at most 2 stored);
        options and variants follow ``variants.variants_validate``."""
        product = self.context.get("product")
        currency = data.get("currency") or (product.currency if product is not None else "USD")
        exponent = minor_unit_exponent(currency)
        prices = [(field, data.get(field)) for field in ("price", "original_price")]
        prices += [
            (f"variants.{v['sku']}.{f}", v.get(f))
            for v in data.get("variants") or ()
            for f in ("price", "original_price")
        ]
        for field, value in prices:
            if value is not None and value != value.quantize(Decimal(1).scaleb(-exponent)):
                key = field if "." not in field else "variants"
                raise serializers.ValidationError(
                    {key: [f"A price in {currency} has at most {exponent} decimals ({field})."]}
                )
        self._validate_variants(data, product)
        return data

    def _validate_variants(self, data, product):
        if "options" not in data and "variants" not in data:
            return
        try:
            variants_validate(
                options=requested_options(data, product.pk if product is not None else None),
                variants=data.get("variants"),
            )
        except VariantInvalidError as error:
            raise serializers.ValidationError({error.field: [error.message]}) from error

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
        if any(isinstance(v, int | float) and not isinstance(v, bool) and v < 0 for v in value.values()):
            raise serializers.ValidationError("Dimensions cannot be negative.")
        if any(isinstance(v, str) and v.strip().startswith("-") for v in value.values()):
            raise serializers.ValidationError("Dimensions cannot be negative.")
        return value

    def validate_materials(self, value):
        if len(material_values(value)) > 10:
            raise serializers.ValidationError("Give at most 10 materials.")
        return value

    def validate_style(self, value):
        return attribute_value(value)


# --- output shapes (schema) ---------------------------------------------------------------------


class DisplayPriceSerializer(serializers.Serializer):
    # Only with ?currency= or a preferred currency (display only; price stays as stored).
    display_price = serializers.CharField(required=False, allow_null=True)
    display_original_price = serializers.CharField(required=False, allow_null=True)
    display_currency = serializers.CharField(required=False)
    display_rate_date = serializers.DateField(required=False)


class ProductListItemSerializer(DisplayPriceSerializer):
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
    # Variants (issue 15): ``price_from`` is ``price``, shown as "from" when ``has_variants``.
    has_variants = serializers.BooleanField()
    price_from = serializers.CharField()


class SellerProductItemSerializer(ProductListItemSerializer):
    is_active = serializers.BooleanField()
    view_count = serializers.IntegerField()
    images = ProductImageSerializer(many=True)


# The first fields of a product as a cart line and the AR catalogue show it (each adds its own after
# these); ``primary_image`` is the gallery's first photo. A comment, not a docstring: the schema
# would give it to the subclasses as their description.
class ProductCardSerializer(serializers.Serializer):
    id = PublicIdField()
    name = serializers.CharField()
    slug = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    primary_image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_primary_image(self, product: Product) -> str | None:
        return public_url(product.gallery[0]["image"]) if product.gallery else None


class ProductSellerSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    username = serializers.CharField()
    shop_name = serializers.CharField()
    seller_rating = serializers.CharField()


class ProductCategoryRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class ProductOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField())


class ProductVariantSerializer(DisplayPriceSerializer):
    """An active variant on the product page; null weight/dimensions: the product's."""

    id = PublicIdField()
    sku = serializers.CharField()
    options = serializers.DictField(child=serializers.CharField())
    price = serializers.CharField()
    original_price = serializers.CharField(allow_null=True)
    stock_quantity = serializers.IntegerField()
    is_in_stock = serializers.BooleanField()
    weight = serializers.CharField(allow_null=True)
    width_cm = serializers.CharField(allow_null=True)
    depth_cm = serializers.CharField(allow_null=True)
    height_cm = serializers.CharField(allow_null=True)
    images = ProductImageSerializer(many=True)


class ProductDetailSerializer(ProductListItemSerializer):
    description = serializers.CharField()
    short_description = serializers.CharField()
    rating_distribution = serializers.DictField(child=serializers.IntegerField())
    materials = serializers.CharField()
    dimensions = serializers.DictField()
    weight = serializers.CharField(allow_null=True)
    shipping_profile_id = PublicIdField(allow_null=True)
    colors = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    # Structured attributes (issue 15): the normalised materials, style and size in cm.
    material_list = serializers.ListField(child=serializers.CharField())
    style = serializers.CharField()
    width_cm = serializers.CharField(allow_null=True)
    depth_cm = serializers.CharField(allow_null=True)
    height_cm = serializers.CharField(allow_null=True)
    made_to_order = serializers.BooleanField()
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
    options = ProductOptionSerializer(many=True)
    variants = ProductVariantSerializer(many=True)
