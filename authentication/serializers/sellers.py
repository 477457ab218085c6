"""Seller application bodies: the applicant's form, its status, and the staff review."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from authentication.models import SellerApplication
from designiaBackend.api.fields import PublicIdField, public_id
from designiaBackend.api.pagination import PageSerializer
from infrastructure.storage import public_url

Status = SellerApplication.Status
# The client knows none, pending, approved and rejected: internal review states read as pending.
CLIENT_STATUS = {
    Status.PENDING: "pending",
    Status.UNDER_REVIEW: "pending",
    Status.REVISION_REQUESTED: "pending",
    Status.APPROVED: "approved",
    Status.REJECTED: "rejected",
}


class SellerApplySerializer(serializers.Serializer):
    business_name = serializers.CharField(max_length=200)
    motivation = serializers.CharField(min_length=20, max_length=5000)
    seller_type = serializers.ChoiceField(choices=SellerApplication.SellerType.choices)
    portfolio_url = serializers.URLField(required=False, allow_blank=True, max_length=200, default="")
    shop_logo = serializers.FileField(required=False, allow_null=True)
    uploaded_images = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class SellerApplicationStatusSerializer(serializers.Serializer):
    """E20 body: ``{has_application, status, submitted_at, rejection_reason, admin_notes}``."""

    has_application = serializers.BooleanField()
    status = serializers.ChoiceField(choices=["none", "pending", "approved", "rejected"])
    application_id = PublicIdField(allow_null=True)
    business_name = serializers.CharField(allow_null=True)
    seller_type = serializers.CharField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    rejection_reason = serializers.CharField(allow_null=True)
    admin_notes = serializers.CharField(allow_null=True)

    @staticmethod
    def for_application(application):
        if application is None:
            return {
                "has_application": False,
                "status": "none",
                "application_id": None,
                "business_name": None,
                "seller_type": None,
                "submitted_at": None,
                "reviewed_at": None,
                "rejection_reason": None,
                "admin_notes": None,
            }
        rejected = application.status == Status.REJECTED
        return {
            "has_application": True,
            "status": CLIENT_STATUS[application.status],
            "application_id": public_id(application.pk),
            "business_name": application.business_name,
            "seller_type": application.seller_type,
            "submitted_at": application.submitted_at,
            "reviewed_at": application.reviewed_at,
            "rejection_reason": application.rejection_reason if rejected else None,
            "admin_notes": (application.admin_notes or None) if rejected else None,
        }


class ApplicantSerializer(serializers.Serializer):
    id = serializers.CharField()
    email = serializers.EmailField()
    username = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    two_factor_enabled = serializers.BooleanField()


class SellerApplicationAdminSerializer(serializers.ModelSerializer):
    id = PublicIdField(read_only=True)
    user = ApplicantSerializer(read_only=True)
    shop_logo_url = serializers.SerializerMethodField()
    image_urls = serializers.SerializerMethodField()
    reviewed_by = serializers.CharField(source="reviewed_by_id", allow_null=True, read_only=True)

    class Meta:
        model = SellerApplication
        fields = [
            "id",
            "user",
            "business_name",
            "seller_type",
            "motivation",
            "portfolio_url",
            "shop_logo_url",
            "image_urls",
            "status",
            "rejection_reason",
            "admin_notes",
            "submitted_at",
            "reviewed_at",
            "reviewed_by",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_shop_logo_url(self, application):
        return public_url(application.shop_logo)

    @extend_schema_field(serializers.ListField(child=serializers.URLField()))
    def get_image_urls(self, application):
        return [public_url(image.image) for image in application.images.all()]


class SellerApplicationPageSerializer(PageSerializer):
    """The page shape of ``PagePagination`` (contract §4.1) around staff application rows."""

    results = SellerApplicationAdminSerializer(many=True)


class SellerApplicationDecisionSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=["approve", "reject"])
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    admin_notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs):
        if attrs["action"] == "reject" and not attrs["reason"].strip():
            raise serializers.ValidationError({"reason": ["A rejection needs a reason for the applicant."]})
        return attrs


class SellerApplicationListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
