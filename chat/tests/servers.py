"""A real uvicorn process for the socket tests, started as production starts it (``--workers``,
uvloop, httptools), reading the test database and the session's channel-layer prefix."""

from bench.servers import uvicorn_options
from tests.fixtures.processes import start_server_process


def start_uvicorn(extra_env=None, workers=1):
    return start_server_process(
        "uvicorn",
        lambda port: ["--host", "127.0.0.1", "--port", str(port), *uvicorn_options(workers)],
        extra_env,
    )
