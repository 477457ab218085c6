"""Server processes for the benchmarks: free loopback ports, daphne or uvicorn started and awaited."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_log(name, port):
    """The server's output, kept for when a run goes wrong: <tmp>/designia-bench-<name>-<port>.log."""
    return open(Path(tempfile.gettempdir()) / f"designia-bench-{name}-{port}.log", "w")  # noqa: SIM115


def wait_for_port(process, port, name, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} did not listen on port {port} within {seconds} s")


def start_daphne(extra_env):
    """``daphne designiaBackend.asgi:application`` on a free loopback port; returns (process, port)."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "designiaBackend.asgi:application",
        ],
        cwd=ROOT,
        env={**os.environ, **extra_env},
        stdout=server_log("daphne", port),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(process, port, "daphne")
    return process, port


def start_uvicorn(extra_env, workers=1):
    """``uvicorn --workers N`` (uvloop, httptools, websockets) on a free loopback port, as production
    serves ``/ws/``; returns (process, port). The workers share the listening socket."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            *uvicorn_options(workers),
        ],
        cwd=ROOT,
        env={**os.environ, **extra_env},
        stdout=server_log("uvicorn", port),
        stderr=subprocess.STDOUT,
    )
    wait_for_port(process, port, "uvicorn")
    return process, port


def uvicorn_options(workers):
    """The production options (also in the README and the compose stack)."""
    return [
        "--workers",
        str(workers),
        "--loop",
        "uvloop",
        "--http",
        "httptools",
        "--ws",
        "websockets",
        "--no-access-log",
        "--lifespan",
        "off",
        # Compressing every small frame costs more CPU than it saves bytes.
        "--ws-per-message-deflate",
        "false",
        "--ws-max-size",
        str(1024 * 1024),
        "--timeout-graceful-shutdown",
        "10",
        "designiaBackend.asgi:application",
    ]


def production_env(extra_env=None):
    """What production sets for a server process (``DEBUG=False`` passes its start-up guard)."""
    return {
        "DEBUG": "False",
        # The caller's key when it signs tokens for the server (the chat benchmark does).
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY") or "bench-only-" + os.urandom(16).hex(),
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "False",  # plain HTTP on loopback, as behind the TLS-ending gateway
        "DB_CONN_MAX_AGE": "60",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }


def start_servers(kind, count, extra_env):
    """``count`` uvicorn workers behind one port, or ``count`` daphne instances on their own ports
    (a gateway would balance them). Returns (processes, ports)."""
    if kind == "uvicorn":
        process, port = start_uvicorn(extra_env, workers=count)
        return [process], [port]
    started = [start_daphne(extra_env) for _ in range(count)]
    return [process for process, _ in started], [port for _, port in started]


def stop(processes):
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def tree_rss_bytes(pid):
    """Resident memory of a process and its children (uvicorn's workers), from /proc."""
    pids = [pid] + [int(child) for child in _children(pid)]
    total = 0
    for each in pids:
        try:
            for line in Path(f"/proc/{each}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            continue
    return total


def _children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    found = path.read_text().split() if path.exists() else []
    return found + [grandchild for child in found for grandchild in _children(int(child))]


def named_pids(*names):
    """Pids of the processes with one of these command names (e.g. the database server's)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def cpu_seconds(pids):
    """User + system CPU time used so far by these processes and their children (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in {each for root in pids for each in [root, *map(int, _children(root))]}:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks
