"""Coupons: a seller's (or staff's platform) codes, and applying one to the cart."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from marketplace.catalog.models import Product
from marketplace.coupons.selectors import coupon_list_for_user
from marketplace.coupons.serializers import (
    CouponCreateInputSerializer,
    CouponSerializer,
)
from marketplace.coupons.services import coupon_create

ERROR = OpenApiResponse(description="Error: `{detail, error, code}`")


class CouponListCreateView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["coupons"], responses={200: CouponSerializer(many=True)})
    def get(self, request):
        return Response(CouponSerializer(coupon_list_for_user(user=request.user), many=True).data)

    @extend_schema(
        tags=["coupons"],
        request=CouponCreateInputSerializer,
        responses={201: CouponSerializer, 400: ERROR, 403: ERROR},
    )
    def post(self, request):
        data = CouponCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        ids = values.pop("product_ids")
        products = list(Product.objects.filter(pk__in=ids, deleted_at__isnull=True))
        if len(products) != len(set(ids)):
            return Response(
                {"product_ids": ["Some of these products do not exist."], "code": "invalid"},
                status=status.HTTP_400_BAD_REQUEST,
            )
        coupon = coupon_create(user=request.user, data={**values, "products": products})
        row = coupon_list_for_user(user=request.user).get(pk=coupon.pk)
        return Response(CouponSerializer(row).data, status=status.HTTP_201_CREATED)
