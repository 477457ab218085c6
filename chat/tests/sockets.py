"""A small WebSocket test client for the live daphne server (real sockets, JSON frames)."""

import asyncio
import json
from contextlib import asynccontextmanager

from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ORIGIN = "http://localhost:5173"
TIMEOUT = 10


def token_for(user):
    return str(AccessToken.for_user(user))


class Socket:
    def __init__(self, connection):
        self.connection = connection

    async def send(self, frame):
        await self.connection.send(frame if isinstance(frame, str) else json.dumps(frame))

    async def receive(self, timeout=TIMEOUT):
        return json.loads(await asyncio.wait_for(self.connection.recv(), timeout=timeout))

    async def receive_type(self, frame_type, timeout=TIMEOUT):
        """The next frame of ``frame_type``, skipping others (e.g. pushes from other apps)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            frame = await self.receive(timeout=max(deadline - loop.time(), 0.01))
            if frame.get("type") == frame_type:
                return frame

    async def assert_next_is(self, frame_type, timeout=TIMEOUT):
        """Prove "no frame" by a marker: a frame the test caused *after* the one it must not get,
        through the same channel-layer path, comes first (Redis keeps one subscriber's order)."""
        frame = await self.receive(timeout=timeout)
        assert frame.get("type") == frame_type, f"Expected the {frame_type} marker first, got {frame}"
        return frame

    async def settled(self):
        """A ``ping`` answered: every frame this socket sent before was handled, its group sends
        included (a consumer handles one frame at a time)."""
        await self.send({"type": "ping"})
        await self.receive_type("pong")

    async def close_code(self, timeout=TIMEOUT):
        """Wait until the server closes the connection; return its close code."""
        try:
            while True:
                await asyncio.wait_for(self.connection.recv(), timeout=timeout)
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


@asynccontextmanager
async def open_socket(server, path, user=None, token=None):
    query = f"?token={token if token is not None else token_for(user)}" if (user or token) else ""
    async with connect(f"{server.ws_url}{path}{query}", origin=ORIGIN, open_timeout=TIMEOUT) as connection:
        yield Socket(connection)


@asynccontextmanager
async def chat_socket(server, thread_id, user=None, token=None):
    async with open_socket(server, f"/ws/chat/{thread_id}/", user=user, token=token) as socket:
        yield socket


@asynccontextmanager
async def activity_socket(server, user):
    async with open_socket(server, "/ws/activity/", user=user) as socket:
        frame = await socket.receive_type("connection_success")
        socket.welcome = frame
        yield socket
