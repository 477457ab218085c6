from django.urls import path

from chat import consumers

websocket_urlpatterns = [
    path("ws/activity/", consumers.ActivityConsumer.as_asgi()),
    path("ws/chat/<str:thread_id>/", consumers.ChatConsumer.as_asgi()),
]
