"""The single-host recipe's nginx (infrastructure/nginx/designia.conf) in front of a gunicorn with
ONE sync worker: clients that stall half-way through a request hold nginx connections, and a
normal request still gets its answer from the worker."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.nginx import NGINX, RECIPE, nginx_config

ROOT = Path(__file__).resolve().parents[2]
CONFIG = RECIPE


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


@pytest.fixture
def proxied_gunicorn(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is needed for the single-host recipe's test (apt-get install nginx-light)")
    api_port, ws_port, proxy_port = _free_port(), _free_port(), _free_port()
    config = nginx_config(tmp_path, api_port=api_port, ws_port=ws_port, proxy_port=proxy_port)
    env = {**os.environ, "PORT": str(api_port), "GUNICORN_WORKERS": "1", "GUNICORN_THREADS": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    gunicorn = subprocess.Popen(  # noqa: S603 - our interpreter, our arguments
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "infrastructure/gunicorn/gunicorn.conf.py",
            "designiaBackend.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    nginx = subprocess.Popen(  # noqa: S603 - the system's nginx on a config of this test
        [NGINX, "-p", str(tmp_path), "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_port(api_port, gunicorn)
        _wait_for_port(proxy_port, nginx)
        yield api_port, proxy_port
    finally:
        for process in (nginx, gunicorn):
            process.terminate()
            process.wait(timeout=30)


def _stall(port) -> socket.socket:
    """A client that sends the headers and a tenth of its body, then nothing."""
    client = socket.create_connection(("127.0.0.1", port), timeout=5)
    client.sendall(
        b"POST /api/auth/login/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n" + b"{" * 100
    )
    return client


def _get_live(port, timeout) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as client:
        client.sendall(b"GET /api/health/live/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := client.recv(65536):
            answer += chunk
        return answer


def test_stalled_clients_do_not_hold_the_only_worker_behind_nginx(proxied_gunicorn):
    api_port, proxy_port = proxied_gunicorn
    assert _get_live(proxy_port, timeout=30).startswith(b"HTTP/1.1 200")

    stalled = [_stall(proxy_port) for _ in range(4)]
    try:
        # The worker never sees the half-sent requests: a normal one is answered meanwhile
        # (straight to gunicorn, the same request would wait behind the first stalled client).
        answer = _get_live(proxy_port, timeout=20)
    finally:
        for client in stalled:
            client.close()

    assert answer.startswith(b"HTTP/1.1 200")
    assert b'"status":"ok"' in answer.replace(b" ", b"")


def test_nginx_accepts_the_recipe(tmp_path):
    if not Path(NGINX).exists():
        pytest.fail("nginx is needed for the single-host recipe's test (apt-get install nginx-light)")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\nclient_body_temp_path {tmp_path}/body;\nproxy_temp_path {tmp_path}/proxy;\n"
        f"include {CONFIG};\n}}\n"
    )
    check = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
