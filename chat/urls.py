from django.urls import path

from chat import apis

urlpatterns = [
    path("conversations/", apis.ConversationListApi.as_view(), name="chat-conversations"),
    path("conversations/<int:thread_id>/", apis.ConversationDetailApi.as_view(), name="chat-conversation"),
    path(
        "conversations/<int:thread_id>/messages/",
        apis.ConversationMessagesApi.as_view(),
        name="chat-conversation-messages",
    ),
    path(
        "conversations/<int:thread_id>/mark_read/",
        apis.ConversationMarkReadApi.as_view(),
        name="chat-conversation-mark-read",
    ),
    path("reports/", apis.MessageReportApi.as_view(), name="chat-reports"),
]
