"""Admin registrations live beside each sub-domain; importing them here registers them."""

import marketplace.alerts.admin  # noqa: F401
import marketplace.catalog.admin  # noqa: F401
import marketplace.coupons.admin  # noqa: F401
import marketplace.ordering.admin  # noqa: F401
import marketplace.shipping.admin  # noqa: F401
import marketplace.tax.admin  # noqa: F401
