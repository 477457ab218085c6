import factory

from authentication.tests.factories import SellerFactory
from payment_system.connect.models import StripeConnectAccount


class StripeConnectAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StripeConnectAccount

    seller = factory.SubFactory(SellerFactory)
    stripe_account_id = factory.Sequence(lambda n: f"acct_test{n:06d}")
    business_name = "Oak & Ash Studio"
