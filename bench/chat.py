"""Chat benchmark: N pairs of WebSocket clients exchanging messages through Redis via daphne.

Each pair is a buyer and a seller in one thread. Every buyer sends ``--messages`` messages, one
in flight at a time (the next leaves when the seller's socket has received the previous one),
all pairs at once. Reported: messages per second delivered to the recipients, and the p50/p99
end-to-end latency (send on one socket -> receipt on the other, through the server's
message_send service, the database and the Redis channel layer). A line is appended to
bench/RESULTS.md.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=mysql://... python bench/chat.py --pairs 20

Run it as a script (its file name shadows the ``chat`` app if imported from bench/).
"""

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from authentication.models import User  # noqa: E402
from bench.servers import start_daphne  # noqa: E402
from chat.models import Thread  # noqa: E402

ORIGIN = "http://localhost:5173"


def start_server():
    return start_daphne({"CHAT_MESSAGE_RATE": "1000000/min", "LOG_LEVEL": "WARNING"})


def create_pairs(count, run_id):
    pairs = []
    for number in range(count):
        users = [
            User.objects.create_user(
                email=f"bench-{run_id}-{number}-{side}@example.com",
                username=f"bench-{run_id}-{number}-{side}",
                password=None,
                is_email_verified=True,
            )
            for side in ("a", "b")
        ]
        thread = Thread.objects.create(key=Thread.key_for(user_ids=[u.pk for u in users]))
        thread.participants.add(*users)
        pairs.append((thread.pk, *[str(AccessToken.for_user(u)) for u in users]))
    return pairs


async def run_pair(port, thread_id, token_a, token_b, messages, latencies, start_barrier):
    """Returns when the pair's last message has been delivered (before the sockets close)."""
    url = f"ws://127.0.0.1:{port}/ws/chat/{thread_id}/?token="
    # The sender never reads its own echoes: an unbounded queue keeps its socket flowing.
    async with (
        connect(url + token_a, origin=ORIGIN, max_queue=None) as sender,
        connect(url + token_b, origin=ORIGIN) as receiver,
    ):
        await start_barrier.wait()
        for number in range(messages):
            sent_at = time.perf_counter()
            await sender.send(json.dumps({"type": "chat.message", "payload": {"text": f"bench {number}"}}))
            while True:
                frame = json.loads(await asyncio.wait_for(receiver.recv(), timeout=30))
                if frame.get("type") == "chat.message" and frame["data"]["text"] == f"bench {number}":
                    break
            latencies.append(time.perf_counter() - sent_at)
        return time.perf_counter()


async def run(port, pairs, messages):
    latencies = []
    barrier = asyncio.Barrier(len(pairs) + 1)
    tasks = [asyncio.create_task(run_pair(port, *pair, messages, latencies, barrier)) for pair in pairs]
    await barrier.wait()
    started = time.perf_counter()
    finished = await asyncio.gather(*tasks)
    return latencies, max(finished) - started


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def append_results(result):
    path = BENCH_DIR / "RESULTS.md"
    new = not path.exists()
    with path.open("a") as out:
        if new:
            out.write("# Benchmark results\n\n")
        out.write(
            f"\n## Chat sockets ({result['date']})\n\n"
            "| pairs | messages/pair | delivered | seconds | messages/s | p50 ms | p99 ms | database | layer |\n"
            "|---|---|---|---|---|---|---|---|---|\n"
            f"| {result['pairs']} | {result['messages']} | {result['delivered']} | {result['seconds']:.2f} "
            f"| {result['rate']:.1f} | {result['p50_ms']:.1f} | {result['p99_ms']:.1f} "
            f"| {result['database']} | {result['layer']} |\n"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--messages", type=int, default=50, help="messages sent by each pair")
    args = parser.parse_args(argv)
    if not settings.REDIS_URL:
        sys.exit("The chat benchmark needs Redis: set REDIS_URL.")
    call_command("migrate", verbosity=0, interactive=False)
    run_id = uuid.uuid4().hex[:8]
    pairs = create_pairs(args.pairs, run_id)
    process, port = start_server()
    try:
        latencies, seconds = asyncio.run(run(port, pairs, args.messages))
    finally:
        process.terminate()
        process.wait(timeout=15)
        Thread.objects.filter(pk__in=[pair[0] for pair in pairs]).delete()
        User.objects.filter(username__startswith=f"bench-{run_id}-").delete()
    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pairs": args.pairs,
        "messages": args.messages,
        "delivered": len(latencies),
        "seconds": seconds,
        "rate": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
    append_results(result)
    print(
        f"chat: {result['delivered']} messages in {seconds:.2f} s = {result['rate']:.1f} msg/s, "
        f"p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms"
    )
    return result


if __name__ == "__main__":
    main()
