"""Payment-system models. Each sub-domain keeps its models in its own package; Django finds them here."""

from payment_system.connect.models import ConnectWebhookEvent, Payout, StripeConnectAccount  # noqa: F401
from payment_system.payments.models import Payment, Refund, SellerTransaction  # noqa: F401
from payment_system.payouts.models import ReconciliationReport, Transfer, TransferReversal  # noqa: F401
from payment_system.rates.models import ExchangeRate  # noqa: F401
from payment_system.webhooks.models import StripeWebhookEvent  # noqa: F401
