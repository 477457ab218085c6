"""Chat benchmark: pairs of WebSocket clients exchanging messages through the Redis channel layer.

Each pair is a buyer and a seller in one thread. Every buyer sends ``--messages`` messages, one
in flight at a time (the next leaves when the seller's socket has received the previous one),
all pairs at once, optionally with ``--typing`` typing frames per message. Reported: messages per
second delivered to the recipients, and the p50/p99 end-to-end latency (send on one socket ->
receipt on the other, through the server's message_send service, the database and the Redis
channel layer), for each ASGI server set-up measured; then ``--sockets`` activity sockets held by
one server process (its resident memory, and how long a ping to every socket takes to be
answered), and a py-spy profile of the production set-up under the message load. A section is
appended to bench/RESULTS.md.

    REDIS_URL=redis://127.0.0.1:6379/0 DATABASE_URL=mysql://... python bench/chat.py --pairs 100

Run it as a script (its file name shadows the ``chat`` app if imported from bench/).
"""

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "designiaBackend.settings")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
# One key for the tokens signed here and the servers that check them.
os.environ["SECRET_KEY"] = os.environ["BENCH_SECRET_KEY"] = "bench-only-" + os.urandom(16).hex()

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from rest_framework_simplejwt.tokens import AccessToken  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from authentication.models import User  # noqa: E402
from bench import profile  # noqa: E402
from bench.servers import (  # noqa: E402
    cpu_seconds,
    named_pids,
    production_env,
    start_servers,
    stop,
    tree_rss_bytes,
)
from chat.models import Thread  # noqa: E402

ORIGIN = "http://localhost:5173"
LOST_AFTER_SECONDS = 10
NODE_CLIENT = BENCH_DIR / "chat_client"
PROFILE_DELAY_SECONDS = 2
SERVER_ENV = {"CHAT_MESSAGE_RATE": "1000000/min"}


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


def connect_to(port, path):
    # No permessage-deflate: the production server does not offer it (README).
    return connect(f"ws://127.0.0.1:{port}{path}", origin=ORIGIN, compression=None, max_queue=None)


async def run_pair(ports, index, pair, args, latencies, lost, start_barrier):
    """Returns when the pair's last message has been delivered (before the sockets close).

    The two sockets go to different server processes when there are several (one port each)."""
    thread_id, token_a, token_b = pair
    path = f"/ws/chat/{thread_id}/?token="
    port_a, port_b = ports[index % len(ports)], ports[(index + 1) % len(ports)]
    typing = json.dumps({"type": "chat.typing"})
    async with connect_to(port_a, path + token_a) as sender, connect_to(port_b, path + token_b) as receiver:
        await start_barrier.wait()
        for number in range(args.messages):
            for _ in range(args.typing):
                await sender.send(typing)
            sent_at = time.perf_counter()
            await sender.send(json.dumps({"type": "chat.message", "payload": {"text": f"bench {number}"}}))
            try:
                await asyncio.wait_for(_receive_text(receiver, f"bench {number}"), timeout=LOST_AFTER_SECONDS)
            except TimeoutError:
                lost.append(number)  # reported: a run goes on without it
                continue
            latencies.append(time.perf_counter() - sent_at)
        return time.perf_counter()


async def _receive_text(receiver, text):
    while True:
        frame = json.loads(await receiver.recv())
        if frame.get("type") == "chat.message" and frame["data"]["text"] == text:
            return


async def run_messages_python(ports, pairs, args):
    latencies, lost = [], []
    barrier = asyncio.Barrier(len(pairs) + 1)
    tasks = [
        asyncio.create_task(run_pair(ports, index, pair, args, latencies, lost, barrier))
        for index, pair in enumerate(pairs)
    ]
    await barrier.wait()
    started = time.perf_counter()
    finished = await asyncio.gather(*tasks)
    return latencies, lost, max(finished) - started


def node_client_installed():
    """``npm ci`` of bench/chat_client (the ``ws`` package, pinned by its lock) when not done yet."""
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        sys.exit("The chat benchmark's client needs Node.js and npm (or pass --client python).")
    installed = NODE_CLIENT / "node_modules" / ".package-lock.json"
    lock = NODE_CLIENT / "package-lock.json"
    if not installed.exists() or installed.stat().st_mtime < lock.stat().st_mtime:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_CLIENT, check=True, timeout=300
        )
    return NODE_CLIENT / "client.js"


