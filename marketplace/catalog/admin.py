import logging

from django.contrib import admin

from designiaBackend.api.admin import ReadOnlyAdmin, UploadedImagesForm
from infrastructure.images import make_thumbnail
from marketplace.activity.models import ProductDailyActivity
from marketplace.catalog.categories.selectors import category_tree_invalidate
from marketplace.catalog.categories.services import category_products_reindex
from marketplace.catalog.images.services import product_galleries_refresh
from marketplace.catalog.models import (
    Category,
    Product,
    ProductAttribute,
    ProductImage,
    ProductOption,
    ProductVariant,
    SearchTerm,
    SellerRating,
)
from marketplace.catalog.products.attributes import product_attributes_sync
from marketplace.catalog.products.seller_ratings import seller_rating_text
from marketplace.catalog.products.services import (
    product_variants_sync,
    products_indexed,
    products_set_featured,
)
from marketplace.catalog.products.variants import VARIANT_FIELDS
from marketplace.favorites.models import Favorite
from marketplace.reviews.models import Review, ReviewHelpfulVote

logger = logging.getLogger(__name__)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "parent", "ordering", "is_active")
    list_filter = ("is_active", "parent")
    list_editable = ("ordering", "is_active")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "name" in form.changed_data:
            category_products_reindex(category=obj)
        category_tree_invalidate()


class ProductImageForm(UploadedImagesForm):
    """A photo uploaded here is stored like the seller's (no metadata, a server-made name) and
    gets its thumbnail made again."""

    image_fields = {"image": ("PRODUCT_IMAGE_MAX_BYTES", "product")}

    def image_stored(self, field, content):
        stem = content.name.rsplit(".", 1)[0]
        self.instance.thumbnail = make_thumbnail(content.file.getvalue(), stem=f"{stem}-thumb")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    form = ProductImageForm
    extra = 0
    fields = ("image", "thumbnail", "alt_text", "is_primary", "order")
    readonly_fields = ("thumbnail",)


class ProductOptionInline(admin.TabularInline):
    """Shown, not edited: options and variants are written together by the product services
    (E48/E49), which validate the combinations and keep the product's price and stock in step."""

    model = ProductOption
    extra = 0
    max_num = 0
    can_delete = False
    fields = readonly_fields = ("name", "values", "position")


class ProductVariantInline(admin.TabularInline):
    model = ProductVariant
    extra = 0
    max_num = 0
    can_delete = False
    fields = readonly_fields = ("sku", "options", *VARIANT_FIELDS, "is_active")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "seller",
        "category",
        "price",
        "stock_quantity",
        "is_active",
        "is_featured",
        "deleted_at",
    )
    list_filter = ("is_active", "is_featured", "condition", "category")
    actions = ["feature_products", "unfeature_products"]
    search_fields = ("name", "slug", "brand", "seller__email")
    raw_id_fields = ("seller",)
    readonly_fields = (
        "view_count",
        "click_count",
        "favorite_count",
        "average_rating",
        "review_count",
        "rating_distribution",
        "has_variants",
        "created_at",
        "updated_at",
    )
    inlines = [ProductImageInline, ProductOptionInline, ProductVariantInline]

    @admin.action(description="Feature the selected products on the home page")
    def feature_products(self, request, queryset):
        count = products_set_featured(
            product_ids=queryset.values_list("pk", flat=True), featured=True, staff_user=request.user
        )
        self.message_user(request, f"{count} products featured.")

    @admin.action(description="Stop featuring the selected products")
    def unfeature_products(self, request, queryset):
        count = products_set_featured(
            product_ids=queryset.values_list("pk", flat=True), featured=False, staff_user=request.user
        )
        self.message_user(request, f"{count} products no longer featured.")

    def save_model(self, request, obj, form, change):
        product_variants_sync(obj)  # with variants, their price and stock win over the form's
        super().save_model(request, obj, form, change)
        product_attributes_sync([obj])
        products_indexed([obj])
        category_tree_invalidate()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        product_galleries_refresh([form.instance.pk])  # the image inline may have changed


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("product", "reviewer", "rating", "is_hidden", "helpful_count", "created_at")
    list_filter = ("is_hidden", "rating")
    search_fields = ("product__name", "reviewer__email", "title")
    raw_id_fields = ("product", "reviewer", "moderated_by")
    readonly_fields = ("rating", "helpful_count", "is_verified_purchase", "created_at")
    actions = ["hide_reviews", "show_reviews"]

    def _moderate(self, request, queryset, hidden):
        from marketplace.reviews.services import review_moderate

        for review in queryset:
            review_moderate(review=review, moderator=request.user, hidden=hidden, note="admin")
            logger.info("Staff %s set hidden=%s on review %s", request.user.pk, hidden, review.pk)

    @admin.action(description="Hide the selected reviews")
    def hide_reviews(self, request, queryset):
        self._moderate(request, queryset, True)

    @admin.action(description="Show the selected reviews again")
    def show_reviews(self, request, queryset):
        self._moderate(request, queryset, False)


@admin.register(Favorite)
class FavoriteAdmin(admin.ModelAdmin):
    list_display = ("user", "product", "created_at")
    raw_id_fields = ("user", "product")


@admin.register(ProductDailyActivity)
class ProductDailyActivityAdmin(admin.ModelAdmin):
    list_display = ("product", "date", "views", "clicks", "favorites", "add_to_cart")
    list_filter = ("date",)
    raw_id_fields = ("product",)


@admin.register(ProductImage)
class ProductImageAdmin(ReadOnlyAdmin):
    """Photos are added, ordered and removed through the product services (and the product page)."""

    list_display = ("id", "product", "is_primary", "order", "created_at")
    list_filter = ("is_primary",)
    list_select_related = ("product",)
    search_fields = ("product__name", "product__slug")


@admin.register(ProductAttribute)
class ProductAttributeAdmin(ReadOnlyAdmin):
    """Materials and colours as filter rows: kept in step with the product's fields by the product
    services (edit the product, not these)."""

    list_display = ("product", "kind", "value")
    list_filter = ("kind",)
    list_select_related = ("product",)
    search_fields = ("value", "product__name")


@admin.register(ProductOption)
class ProductOptionAdmin(ReadOnlyAdmin):
    """A product's options (wood, size): written with its variants by the product services."""

    list_display = ("product", "name", "values", "position")
    list_select_related = ("product",)
    search_fields = ("name", "product__name")


@admin.register(ProductVariant)
class ProductVariantAdmin(ReadOnlyAdmin):
    """Variants with their SKU, price and stock: written by the product services (E48/E49), which
    keep the product's "from" price and total stock in step."""

    list_display = ("sku", "product", "price", "stock_quantity", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("product",)
    search_fields = ("sku", "product__name")


@admin.register(SearchTerm)
class SearchTermAdmin(ReadOnlyAdmin):
    """The search vocabulary typo correction draws on (rebuilt by ``manage.py search_reindex``)."""

    list_display = ("term", "product_count")
    search_fields = ("term",)
    ordering = ("-product_count", "term")


@admin.register(ReviewHelpfulVote)
class ReviewHelpfulVoteAdmin(ReadOnlyAdmin):
    list_display = ("review", "user", "created_at")
    list_select_related = ("review", "user")
    search_fields = ("user__email", "review__product__name")


@admin.register(SellerRating)
class SellerRatingAdmin(ReadOnlyAdmin):
    """Kept by the review services; shown for support questions about a shop's rating."""

    list_display = ("seller", "rating", "review_count")
    list_select_related = ("seller",)
    search_fields = ("seller__email", "seller__username")

    @admin.display(description="rating")
    def rating(self, obj):
        return seller_rating_text(obj.rating_points, obj.review_count)
