"""Admin of the payment system: each sub-domain registers its models in its own module."""

import payment_system.connect.admin  # noqa: F401
import payment_system.payments.admin  # noqa: F401
import payment_system.payouts.admin  # noqa: F401
import payment_system.rates.admin  # noqa: F401
