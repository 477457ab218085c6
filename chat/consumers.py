from designiaBackend.api.realtime import user_group
from designiaBackend.api.websocket import AuthenticatedJsonConsumer


class ActivityConsumer(AuthenticatedJsonConsumer):
    """``/ws/activity/?token=``: the signed-in user's personal event stream (group ``user.<id>``)."""

    async def on_authenticated_connect(self):
        self.group_name = user_group(self.user.pk)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json(
            {"type": "connection_success", "user_id": str(self.user.pk), "message": "Connected."}
        )

    async def disconnect(self, code):
        if hasattr(self, "group_name"):
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if content["type"] == "ping":
            await self.send_json({"type": "pong"})
        else:
            await self.send_error(f"Unknown message type: {content['type']}", code="unknown_type")

    async def user_event(self, message):
        """Events pushed by any app through designiaBackend.api.realtime."""
        await self.send_json(message["event"])
