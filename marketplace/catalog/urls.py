"""Catalogue, reviews, favorites and storefront routes under /api/marketplace/.

The fixed sub-paths of products/ come before ``products/<slug>/`` (contract §4.3).
"""

from django.urls import path

from marketplace.alerts.apis import SavedSearchDetailView, SavedSearchListView, StockAlertView
from marketplace.catalog.categories import apis as category_apis
from marketplace.catalog.images import apis as image_apis
from marketplace.catalog.products import apis
from marketplace.catalog.search import apis as search_apis
from marketplace.favorites.apis import FavoriteListView, FavoriteToggleView
from marketplace.reviews import apis as review_apis
from marketplace.storefront.apis import StorefrontView

urlpatterns = [
    path("products/", apis.ProductListCreateView.as_view(), name="product-list"),
    path("products/search/", search_apis.ProductSearchView.as_view(), name="product-search"),
    path("products/autocomplete/", search_apis.AutocompleteView.as_view(), name="product-autocomplete"),
    path("products/categories/", category_apis.CategoryListView.as_view(), name="category-list"),
    path("products/filters/", search_apis.FiltersView.as_view(), name="product-filters"),
    path("products/my_products/", apis.MyProductsView.as_view(), name="product-my-products"),
    path("products/favorites/", FavoriteListView.as_view(), name="product-favorites"),
    path("products/<slug:slug>/", apis.ProductDetailView.as_view(), name="product-detail"),
    path("products/<slug:slug>/favorite/", FavoriteToggleView.as_view(), name="product-favorite"),
    path("products/<slug:slug>/notify_me/", StockAlertView.as_view(), name="product-notify-me"),
    path("saved-searches/", SavedSearchListView.as_view(), name="saved-search-list"),
    path("saved-searches/<int:search_id>/", SavedSearchDetailView.as_view(), name="saved-search-detail"),
    path("products/<slug:slug>/reviews/", review_apis.ProductReviewsView.as_view(), name="product-reviews"),
    path("products/<slug:slug>/images/", image_apis.ProductImagesView.as_view(), name="product-images"),
    path(
        "products/<slug:slug>/images/reorder/",
        image_apis.ProductImagesReorderView.as_view(),
        name="product-images-reorder",
    ),
    path(
        "products/<slug:slug>/images/<int:image_id>/",
        image_apis.ProductImageDetailView.as_view(),
        name="product-image-detail",
    ),
    path(
        "products/<slug:slug>/images/<int:image_id>/set_primary/",
        image_apis.ProductImageSetPrimaryView.as_view(),
        name="product-image-set-primary",
    ),
    path("reviews/<int:review_id>/", review_apis.ReviewDetailView.as_view(), name="review-detail"),
    path(
        "reviews/<int:review_id>/mark_helpful/",
        review_apis.ReviewHelpfulView.as_view(),
        name="review-helpful",
    ),
    path("reviews/<int:review_id>/reply/", review_apis.ReviewReplyView.as_view(), name="review-reply"),
    path(
        "reviews/<int:review_id>/moderate/", review_apis.ReviewModerateView.as_view(), name="review-moderate"
    ),
    path("sellers/<uuid:user_id>/", StorefrontView.as_view(), name="seller-storefront"),
]
