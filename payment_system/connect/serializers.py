from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from payment_system.connect.models import StripeConnectAccount


class StripeAccountCreatedSerializer(serializers.Serializer):
    account_id = serializers.CharField()


class StripeBusinessProfileSerializer(serializers.Serializer):
    name = serializers.CharField(allow_blank=True)


class StripeAccountSerializer(serializers.Serializer):
    """E51: ``id`` is the Stripe account id (C10)."""

    id = serializers.CharField(source="stripe_account_id")
    business_profile = serializers.SerializerMethodField()
    payouts_enabled = serializers.BooleanField()
    details_submitted = serializers.BooleanField()
    charges_enabled = serializers.BooleanField()

    @extend_schema_field(StripeBusinessProfileSerializer)
    def get_business_profile(self, account: StripeConnectAccount) -> dict[str, str]:
        return {"name": account.business_name}


class StripeAccountSessionSerializer(serializers.Serializer):
    client_secret = serializers.CharField()


class StripeAccountLinkInputSerializer(serializers.Serializer):
    account_id = serializers.CharField(required=False, max_length=64)
    refresh_url = serializers.URLField(required=False, max_length=2000)
    return_url = serializers.URLField(required=False, max_length=2000)
    type = serializers.ChoiceField(
        choices=["account_onboarding", "account_update"], default="account_onboarding"
    )


class StripeAccountLinkSerializer(serializers.Serializer):
    url = serializers.CharField()


class StripeRequirementsSerializer(serializers.Serializer):
    currently_due = serializers.ListField(child=serializers.CharField())
    past_due = serializers.ListField(child=serializers.CharField())


class StripeAccountStatusSerializer(serializers.Serializer):
    """E54 (C11): every field the seller dashboard reads."""

    has_stripe_account = serializers.BooleanField()
    has_account = serializers.BooleanField()
    account_id = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    details_submitted = serializers.BooleanField()
    charges_enabled = serializers.BooleanField()
    payouts_enabled = serializers.BooleanField()
    requirements = StripeRequirementsSerializer()
    message = serializers.CharField()
    eligible_for_creation = serializers.BooleanField()
    eligibility_errors = serializers.ListField(child=serializers.CharField())


class ConnectWebhookReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
    duplicate = serializers.BooleanField()
