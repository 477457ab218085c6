"""Sellers' held funds and payouts, and the finance admin lists (thin views over the selectors)."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import paginated
from designiaBackend.api.permissions import IsSeller, IsStaff
from designiaBackend.errors import NotFoundError
from payment_system.payouts import selectors, serializers

ERROR = OpenApiResponse(description="Error: `{detail, error, code}`")
INVALID = OpenApiResponse(description="Invalid filters: field lists and `code: invalid`")
PAGE_PARAMETERS = [
    OpenApiParameter("page", int, description="Page number (404 past the last page)."),
    OpenApiParameter("page_size", int, description="Items per page (at most 100)."),
]
TAGS = ["payouts"]


class SellerHoldsApi(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=TAGS,
        operation_id="payouts_holds_retrieve",
        responses={200: serializers.HoldsSerializer, 401: ERROR, 403: ERROR},
    )
    def get(self, request: Request) -> Response:
        """The seller's held, releasable, transferred and paid-out amounts and held transactions."""
        summary = selectors.seller_holds_summary(seller=request.user, now=timezone.now())
        return Response(serializers.HoldsSerializer(summary).data)


class SellerPayoutListApi(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=TAGS,
        operation_id="payouts_list",
        parameters=PAGE_PARAMETERS,
        responses={200: serializers.PayoutPageSerializer, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request) -> Response:
        """The seller's payouts to their bank, newest first (paginated)."""
        payouts = selectors.payout_list_for_seller(seller=request.user)
        return paginated(request, self, payouts, serializer=serializers.PayoutSerializer)


class SellerPayoutDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=TAGS,
        operation_id="payouts_retrieve",
        responses={200: serializers.PayoutDetailSerializer, 401: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request: Request, payout_id: int) -> Response:
        """One of the seller's payouts with the orders whose funds it carried (404 for others')."""
        payout = selectors.payout_get_for_seller(seller=request.user, payout_id=payout_id)
        if payout is None:
            raise NotFoundError("Payout not found.")
        return Response(serializers.PayoutDetailSerializer(payout).data)


# --- finance admin ----------------------------------------------------------------------------------------


def _admin_filters(query: Any) -> selectors.AdminFilters:
    """Validated finance-admin query parameters as selector keyword arguments."""
    query.is_valid(raise_exception=True)
    data = query.validated_data
    return {
        "status": data.get("status"),
        "seller_id": data.get("seller"),
        "date_from": data.get("date_from"),
        "date_to": data.get("date_to"),
    }


def _page_with_totals(
    view: APIView, request: Request, queryset: QuerySet[Any], item_serializer: Any, totals: Any
) -> Response:
    response = paginated(request, view, queryset, serializer=item_serializer)
    response.data["totals"] = totals
    return response


class AdminTransactionListApi(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(
        tags=["finance admin"],
        operation_id="admin_transactions_list",
        parameters=[serializers.AdminTransactionFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: serializers.AdminTransactionPageSerializer,
            400: INVALID,
            401: ERROR,
            403: ERROR,
            404: ERROR,
        },
    )
    def get(self, request: Request) -> Response:
        """Seller transactions (filters: status, seller, date range) with per-currency totals."""
        query = serializers.AdminTransactionFilterSerializer(data=request.query_params)
        filters = _admin_filters(query)
        queryset = selectors.seller_transaction_list_for_admin(**filters)
        totals = serializers.TransactionTotalsSerializer(
            selectors.seller_transaction_totals(queryset), many=True
        ).data
        return _page_with_totals(self, request, queryset, serializers.AdminTransactionSerializer, totals)


class AdminPayoutListApi(APIView):
    permission_classes = [IsAuthenticated, IsStaff]

    @extend_schema(
        tags=["finance admin"],
        operation_id="admin_payouts_list",
        parameters=[serializers.AdminPayoutFilterSerializer, *PAGE_PARAMETERS],
        responses={
            200: serializers.AdminPayoutPageSerializer,
            400: INVALID,
            401: ERROR,
            403: ERROR,
            404: ERROR,
        },
    )
    def get(self, request: Request) -> Response:
        """Sellers' payouts (filters: status, seller, date range) with per-currency totals."""
        query = serializers.AdminPayoutFilterSerializer(data=request.query_params)
        filters = _admin_filters(query)
        totals = serializers.PayoutTotalsSerializer(selectors.payout_totals(**filters), many=True).data
        queryset = selectors.payout_list_for_admin(**filters)
        return _page_with_totals(self, request, queryset, serializers.AdminPayoutSerializer, totals)
