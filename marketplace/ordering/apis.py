"""Cart (E32–E36) and order (E38, E40–E43, E45, E46, delivery, returns) endpoints: thin views."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.pagination import paginated
from designiaBackend.api.permissions import IsSeller
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


def _cart_change(request, input_serializer, change):
    """Validate the body, apply one cart change for the user, answer with the cart."""
    data = input_serializer(data=request.data)
    data.is_valid(raise_exception=True)
    display = display_currency_for(request)  # an unsupported ?currency= is refused before the change
    change(user=request.user, **data.validated_data)
    return _cart_response(request.user, display=display)


class CartAddItemView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["cart"], request=CartItemAddInputSerializer, responses={200: CartSerializer, 400: ERROR}
    )
    def post(self, request):
        return _cart_change(request, CartItemAddInputSerializer, cart_services.cart_add_item)


class CartUpdateItemView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["cart"],
        request=CartItemUpdateInputSerializer,
        responses={200: CartSerializer, 400: ERROR, 404: ERROR},
    )
    def patch(self, request):
        return _cart_change(request, CartItemUpdateInputSerializer, cart_services.cart_update_item)


class CartRemoveItemView(APIView):
    """E35: a JSON body on DELETE; answers 200 with the cart."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["cart"],
        request=CartItemRemoveInputSerializer,
        responses={200: CartSerializer, 400: ERROR, 404: ERROR},
    )
    def delete(self, request):
        return _cart_change(request, CartItemRemoveInputSerializer, cart_services.cart_remove_item)


class CartApplyCouponView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["cart"],
        request=ApplyCouponInputSerializer,
        responses={200: CartSerializer, 400: ERROR, 409: ERROR},
    )
    def post(self, request):
        data = ApplyCouponInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        display = display_currency_for(request)
        coupon_services.cart_apply_coupon(user=request.user, code=data.validated_data["code"])
        return _cart_response(request.user, display=display)


class CartRemoveCouponView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["cart"], request=None, responses={200: CartSerializer})
    def post(self, request):
        display = display_currency_for(request)
        coupon_services.cart_remove_coupon(user=request.user)
        return _cart_response(request.user, display=display)


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
        order = checkout_services.order_place_from_cart(buyer=request.user, **data.validated_data)
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


def _order_response(request, order_id, status_code=status.HTTP_200_OK):
    order = selectors.order_get_for_viewer(order_id=order_id, user=request.user)
    return Response(OrderSerializer(order).data, status=status_code)


class OrderCancelView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["orders"],
        request=OrderCancelInputSerializer,
        responses={200: OrderSerializer, 400: ERROR, 404: ERROR},
    )
    def post(self, request, order_id):
        data = OrderCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_services.order_cancel(order_id=order_id, buyer=request.user, **data.validated_data)
        return _order_response(request, order_id)


class OrderReturnView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["orders"],
        request=ReturnRequestInputSerializer,
        responses={201: ReturnRequestSerializer, 400: ERROR, 404: ERROR},
    )
    def post(self, request, order_id):
        data = ReturnRequestInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return_request = return_services.return_request_create(
            order_id=order_id, buyer=request.user, **data.validated_data
        )
        return Response(ReturnRequestSerializer(return_request).data, status=status.HTTP_201_CREATED)


class OrderUpdateShippingView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["orders"],
        request=ShippingUpdateInputSerializer,
        responses={200: OrderSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def patch(self, request, order_id):
        data = ShippingUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_services.order_ship(order_id=order_id, seller=request.user, **data.validated_data)
        return _order_response(request, order_id)


class OrderConfirmDeliveryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=["orders"], request=None, responses={200: OrderSerializer, 404: ERROR, 409: ERROR})
    def post(self, request, order_id):
        """Every shipped shipment of the order was received (one shipment: ``shipments/{id}/``)."""
        shipment_services.order_confirm_delivery(order_id=order_id, buyer=request.user)
        return _order_response(request, order_id)


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


class ShipmentUpdateShippingView(APIView):
    """The seller ships their shipment, or corrects its tracking while it is on its way."""

    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["shipments"],
        request=ShippingUpdateInputSerializer,
        responses={200: ShipmentSerializer, **SHIPMENT_ERRORS},
    )
    def patch(self, request, shipment_id):
        data = ShippingUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_services.shipment_ship(shipment_id=shipment_id, seller=request.user, **data.validated_data)
        return _shipment_response(request, shipment_id)


class ShipmentCancelView(APIView):
    """The seller cancels their unshipped part: it is refunded and its stock comes back."""

    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["shipments"],
        request=ShipmentCancelInputSerializer,
        responses={200: ShipmentSerializer, **SHIPMENT_ERRORS},
    )
    def post(self, request, shipment_id):
        data = ShipmentCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        shipment_services.shipment_cancel(shipment_id=shipment_id, seller=request.user, **data.validated_data)
        return _shipment_response(request, shipment_id)


class ShipmentConfirmDeliveryView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["shipments"], request=None, responses={200: ShipmentSerializer, 404: ERROR, 409: ERROR}
    )
    def post(self, request, shipment_id):
        shipment_services.shipment_confirm_delivery(shipment_id=shipment_id, buyer=request.user)
        return _shipment_response(request, shipment_id)


class ReturnApproveView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["orders"],
        request=ReturnDecisionInputSerializer,
        responses={200: ReturnRequestSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request, return_id):
        data = ReturnDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = return_services.return_request_approve(
            return_request_id=return_id, actor=request.user, **data.validated_data
        )
        return Response(ReturnRequestSerializer(decided).data)


class ReturnRejectView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @extend_schema(
        tags=["orders"],
        request=ReturnDecisionInputSerializer,
        responses={200: ReturnRequestSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    def post(self, request, return_id):
        data = ReturnDecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decided = return_services.return_request_reject(
            return_request_id=return_id, actor=request.user, **data.validated_data
        )
        return Response(ReturnRequestSerializer(decided).data)
