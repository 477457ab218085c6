from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


def is_on_sale(price, original_price):
    return bool(original_price and original_price > price)


def discount_percentage(price, original_price):
    """Whole percent off the original price (0 when not on sale)."""
    if not is_on_sale(price, original_price):
        return 0
    return int((original_price - price) * 100 / original_price)


class Category(models.Model):
    """A node of the category tree (parent/child)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    description = models.TextField(blank=True)
    ordering = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["ordering", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class Product(models.Model):
    class Condition(models.TextChoices):
        NEW = "new", "New"
        LIKE_NEW = "like_new", "Like new"
        GOOD = "good", "Good"
        FAIR = "fair", "Fair"
        POOR = "poor", "Poor"

    seller = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="products"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    description = models.TextField(blank=True)
    short_description = models.CharField(max_length=300, blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    original_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")
    stock_quantity = models.PositiveIntegerField(default=0)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.NEW)
    brand = models.CharField(max_length=100, blank=True)
    materials = models.CharField(max_length=300, blank=True)
    dimensions = models.JSONField(
        default=dict, blank=True
    )  # {"length": .., "width": .., "height": .., "unit": "cm"}
    weight = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)  # kg
    # How the product ships (null: the seller's default profile, else the settings' flat rule).
    shipping_profile = models.ForeignKey(
        "marketplace.ShippingProfile",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="products",
    )
    colors = models.JSONField(default=list, blank=True)  # lowercase colour names, as ProductAttribute
    tags = models.JSONField(default=list, blank=True)
    # Structured attributes a buyer filters on (issue 15). Materials and colours are also rows of
    # ``ProductAttribute`` (filters and facet counts); ``materials`` stays the display text.
    style = models.CharField(max_length=40, blank=True)  # a slug: "mid-century", "japandi"
    width_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    depth_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    made_to_order = models.BooleanField(default=False)
    # True while the product sells through ``ProductVariant`` rows: ``price`` is then the lowest
    # active variant's price (the list's "from" price) and ``stock_quantity`` the sum of the
    # variants' stock, both rewritten by the variant services in the transaction that changes them.
    has_variants = models.BooleanField(default=False)
    is_featured = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    # Soft delete: the product leaves the catalogue, order history keeps pointing at it.
    deleted_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    click_count = models.PositiveIntegerField(default=0)
    favorite_count = models.PositiveIntegerField(default=0)
    # Rating aggregates, kept exact by the review services.
    average_rating = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"))
    review_count = models.PositiveIntegerField(default=0)
    rating_distribution = models.JSONField(default=dict, blank=True)  # {"1": n, ..., "5": n}
    # Name, brand, tags, category name and description in one column: the FULLTEXT index on
    # MySQL/MariaDB (migration 0002) covers it. Kept in step by the catalogue services.
    search_document = models.TextField(blank=True, editable=False)
    # The fields that weigh more in the ranking (name, materials, colours, style, category, brand,
    # tags), with their stems: its own FULLTEXT index (MySQL) / FTS5 column (SQLite), migration 0016.
    search_keywords = models.TextField(blank=True, editable=False)
    # The product page's copy of the images: ``ProductImage`` rows as dicts of GALLERY_FIELDS,
    # primary first, rewritten by ``images.product_galleries_refresh`` in every transaction that
    # changes them, so the page reads them with the product row.
    gallery = models.JSONField(default=list, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["is_active", "deleted_at", "-created_at"], name="product_active_recent"),
            models.Index(fields=["price"], name="product_price"),
            models.Index(fields=["seller", "-created_at"], name="product_seller_recent"),
            models.Index(fields=["category", "is_active"], name="product_category_active"),
            # Ascending, read backwards: (rating, reviews, id) descending is the "-average_rating"
            # sort with its tie-breaks (the primary key ends every InnoDB index), so a page of it
            # walks the index instead of sorting the catalogue (issue 15: 50-80 ms -> under 2 ms).
            models.Index(fields=["average_rating", "review_count"], name="product_rating_reviews"),
            models.Index(fields=["-view_count"], name="product_views"),
            models.Index(fields=["style"], name="product_style"),
            models.Index(fields=["width_cm"], name="product_width"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_in_stock(self):  # read by the cart's CartProductSerializer (``is_in_stock``)
        return self.stock_quantity > 0

    @property
    def is_on_sale(self):
        return is_on_sale(self.price, self.original_price)

    @property
    def discount_percentage(self):
        return discount_percentage(self.price, self.original_price)


class ProductAttribute(models.Model):
    """One material or colour of a product, normalised (lowercase, hyphenated): what the
    ``material=`` / ``color=`` filters and the facet counts read through the (kind, value) index.
    Rewritten from ``Product.materials`` / ``Product.colors`` by the catalogue services."""

    class Kind(models.TextChoices):
        MATERIAL = "material", "Material"
        COLOR = "color", "Colour"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attributes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    value = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "kind", "value"], name="product_attribute_unique")
        ]
        indexes = [models.Index(fields=["kind", "value", "product"], name="product_attribute_lookup")]

    def __str__(self):
        return f"{self.kind}={self.value} of product {self.product_id}"


class SearchTerm(models.Model):
    """A word (or stem) of the catalogue's search documents with the number of products using
    it: the vocabulary that corrects one typo per query word and proposes ``did_you_mean``."""

    term = models.CharField(max_length=64, unique=True)
    product_count = models.PositiveIntegerField(default=1)

    def __str__(self):
        return self.term


class ProductOption(models.Model):
    """One way a product varies ("wood", "size") with the values its seller offers, in order."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(max_length=40)
    values = models.JSONField(default=list)  # ["oak", "walnut"]
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="product_option_unique")]

    def __str__(self):
        return f"{self.name} of product {self.product_id}"


class ProductVariant(models.Model):
    """One combination of option values a seller offers, with its own SKU, price, stock, weight
    and dimensions (null weight/dimensions: the product's). ``option_key`` is the combination in
    one canonical string ("size=120|wood=oak"), unique per product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(max_length=64)
    options = models.JSONField(default=dict)  # {"wood": "oak", "size": "120"}
    option_key = models.CharField(max_length=255, editable=False)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    original_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    stock_quantity = models.PositiveIntegerField(default=0)
    weight = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)  # kg
    width_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    depth_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    height_cm = models.DecimalField(max_digits=7, decimal_places=1, null=True, blank=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "option_key"], name="product_variant_options_unique"),
            models.UniqueConstraint(fields=["product", "sku"], name="product_variant_sku_unique"),
        ]

    def __str__(self):
        return f"{self.sku} of product {self.product_id}"

    @property
    def is_in_stock(self):
        return self.stock_quantity > 0


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    # A variant's own photo (null: the product's, shown for every variant).
    variant = models.ForeignKey(
        ProductVariant, on_delete=models.SET_NULL, null=True, blank=True, related_name="images"
    )
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/thumbnails/%Y/%m/", blank=True, null=True)
    alt_text = models.CharField(max_length=200, blank=True)
    is_primary = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "order", "id"]

    def __str__(self):
        return f"Image {self.pk} of product {self.product_id}"


class SellerRating(models.Model):
    """A seller's rating: the star points and count of the visible reviews of their products.

    Kept exact by the services: the review services move it by a product's change while they
    hold the product's row lock, deleting a product takes that product's share out. Read in the
    product page's query, so the page needs no extra round trip for it.
    """

    seller = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="seller_rating"
    )
    rating_points = models.PositiveIntegerField(default=0)  # the sum of the reviews' stars
    review_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Rating of seller {self.seller_id}"
