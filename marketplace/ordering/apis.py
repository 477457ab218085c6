"""Cart (E32–E36) and order (E38, E40–E43, E45, E46, delivery, returns) endpoints: thin views."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import paginated
from designiaBackend.api.permissions import IsSeller
from designiaBackend.api.views import ServiceView
from marketplace.catalog.display_currency import CURRENCY_PARAMETER, display_currency_for
from marketplace.coupons import services as coupon_services
from marketplace.coupons.serializers import ApplyCouponInputSerializer
from marketplace.ordering import selectors
from marketplace.ordering.exceptions import OrderNotFound, ShipmentNotFound
from marketplace.ordering.serializers import (
    CartItemAddInputSerializer,
    CartItemRemoveInputSerializer,
    CartItemUpdateInputSerializer,
    CartQuerySerializer,
    CartSerializer,
    OrderCancelInputSerializer,
    OrderCreateInputSerializer,
    OrderPageSerializer,
    OrderSerializer,
    ReturnDecisionInputSerializer,
    ReturnRequestInputSerializer,
    ReturnRequestSerializer,
    SellerOrderQuerySerializer,
    ShipmentCancelInputSerializer,
    ShipmentSerializer,
    ShippingUpdateInputSerializer,
    cart_display_apply,
)
from marketplace.ordering.services import cart as cart_services
from marketplace.ordering.services import checkout as checkout_services
from marketplace.ordering.services import orders as order_services
from marketplace.ordering.services import returns as return_services
from marketplace.ordering.services import shipments as shipment_services
from marketplace.ordering.state import TRANSITIONS

PAGE_PARAMETERS = [OpenApiParameter("page", int), OpenApiParameter("page_size", int)]
ERROR = OpenApiResponse(description="Error: `{detail, error, code}`")
STATUS_FILTER = OpenApiParameter(
    "status",
    str,
    enum=[str(s) for s in TRANSITIONS],
    description="awaiting_shipment includes payment_confirmed",
)
SELLER_PARAMETERS = [*PAGE_PARAMETERS, STATUS_FILTER]


def _cart_response(user, status_code=status.HTTP_200_OK, country: str = "", display=None):
    cart = selectors.cart_get_for_user(user=user)
    country = selectors.buyer_destination_country(buyer=user, country=country)
    context = {"quote": selectors.cart_quote(cart=cart, country=country), "country": country}
    data = CartSerializer(cart, context=context).data
    if display is not None:
        cart_display_apply(data, display)
    return Response(data, status=status_code)


class CartView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["cart"],
        operation_id="cart_retrieve",
        parameters=[
            OpenApiParameter("country", str, description="ISO country code to price shipping for"),
            CURRENCY_PARAMETER,
        ],
        responses={200: CartSerializer, 400: ERROR},
    )
    def get(self, request):
        query = CartQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        display = display_currency_for(request)
        return _cart_response(request.user, country=query.validated_data["country"], display=display)


class _CartChangeView(ServiceView):
    # One change to the signed-in user's cart; answers with the cart in the asked display currency.
    permission_classes = [IsAuthenticated]
    tags = ["cart"]

    def call(self, request, data):
        self.display = display_currency_for(request)  # an unsupported ?currency= is refused first
        return super().call(request, data)

    def respond(self, request, result):
        return _cart_response(request.user, display=self.display)


class CartAddItemView(_CartChangeView):
    form = CartItemAddInputSerializer
    service = cart_services.cart_add_item
    responses = {200: CartSerializer, 400: ERROR}


class CartUpdateItemView(_CartChangeView):
    method = "patch"
    form = CartItemUpdateInputSerializer
    service = cart_services.cart_update_item
    responses = {200: CartSerializer, 400: ERROR, 404: ERROR}


class CartRemoveItemView(_CartChangeView):
    """E35: a JSON body on DELETE; answers 200 with the cart."""

    method = "delete"
    form = CartItemRemoveInputSerializer
    service = cart_services.cart_remove_item
    responses = {200: CartSerializer, 400: ERROR, 404: ERROR}


class CartApplyCouponView(_CartChangeView):
    form = ApplyCouponInputSerializer
    service = coupon_services.cart_apply_coupon
    responses = {200: CartSerializer, 400: ERROR, 409: ERROR}


class CartRemoveCouponView(_CartChangeView):
    service = coupon_services.cart_remove_coupon
    responses = {200: CartSerializer}


class CartClearView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["cart"], request=None, responses={204: None})
    def delete(self, request):
        cart_services.cart_clear(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class OrderListView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["orders"],
        operation_id="orders_list",
        parameters=PAGE_PARAMETERS,
        responses={200: OrderPageSerializer},
    )
    def get(self, request):
        orders = selectors.order_list_for_buyer(buyer=request.user)
        return paginated(request, self, orders, serializer=OrderSerializer)

    @extend_schema(
        tags=["orders"], request=OrderCreateInputSerializer, responses={201: OrderSerializer, 400: ERROR}
    )
    def post(self, request):
        """E38: create an order from the server cart (payment is started separately, E39)."""
        data = OrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = checkout_services.order_place_from_cart(
            buyer=request.user,
            country=selectors.buyer_destination_country(buyer=request.user),  # the cart's country
            **data.validated_data,
        )
        order = selectors.order_get_for_viewer(order_id=order.pk, user=request.user)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class SellerOrderListView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["orders"],
        operation_id="orders_seller_list",
        parameters=SELLER_PARAMETERS,
        responses={200: OrderPageSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def get(self, request):
        query = SellerOrderQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        orders = selectors.order_list_for_seller(
            seller=request.user, status=query.validated_data.get("status")
        )
        return paginated(request, self, orders, serializer=OrderSerializer, context={"seller_view": True})


class OrderDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["orders"], responses={200: OrderSerializer, 404: ERROR})
    def get(self, request, order_id):
        order = selectors.order_get_for_viewer(order_id=order_id, user=request.user)
        if order is None:
            raise OrderNotFound()
        return Response(OrderSerializer(order).data)


class _OrderActionView(ServiceView):
    # A buyer's or seller's step on one order; answers with the order as its viewer sees it.
    permission_classes = [IsAuthenticated]
    tags = ["orders"]
    caller = "buyer"

    def respond(self, request, result, order_id):
        order = selectors.order_get_for_viewer(order_id=order_id, user=request.user)
        return Response(OrderSerializer(order).data)


class OrderCancelView(_OrderActionView):
    form = OrderCancelInputSerializer
    service = order_services.order_cancel
    responses = {200: OrderSerializer, 400: ERROR, 404: ERROR}


class OrderReturnView(_OrderActionView):
    form = ReturnRequestInputSerializer
    service = return_services.return_request_create
    responses = {201: ReturnRequestSerializer, 400: ERROR, 404: ERROR}

    def respond(self, request, result, order_id):
        return Response(ReturnRequestSerializer(result).data, status=status.HTTP_201_CREATED)


class OrderUpdateShippingView(_OrderActionView):
    permission_classes = [IsAuthenticated, IsSeller]
    method = "patch"
    caller = "seller"
    form = ShippingUpdateInputSerializer
    service = shipment_services.order_ship
    responses = {200: OrderSerializer, 400: ERROR, 403: ERROR, 404: ERROR}


class OrderConfirmDeliveryView(_OrderActionView):
    """Every shipped shipment of the order was received (one shipment: ``shipments/{id}/``)."""

    service = shipment_services.order_confirm_delivery
    responses = {200: OrderSerializer, 404: ERROR, 409: ERROR}


def _shipment_response(request, shipment_id):
    shipment = selectors.shipment_get_for_viewer(shipment_id=shipment_id, user=request.user)
    if shipment is None:
        raise ShipmentNotFound()
    return Response(ShipmentSerializer(shipment).data)


SHIPMENT_ERRORS = {400: ERROR, 403: ERROR, 404: ERROR, 409: ERROR}


class ShipmentDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["shipments"], responses={200: ShipmentSerializer, 404: ERROR})
    def get(self, request, shipment_id):
        return _shipment_response(request, shipment_id)


class _ShipmentActionView(ServiceView):
    # A seller's or buyer's step on one shipment; answers with the shipment.
    permission_classes = [IsAuthenticated, IsSeller]
    tags = ["shipments"]
    caller = "seller"
    responses = {200: ShipmentSerializer, **SHIPMENT_ERRORS}

    def respond(self, request, result, shipment_id):
        return _shipment_response(request, shipment_id)


class ShipmentUpdateShippingView(_ShipmentActionView):
    """The seller ships their shipment, or corrects its tracking while it is on its way."""

    method = "patch"
    form = ShippingUpdateInputSerializer
    service = shipment_services.shipment_ship


class ShipmentCancelView(_ShipmentActionView):
    """The seller cancels their unshipped part: it is refunded and its stock comes back."""

    form = ShipmentCancelInputSerializer
    service = shipment_services.shipment_cancel


class ShipmentConfirmDeliveryView(_ShipmentActionView):
    permission_classes = [IsAuthenticated]
    caller = "buyer"
    service = shipment_services.shipment_confirm_delivery
    responses = {200: ShipmentSerializer, 404: ERROR, 409: ERROR}


class _ReturnDecisionView(ServiceView):
    # The seller (or staff) approves or rejects a return request; answers with the request.
    permission_classes = [IsAuthenticated, IsSeller]
    tags = ["orders"]
    form = ReturnDecisionInputSerializer
    responses = {200: ReturnRequestSerializer, 403: ERROR, 404: ERROR, 409: ERROR}

    def call(self, request, data, return_id):
        return type(self).service(return_request_id=return_id, actor=request.user, **data)

    def respond(self, request, result, return_id):
        return Response(ReturnRequestSerializer(result).data)


class ReturnApproveView(_ReturnDecisionView):
    service = return_services.return_request_approve


class ReturnRejectView(_ReturnDecisionView):
    service = return_services.return_request_reject
