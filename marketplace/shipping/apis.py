"""Shipping profile endpoints (``/api/marketplace/shipping-profiles/``): a seller's own only."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.fields import parse_public_id
from designiaBackend.api.permissions import IsSeller
from marketplace.shipping import selectors, services
from marketplace.shipping.exceptions import ShippingProfileNotFound
from marketplace.shipping.serializers import ShippingProfileSerializer

ERROR = OpenApiResponse(description="Error: `{detail, error, code}`")
ERRORS = {400: ERROR, 403: ERROR, 404: ERROR}


def _profile_id(value: str) -> int:
    key = parse_public_id(value)
    if key is None:
        raise ShippingProfileNotFound()
    return key


def _profile_response(request, profile_id: int, status: int = 200) -> Response:
    profile = selectors.shipping_profile_get_for_seller(profile_id=profile_id, seller=request.user)
    return Response(ShippingProfileSerializer(profile).data, status=status)


class ShippingProfileListView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(tags=["shipping"], responses={200: ShippingProfileSerializer(many=True), 403: ERROR})
    def get(self, request):
        profiles = selectors.shipping_profile_list_for_seller(seller=request.user)
        return Response(ShippingProfileSerializer(profiles, many=True).data)

    @extend_schema(
        tags=["shipping"],
        request=ShippingProfileSerializer,
        responses={201: ShippingProfileSerializer, **ERRORS},
    )
    def post(self, request):
        data = ShippingProfileSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        profile = services.shipping_profile_create(seller=request.user, data=data.validated_data)
        return _profile_response(request, profile.pk, status=201)


class ShippingProfileDetailView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(tags=["shipping"], responses={200: ShippingProfileSerializer, **ERRORS})
    def get(self, request, profile_id):
        return _profile_response(request, _profile_id(profile_id))

    def _update(self, request, profile_id, *, partial: bool) -> Response:
        profile = selectors.shipping_profile_get_for_seller(
            profile_id=_profile_id(profile_id), seller=request.user
        )
        data = ShippingProfileSerializer(profile, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        services.shipping_profile_update(profile_id=profile.pk, seller=request.user, data=data.validated_data)
        return _profile_response(request, profile.pk)

    @extend_schema(
        tags=["shipping"],
        request=ShippingProfileSerializer,
        responses={200: ShippingProfileSerializer, **ERRORS},
    )
    def put(self, request, profile_id):
        return self._update(request, profile_id, partial=False)

    @extend_schema(
        tags=["shipping"],
        request=ShippingProfileSerializer,
        responses={200: ShippingProfileSerializer, **ERRORS},
    )
    def patch(self, request, profile_id):
        return self._update(request, profile_id, partial=True)

    @extend_schema(tags=["shipping"], responses={204: None, **ERRORS})
    def delete(self, request, profile_id):
        services.shipping_profile_delete(profile_id=_profile_id(profile_id), seller=request.user)
        return Response(status=204)
