from typing import Any

from rest_framework import serializers

from designiaBackend.api.fields import PublicIdField, money_serializer_field
from designiaBackend.api.pagination import PageSerializer
from payment_system.connect.models import Payout
from payment_system.payments.models import SellerTransaction
from payment_system.payouts.models import Transfer
from payment_system.payouts.rules import HoldReason

# --- seller area ----------------------------------------------------------------------------------------


class HoldTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    pending_delivery = money_serializer_field()
    held = money_serializer_field()
    releasable = money_serializer_field()
    transferred = money_serializer_field()
    paid_out = money_serializer_field()


class HeldTransactionSerializer(serializers.Serializer):
    id = PublicIdField()
    order_id = serializers.UUIDField()
    amount = money_serializer_field()
    currency = serializers.CharField()
    held_until = serializers.DateTimeField(allow_null=True)
    releasable = serializers.BooleanField()
    reason = serializers.ChoiceField(choices=[("", "none"), *((c, c) for c in HoldReason.CHOICES)])


class HoldsSerializer(serializers.Serializer):
    payouts_enabled = serializers.BooleanField()
    totals = HoldTotalsSerializer(many=True)
    held_transactions = HeldTransactionSerializer(many=True)


class PayoutSerializer(serializers.ModelSerializer):
    id = PublicIdField(read_only=True)
    amount = money_serializer_field()
    order_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Payout
        fields: tuple[str, ...] = (
            "id",
            "stripe_payout_id",
            "amount",
            "currency",
            "status",
            "method",
            "arrival_date",
            "failure_code",
            "failure_message",
            "order_count",
            "created_at",
        )


class PayoutOrderSerializer(serializers.Serializer):
    order_id = serializers.UUIDField()
    order_status = serializers.CharField(source="order.status")
    order_created_at = serializers.DateTimeField(source="order.created_at")
    transfer_id = serializers.CharField(source="stripe_transfer_id")
    amount = money_serializer_field()
    amount_reversed = money_serializer_field()
    currency = serializers.CharField()
    transferred_at = serializers.DateTimeField()


class PayoutDetailSerializer(PayoutSerializer):
    orders = PayoutOrderSerializer(source="transfers", many=True)

    class Meta(PayoutSerializer.Meta):
        fields = PayoutSerializer.Meta.fields + ("orders",)

    def to_representation(self, instance: Payout) -> dict[str, Any]:
        # The list annotates ``order_count``; the detail counts the prefetched transfers instead.
        setattr(instance, "order_count", len({t.order_id for t in instance.transfers.all()}))  # noqa: B010
        data: dict[str, Any] = super().to_representation(instance)
        return data


# --- finance admin API ----------------------------------------------------------------------------------


class AdminFilterSerializer(serializers.Serializer):
    seller = serializers.UUIDField(required=False, help_text="The seller's user id.")
    date_from = serializers.DateField(required=False, help_text="Created on or after (UTC date).")
    date_to = serializers.DateField(required=False, help_text="Created on or before (UTC date).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("date_from") and attrs.get("date_to") and attrs["date_from"] > attrs["date_to"]:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class AdminTransactionFilterSerializer(AdminFilterSerializer):
    status = serializers.ChoiceField(choices=SellerTransaction.Status.choices, required=False)


class AdminPayoutFilterSerializer(AdminFilterSerializer):
    status = serializers.ChoiceField(choices=Payout.Status.choices, required=False)


class AdminTransactionSerializer(serializers.ModelSerializer):
    id = PublicIdField(read_only=True)
    payment_id = PublicIdField(read_only=True)
    seller_id = serializers.UUIDField()
    seller_email = serializers.EmailField(source="seller.email")
    transfer_id = serializers.SerializerMethodField()
    transfer_status = serializers.SerializerMethodField()

    class Meta:
        model = SellerTransaction
        fields = (
            "id",
            "order_id",
            "payment_id",
            "seller_id",
            "seller_email",
            "currency",
            "gross_amount",
            "platform_fee",
            "stripe_fee",
            "net_amount",
            "refunded_amount",
            "status",
            "held_until",
            "released_at",
            "transfer_id",
            "transfer_status",
            "created_at",
        )

    def _transfer(self, obj: SellerTransaction) -> Transfer | None:
        return getattr(obj, "transfer", None) if hasattr(obj, "transfer") else None

    def get_transfer_id(self, obj: SellerTransaction) -> str | None:
        transfer = self._transfer(obj)
        return transfer.stripe_transfer_id if transfer else None

    def get_transfer_status(self, obj: SellerTransaction) -> str | None:
        transfer = self._transfer(obj)
        return transfer.status if transfer else None


class TransactionTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    count = serializers.IntegerField()
    gross_amount = money_serializer_field()
    platform_fee = money_serializer_field()
    stripe_fee = money_serializer_field()
    net_amount = money_serializer_field()
    refunded_amount = money_serializer_field()


class AdminPayoutSerializer(PayoutSerializer):
    seller_id = serializers.UUIDField()
    seller_email = serializers.EmailField(source="seller.email")
    stripe_account_id = serializers.CharField(source="account.stripe_account_id")

    class Meta(PayoutSerializer.Meta):
        fields = PayoutSerializer.Meta.fields + ("seller_id", "seller_email", "stripe_account_id")


class PayoutTotalsSerializer(serializers.Serializer):
    currency = serializers.CharField()
    count = serializers.IntegerField()
    amount = money_serializer_field()


class AdminTransactionPageSerializer(PageSerializer):
    results = AdminTransactionSerializer(many=True)
    totals = TransactionTotalsSerializer(many=True)


class AdminPayoutPageSerializer(PageSerializer):
    results = AdminPayoutSerializer(many=True)
    totals = PayoutTotalsSerializer(many=True)


class PayoutPageSerializer(PageSerializer):
    results = PayoutSerializer(many=True)
