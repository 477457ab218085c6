"""Marketplace models. Each sub-domain keeps its models in its own package; Django finds them here."""

from marketplace.activity.models import ProductDailyActivity  # noqa: F401
from marketplace.alerts.models import SavedSearch, StockAlert  # noqa: F401
from marketplace.catalog.models import Category, Product, ProductImage  # noqa: F401
from marketplace.coupons.models import Coupon, CouponRedemption  # noqa: F401
from marketplace.favorites.models import Favorite  # noqa: F401
from marketplace.ordering.models import (  # noqa: F401
    Cart,
    CartItem,
    Order,
    OrderItem,
    ReturnRequest,
    ReturnRequestItem,
    Shipment,
)
from marketplace.reviews.models import Review, ReviewHelpfulVote  # noqa: F401
from marketplace.shipping.models import ShippingProfile, ShippingZone  # noqa: F401
from marketplace.tax.models import VatRate  # noqa: F401
