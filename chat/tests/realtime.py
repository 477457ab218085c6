"""Helpers of the real-time churn tests: a production-configured server, collecting frames from
live sockets, reading a thread's stored history over REST, a server process's resident memory."""

import asyncio
from pathlib import Path

import requests
from django.conf import settings

from bench.servers import production_env
from chat.tests.servers import start_uvicorn
from chat.tests.sockets import ORIGIN, token_for


def start_production_uvicorn(extra_env):
    """A uvicorn process with production's settings (``DEBUG=False``: no query log kept, which
    would hold every statement of a long run), accepting this test process's access tokens."""
    return start_uvicorn(production_env({"JWT_SIGNING_KEY": settings.SIMPLE_JWT["SIGNING_KEY"], **extra_env}))


async def collect_messages(socket, count, timeout=30):
    """The ids of the next ``count`` ``chat.message`` frames of ``socket``, in arrival order."""
    ids = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while len(ids) < count:
        frame = await socket.receive_type("chat.message", timeout=max(deadline - loop.time(), 0.01))
        ids.append(frame["data"]["id"])
    return ids


def stored_message_ids(server, thread_id, user):
    """The thread's messages as REST lists them (newest first, paged), returned oldest first."""
    ids, url = [], f"{server.http_url}/api/chat/conversations/{thread_id}/messages/?page_size=100"
    while url:
        page = requests.get(
            url, headers={"Origin": ORIGIN, "Authorization": f"Bearer {token_for(user)}"}, timeout=15
        )
        assert page.status_code == 200, page.content
        body = page.json()
        ids.extend(message["id"] for message in body["results"])
        url = body["next"]
    return ids[::-1]


def rss_bytes(pid):
    """The resident set size of process ``pid`` (``VmRSS`` of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"No VmRSS for process {pid}")
