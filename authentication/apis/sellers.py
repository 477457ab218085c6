"""Seller applications: the applicant's status and form (E20, E21) and the staff review API."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from authentication import selectors
from authentication.apis.common import ERROR, UNAUTHORIZED, VALIDATION_ERROR
from authentication.models import SellerApplication
from authentication.serializers.sellers import (
    SellerApplicationAdminSerializer,
    SellerApplicationDecisionSerializer,
    SellerApplicationListQuerySerializer,
    SellerApplicationPageSerializer,
    SellerApplicationStatusSerializer,
    SellerApplySerializer,
)
from authentication.services import sellers
from designiaBackend.api.pagination import paginated
from designiaBackend.api.permissions import IsStaff

STAFF_ONLY = {401: UNAUTHORIZED, 403: ERROR}


class SellerApplicationStatusView(APIView):
    @extend_schema(responses={200: SellerApplicationStatusSerializer, 401: UNAUTHORIZED})
    def get(self, request):
        application = selectors.seller_application_latest(user=request.user)
        return Response(SellerApplicationStatusSerializer.for_application(application))


class SellerApplyView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": SellerApplySerializer},
        responses={201: SellerApplicationStatusSerializer, 400: VALIDATION_ERROR, 401: UNAUTHORIZED},
    )
    def post(self, request):
        serializer = SellerApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = sellers.seller_application_submit(
            user=request.user,
            business_name=data["business_name"],
            motivation=data["motivation"],
            seller_type=data["seller_type"],
            portfolio_url=data["portfolio_url"],
            shop_logo=data.get("shop_logo"),
            images=data["uploaded_images"],
        )
        body = SellerApplicationStatusSerializer.for_application(application)
        body["message"] = "Your application has been submitted. We will email you once it is reviewed."
        return Response(body, status=status.HTTP_201_CREATED)


class AdminSellerApplicationListView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=SellerApplication.Status.values, required=False),
            OpenApiParameter("page", int, required=False),
            OpenApiParameter("page_size", int, required=False),
        ],
        responses={200: SellerApplicationPageSerializer, 400: VALIDATION_ERROR, 404: ERROR, **STAFF_ONLY},
    )
    def get(self, request):
        query = SellerApplicationListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        applications = selectors.seller_application_list(status=query.validated_data.get("status"))
        return paginated(request, self, applications, serializer=SellerApplicationAdminSerializer)


class AdminSellerApplicationDecisionView(APIView):
    permission_classes = [IsStaff]

    @extend_schema(
        request=SellerApplicationDecisionSerializer,
        responses={
            200: SellerApplicationAdminSerializer,
            400: VALIDATION_ERROR,
            404: ERROR,
            409: ERROR,
            **STAFF_ONLY,
        },
    )
    def post(self, request, application_id):
        serializer = SellerApplicationDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["action"] == "approve":
            sellers.seller_application_approve(
                application_id=application_id, reviewer=request.user, admin_notes=data["admin_notes"]
            )
        else:
            sellers.seller_application_reject(
                application_id=application_id,
                reviewer=request.user,
                reason=data["reason"],
                admin_notes=data["admin_notes"],
            )
        application = selectors.seller_application_list().get(pk=application_id)
        return Response(SellerApplicationAdminSerializer(application).data)
