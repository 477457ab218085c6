"""A real uvicorn process for the socket tests, started as production starts it (``--workers``,
uvloop, httptools), reading the test database and the session's channel-layer prefix."""

import os
import socket
import subprocess
import sys
import time

from bench.servers import uvicorn_options
from tests.fixtures.db import database_url_for_processes
from tests.fixtures.isolation import CHANNEL_LAYER_PREFIX
from tests.fixtures.processes import ROOT, LiveServer, free_port, xdist_index


def start_uvicorn(extra_env=None, workers=1):
    port = free_port()
    log_path = ROOT / f".pytest_cache/uvicorn-{xdist_index()}-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "CACHE_KEY_PREFIX": CHANNEL_LAYER_PREFIX,
        **(extra_env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        *uvicorn_options(workers),
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"uvicorn exited; see {log_path}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return LiveServer(process, port, log_path)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"uvicorn did not listen within 30 s; see {log_path}")
