"""Notification inbox and preferences API (``/api/notifications/``): thin views over services and selectors."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from designiaBackend.api.fields import parse_public_id
from designiaBackend.api.pagination import PagePagination
from notifications import kinds, selectors, services
from notifications.exceptions import NotificationNotFound
from notifications.serializers import (
    NotificationListQuerySerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    ReadAllSerializer,
    UnreadCountSerializer,
    UnsubscribedSerializer,
    UnsubscribeQuerySerializer,
)


class NotificationListApi(ListAPIView):
    serializer_class = NotificationSerializer
    pagination_class = PagePagination

    @extend_schema(
        operation_id="notifications_list",
        summary="The caller's notifications, newest first",
        parameters=[OpenApiParameter("unread", bool, description="Only unread notifications.")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        query = NotificationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.notification_list_for_user(
            user=self.request.user, unread_only=query.validated_data["unread"]
        )


class NotificationReadApi(APIView):
    @extend_schema(
        operation_id="notifications_read",
        summary="Mark one of the caller's notifications read (another user's: 404)",
        request=None,
        responses={200: NotificationSerializer},
    )
    def post(self, request, notification_id):
        key = parse_public_id(notification_id)
        if key is None:
            raise NotificationNotFound()
        notification = services.notification_mark_read(user=request.user, notification_id=key)
        return Response(NotificationSerializer(notification).data)


class NotificationReadAllApi(APIView):
    @extend_schema(
        operation_id="notifications_read_all",
        summary="Mark all of the caller's notifications read",
        request=None,
        responses={200: ReadAllSerializer},
    )
    def post(self, request):
        marked = services.notifications_mark_all_read(user=request.user)
        count = selectors.unread_notifications_count(user_id=request.user.pk)
        return Response(ReadAllSerializer({"marked_read": marked, "unread_notifications_count": count}).data)


class NotificationUnreadCountApi(APIView):
    @extend_schema(
        operation_id="notifications_unread_count",
        summary="How many of the caller's notifications are unread",
        responses={200: UnreadCountSerializer},
    )
    def get(self, request):
        count = selectors.unread_notifications_count(user_id=request.user.pk)
        return Response(UnreadCountSerializer({"unread_notifications_count": count}).data)


class NotificationPreferencesApi(APIView):
    @extend_schema(
        operation_id="notifications_preferences_retrieve",
        summary="E-mail on/off per notification kind (the inbox always keeps them)",
        responses={200: PreferencesSerializer},
    )
    def get(self, request):
        return Response(self._render(request.user))

    @extend_schema(
        operation_id="notifications_preferences_update",
        summary="Turn e-mails of some kinds on or off (unknown kind or a security kind turned off: 400)",
        request=PreferencesUpdateSerializer,
        responses={200: PreferencesSerializer},
    )
    def patch(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        choices = {item["kind"]: item["email"] for item in serializer.validated_data["preferences"]}
        services.notification_preferences_update(user=request.user, choices=choices)
        return Response(self._render(request.user))

    @staticmethod
    def _render(user):
        preferences = selectors.preference_list_for_user(user=user)
        return PreferencesSerializer({"preferences": preferences}).data


class NotificationUnsubscribeApi(APIView):
    """The ``List-Unsubscribe`` target of every notification e-mail. GET only says what the token
    turns off (mail scanners and link previews fetch links, so a GET never changes anything); POST
    turns it off (a mail client's RFC 8058 one-click). People follow the e-mail's link to the page
    in ``notifications.views`` instead."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="notifications_unsubscribe_link",
        summary="What a signed unsubscribe link turns off (no login, changes nothing; bad or expired token: 400)",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={200: UnsubscribedSerializer},
    )
    def get(self, request):
        user_id, kind = services.unsubscribe_token_check(token=self._token(request))
        email = selectors.email_enabled(user_id=user_id, kind=kind)
        return Response(
            UnsubscribedSerializer({"kind": kind, "label": kinds.get(kind).label, "email": email}).data
        )

    @extend_schema(
        operation_id="notifications_unsubscribe_one_click",
        summary="Turn off one kind's e-mails (RFC 8058 one-click)",
        parameters=[OpenApiParameter("token", str, required=True)],
        request=None,
        responses={200: UnsubscribedSerializer},
    )
    def post(self, request):
        kind = services.notification_unsubscribe(token=self._token(request))
        return Response(
            UnsubscribedSerializer({"kind": kind, "label": kinds.get(kind).label, "email": False}).data
        )

    @staticmethod
    def _token(request) -> str:
        query = UnsubscribeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return query.validated_data["token"]
