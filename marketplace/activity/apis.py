import hashlib

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.fields import PublicIdField
from designiaBackend.api.throttling import IPRateThrottle, client_address
from marketplace.activity.services import ACTIONS, activity_record
from marketplace.catalog.products.selectors import product_queryset_public


def viewer_key(request):
    """The user's id, or a hash of a guest's address and browser (the request is the web layer's)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u:{user.pk}"
    agent = request.META.get("HTTP_USER_AGENT", "")[:200]
    return "g:" + hashlib.sha256(f"{client_address(request)}|{agent}".encode()).hexdigest()[:24]


class TrackSerializer(serializers.Serializer):
    product_id = PublicIdField()
    action = serializers.ChoiceField(ACTIONS)

    def validate_product_id(self, value):
        if not product_queryset_public().filter(pk=value).exists():
            raise serializers.ValidationError("No such product.")
        return value


class TrackResultSerializer(serializers.Serializer):
    recorded = serializers.BooleanField()


class TrackView(APIView):
    """``POST /api/activity/track/``: one view, click, favorite or add-to-cart event for analytics.

    Buffered and written in batches; a view counts once per viewer and hour (``recorded: false``
    for a repeat). Throttled per client address (scope ``activity``).
    """

    permission_classes = [AllowAny]
    throttle_classes = [IPRateThrottle]
    throttle_scope = "activity"

    @extend_schema(
        request=TrackSerializer,
        responses={
            202: TrackResultSerializer,
            400: OpenApiTypes.OBJECT,
            401: OpenApiTypes.OBJECT,
            429: OpenApiTypes.OBJECT,
        },
    )
    def post(self, request):
        serializer = TrackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recorded = activity_record(
            product_id=serializer.validated_data["product_id"],
            action=serializer.validated_data["action"],
            viewer=viewer_key(request),
        )
        return Response({"recorded": recorded}, status=status.HTTP_202_ACCEPTED)