def run_messages_node(ports, pairs, args, on_open=None):
    """The same exchange from one Node.js process (``ws``): a Python ``websockets`` client costs
    about as much CPU per message as the server, which capped what the benchmark could show."""
    urls = []
    for index, (thread_id, token_a, token_b) in enumerate(pairs):
        path = f"/ws/chat/{thread_id}/?token="
        port_a, port_b = ports[index % len(ports)], ports[(index + 1) % len(ports)]
        urls.append([f"ws://127.0.0.1:{port_a}{path}{token_a}", f"ws://127.0.0.1:{port_b}{path}{token_b}"])
    config = {
        "pairs": urls,
        "messages": args.messages,
        "typing": args.typing,
        "origin": ORIGIN,
        "lost_after_ms": LOST_AFTER_SECONDS * 1000,
    }
    client = subprocess.Popen(
        ["node", str(node_client_installed())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    client.stdin.write(json.dumps(config))
    client.stdin.close()
    if client.stdout.readline().strip() == "open" and on_open is not None:
        on_open()  # every socket open: the message phase starts now
    out = client.stdout.read()  # the client ends itself (lost messages time out)
    err = client.stderr.read()
    if client.wait(timeout=30):
        raise RuntimeError(f"The Node.js chat client failed: {err.strip()}")
    result = json.loads(out)
    if result["unexpected_closes"]:
        print(f"{result['unexpected_closes']} pairs had a socket closed by the server during the run")
    latencies = [ms / 1000 for ms in result["latencies_ms"]]
    return latencies, [None] * result["lost"], result["seconds"], result["cpu_ms"] / 1000


def run_messages(ports, pairs, args, on_open=None):
    """(latencies in s, lost messages, seconds, client CPU seconds or None when measured outside).

    ``on_open``: called once every socket is open, as the messages start (Node.js client)."""
    if args.client == "node":
        return run_messages_node(ports, pairs, args, on_open)
    return (*asyncio.run(run_messages_python(ports, pairs, args)), None)


async def hold_sockets(port, tokens, count, pid):
    """Open ``count`` activity sockets, then ping every one and wait for every pong."""
    sockets = []
    opened_at = time.perf_counter()
    for start in range(0, count, 100):  # in batches, as browsers arriving would
        batch = [
            connect_to(port, f"/ws/activity/?token={tokens[n % len(tokens)]}")
            for n in range(start, min(count, start + 100))
        ]
        sockets += await asyncio.gather(*batch)
    for socket in sockets:
        json.loads(await socket.recv())  # connection_success
    opened = time.perf_counter() - opened_at
    await asyncio.sleep(1)
    rss = tree_rss_bytes(pid)
    ping_at = time.perf_counter()

    async def ping(socket):
        await socket.send('{"type": "ping"}')
        while json.loads(await asyncio.wait_for(socket.recv(), timeout=30))["type"] != "pong":
            pass
        return time.perf_counter() - ping_at

    answered = await asyncio.gather(*(ping(socket) for socket in sockets))
    await asyncio.gather(*(socket.close() for socket in sockets))
    return {"sockets": len(sockets), "open_s": opened, "rss_mib": rss / 2**20, "all_pongs_s": max(answered)}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class LateProfile:
    """py-spy started when the message phase starts (every socket open), or
    ``PROFILE_DELAY_SECONDS`` into the run with the Python client: the profile is of the
    messages, not of the connections being set up (authentication, handshakes)."""

    def __init__(self, pid, seconds):
        self.pid, self.seconds, self.recorder = pid, seconds, None
        self.timer = threading.Timer(PROFILE_DELAY_SECONDS, self.start)

    def start(self):
        if self.recorder is None:
            self.recorder = profile.Profile(self.pid, self.seconds)

    def stacks(self):
        self.timer.cancel()
        return self.recorder.stacks() if self.recorder else {}


def measure(kind, workers, pairs, args, profile_seconds=0):
    processes, ports = start_servers(kind, workers, production_env(SERVER_ENV))
    try:
        run_messages(
            ports, pairs[: min(len(pairs), 10)], argparse.Namespace(messages=3, typing=0, client=args.client)
        )
        recorder = LateProfile(processes[0].pid, profile_seconds) if profile_seconds else None
        watched = {
            "server": [process.pid for process in processes],
            "database": named_pids("mariadbd", "mysqld"),
            "redis": named_pids("redis-server"),
        }
        before = {name: cpu_seconds(pids) for name, pids in watched.items()}
        # This process alone: counting its children (cpu_seconds does) counted the servers twice.
        clients_before = time.process_time()
        on_open = None
        if recorder is not None and args.client == "node":
            on_open = recorder.start
        elif recorder is not None:
            recorder.timer.start()
        latencies, lost, seconds, client_cpu = run_messages(ports, pairs, args, on_open)
        cpu = {name: cpu_seconds(pids) - before[name] for name, pids in watched.items()}
        cpu["clients"] = time.process_time() - clients_before
        if client_cpu is not None:  # the Node.js client's own count (its process has ended)
            cpu["clients"] += client_cpu
        stacks = recorder.stacks() if recorder else None
    finally:
        stop(processes)
    result = {
        "server": f"{kind} x{workers}",
        "delivered": len(latencies),
        "lost": len(lost),
        "seconds": seconds,
        "rate": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "profile": profile.summary(stacks) if stacks else None,
        # CPU milliseconds per delivered message (the database and Redis are shared with others).
        "cpu_ms": {name: used * 1000 / max(1, len(latencies)) for name, used in cpu.items()},
    }
    print(
        f"{result['server']}: {result['rate']:.0f} msg/s, p99 {result['p99_ms']:.1f} ms, {len(lost)} lost; "
        "CPU ms per message " + ", ".join(f"{name} {ms:.2f}" for name, ms in result["cpu_ms"].items())
    )
    return result


def measure_sockets(kind, tokens, count):
    processes, ports = start_servers(kind, 1, production_env(SERVER_ENV))
    try:
        return {
            "server": f"{kind} x1",
            **asyncio.run(hold_sockets(ports[0], tokens, count, processes[0].pid)),
        }
    finally:
        stop(processes)


def machine():
    return f"{platform.system()} {platform.release()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def append_results(report):
    rows = "\n".join(
        f"| {r['label']} | {r['server']} | {r['delivered']} | {r['seconds']:.2f} | {r['rate']:.0f} "
        f"| {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['lost']} "
        f"| {r['cpu_ms']['server']:.2f} / {r['cpu_ms']['database']:.2f} / {r['cpu_ms']['redis']:.2f} "
        f"/ {r['cpu_ms']['clients']:.2f} |"
        for r in report["runs"]
    )
    sockets = report["sockets"]
    text = (
        f"\n## Chat sockets ({report['date']})\n\n"
        f"Machine: {machine()}. Load generator: {report['client']}. {report['pairs']} pairs, {report['messages']} messages per pair, one in "
        f"flight per pair; {report['database']}, {report['layer']}; servers with `DEBUG=False`, "
        "persistent database connections, no permessage-deflate; clients on the same machine.\n\n"
        f"| run | ASGI server | delivered | seconds | messages/s | p50 ms | p99 ms | not delivered in {LOST_AFTER_SECONDS} s "
        "| CPU ms per message: server / MariaDB / Redis / clients |\n"
        "|---|---|---|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"Open sockets: {sockets['sockets']} activity sockets on one {sockets['server']} process: "
        f"opened in {sockets['open_s']:.1f} s, server RSS {sockets['rss_mib']:.0f} MiB, a ping to every "
        f"socket all answered within {sockets['all_pongs_s'] * 1000:.0f} ms.\n"
    )
    if report["profile"]:
        text += (
            f"\nProfile (py-spy, {report['profile_server']}, busy samples of the server processes "
            "during the message phase):\n\n" + profile.markdown(report["profile"]) + "\n"
        )
    with (BENCH_DIR / "RESULTS.md").open("a") as out:
        out.write(text)
    return text


def server_kinds(text):
    return [(kind, int(count)) for kind, count in (item.split(":") for item in text.split(","))]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=100)
    parser.add_argument("--messages", type=int, default=30, help="messages sent by each pair")
    parser.add_argument("--typing", type=int, default=10, help="typing frames per message in the typing run")
    parser.add_argument("--sockets", type=int, default=2000)
    parser.add_argument(
        "--compare", default="daphne:1,daphne:2,uvicorn:1,uvicorn:2", help="kind:processes,..."
    )
    parser.add_argument("--production", default="uvicorn:2", help="the set-up production uses")
    parser.add_argument("--profile-seconds", type=float, default=6)
    parser.add_argument(
        "--client",
        choices=("node", "python"),
        default="node",
        help="load generator: Node.js + ws (bench/chat_client) or Python websockets",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="while iterating: the production set-up only (messages, profiled unless --profile-seconds 0, "
        "then with typing unless --typing 0), no open-sockets phase, nothing written to RESULTS.md",
    )
    args = parser.parse_args(argv)
    if not settings.REDIS_URL:
        sys.exit("The chat benchmark needs Redis: set REDIS_URL.")
    call_command("migrate", verbosity=0, interactive=False)
    run_id = uuid.uuid4().hex[:8]
    pairs = create_pairs(args.pairs, run_id)
    ((kind, workers),) = server_kinds(args.production)
    plain = argparse.Namespace(messages=args.messages, typing=0, client=args.client)
    try:
        if args.quick:
            quick = measure(kind, workers, pairs, plain, profile_seconds=args.profile_seconds)
            if quick["profile"]:
                print(profile.markdown(quick["profile"]))
            if args.typing:
                measure(kind, workers, pairs, args)
            return None
        runs = [{"label": "messages", **measure(k, n, pairs, plain)} for k, n in server_kinds(args.compare)]
        profiled = measure(kind, workers, pairs, plain, profile_seconds=args.profile_seconds)
        runs.append({"label": "messages, under py-spy", **profiled})
        runs.append(
            {"label": f"messages + {args.typing} typing frames each", **measure(kind, workers, pairs, args)}
        )
        tokens = [token for pair in pairs for token in pair[1:]]
        sockets = measure_sockets(kind, tokens, args.sockets)
    finally:
        Thread.objects.filter(pk__in=[pair[0] for pair in pairs]).delete()
        User.objects.filter(username__startswith=f"bench-{run_id}-").delete()
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "pairs": args.pairs,
        "messages": args.messages,
        "client": (
            "one Node.js process (ws, bench/chat_client)" if args.client == "node" else "Python websockets"
        ),
        "runs": runs,
        "sockets": sockets,
        "profile": profiled["profile"],
        "profile_server": profiled["server"],
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"].rsplit(".", 1)[-1],
    }
    print(append_results(report))
    return report


if __name__ == "__main__":
    main()
