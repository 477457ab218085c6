"""Chat REST API (contract §5.10, E56–E61). Thin views over chat.services and chat.selectors."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.serializers import (
    MarkReadSerializer,
    MessageInputSerializer,
    MessagePageSerializer,
    MessageSerializer,
    ReportInputSerializer,
    ReportSerializer,
    ThreadOpenedSerializer,
    ThreadOpenInputSerializer,
    ThreadSerializer,
)
from designiaBackend.api.pagination import LinkPagination

# Error responses (400/401/403/404/429) are added to every operation by designiaBackend.api.schema.


class ConversationListApi(APIView):
    @extend_schema(
        operation_id="chat_conversations_list",
        summary="The caller's conversations (E57), most recent first",
        responses={200: ThreadSerializer(many=True)},
    )
    def get(self, request):
        threads = selectors.thread_list_for_user(user=request.user)
        return Response(ThreadSerializer(threads, many=True).data)

    @extend_schema(
        operation_id="chat_conversations_open",
        summary="Open (or reopen) a conversation about a product or with a user (E56)",
        request=ThreadOpenInputSerializer,
        responses={200: ThreadOpenedSerializer, 201: ThreadOpenedSerializer},
    )
    def post(self, request):
        serializer = ThreadOpenInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        thread, created = services.thread_get_or_create(
            user=request.user,
            product_id=serializer.validated_data.get("product_id"),
            other_user_id=serializer.validated_data.get("user_id"),
        )
        return Response(
            ThreadOpenedSerializer({"thread_id": thread.pk, "is_new": created}).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class ConversationDetailApi(APIView):
    @extend_schema(
        operation_id="chat_conversations_retrieve",
        summary="One conversation (E58)",
        responses={200: ThreadSerializer},
    )
    def get(self, request, thread_id):
        thread = selectors.thread_get_for_participant(thread_id=thread_id, user=request.user)
        return Response(ThreadSerializer(thread).data)


class ConversationMessagesApi(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        operation_id="chat_messages_list",
        summary="Message history, newest first, 20 per page (E59)",
        parameters=[
            OpenApiParameter("page", int, description="Page number, from 1."),
            OpenApiParameter("page_size", int, description="Messages per page (default 20, at most 100)."),
        ],
        responses={200: MessagePageSerializer},
    )
    def get(self, request, thread_id):
        thread = selectors.thread_get_for_participant(thread_id=thread_id, user=request.user)
        paginator = LinkPagination()
        page = paginator.paginate_queryset(
            selectors.message_list_for_thread(thread=thread), request, view=self
        )
        return paginator.get_paginated_response(MessageSerializer(page, many=True).data)

    @extend_schema(
        operation_id="chat_messages_send",
        summary="Send a text or image message over REST (same service and events as the socket)",
        request={"application/json": MessageInputSerializer, "multipart/form-data": MessageInputSerializer},
        responses={201: MessageSerializer},
    )
    def post(self, request, thread_id):
        serializer = MessageInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        message = services.message_send(
            thread_id=thread_id,
            sender=request.user,
            text=serializer.validated_data.get("text"),
            image=serializer.validated_data.get("image"),
            channel="rest",
        )
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)


class ConversationMarkReadApi(APIView):
    @extend_schema(
        operation_id="chat_conversations_mark_read",
        summary="Mark the other participant's messages read (E60); broadcasts chat.read",
        request=None,
        responses={200: MarkReadSerializer},
    )
    def post(self, request, thread_id):
        marked = services.thread_mark_read(thread_id=thread_id, reader=request.user)
        return Response(MarkReadSerializer({"marked_read": marked}).data)


class MessageReportApi(APIView):
    @extend_schema(
        operation_id="chat_reports_create",
        summary="Report a message of one of the caller's conversations (E61)",
        request=ReportInputSerializer,
        responses={
            201: ReportSerializer,
        },
    )
    def post(self, request):
        serializer = ReportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.message_report_create(
            reporter=request.user,
            message_id=serializer.validated_data["message"],
            reason=serializer.validated_data["reason"],
            description=serializer.validated_data["description"],
        )
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
