"""Marketplace models. Each sub-domain keeps its models in its own package; importing those modules
here is how Django finds them (all of them belong to the ``marketplace`` app), so a new model needs
no line here."""

import marketplace.activity.models  # noqa: F401
import marketplace.alerts.models  # noqa: F401
import marketplace.catalog.models  # noqa: F401
import marketplace.coupons.models  # noqa: F401
import marketplace.favorites.models  # noqa: F401
import marketplace.ordering.models  # noqa: F401
import marketplace.reviews.models  # noqa: F401
import marketplace.shipping.models  # noqa: F401
import marketplace.tax.models  # noqa: F401
