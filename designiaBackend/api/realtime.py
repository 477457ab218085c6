"""Push events to a user's activity socket (channel group ``user.<id>``).

Any app may announce something to a user without depending on the chat app, which owns the
sockets: the activity consumer forwards every ``user.event`` message to the browser as it is.
Events are sent only after the surrounding transaction commits.
"""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from designiaBackend.api.after_commit import best_effort


def user_group(user_id):
    return f"user.{user_id}"


def send_to_user(user_id, event: dict):
    """Send ``event`` (a JSON object with a ``type``) to every activity socket of the user, now."""
    layer = get_channel_layer()
    async_to_sync(layer.group_send)(user_group(user_id), {"type": "user.event", "event": event})


def send_to_user_on_commit(user_id, event: dict):
    """Best effort: a push that fails (Redis down) is logged and counted, never fails the request."""
    best_effort(lambda: send_to_user(user_id, event), what=f"push_{event.get('type', 'event')}")
