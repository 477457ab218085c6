"""The production processes, started for the ops tests: gunicorn (the API), uvicorn (sockets: the
compose stack's ``ws`` command), a prefork Celery worker with its metrics port, Flower, Celery
beat and a real Prometheus.

Every process reads the test database and shares one Redis broker prefix and cache prefix, so
tasks, socket events and the metrics read from the cache meet as in production; each Django
component keeps its multi-process metrics files in its own directory, as each container does.
"""

import contextlib
import json
import os
import shlex
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import urlopen

import yaml

from conftest import _database_url_for_worker
from designiaBackend.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[3]
PROMETHEUS_CONFIG = ROOT / "infrastructure/prometheus/prometheus.yml"
COMPOSE_FILE = ROOT / "infrastructure/kong/docker-compose.kong.yml"
ALERT_RULES = sorted((ROOT / "infrastructure/prometheus/alerts").glob("*.rules.yml"))
START_SECONDS = 90
FLOWER_CREDENTIALS = "ops:flower-test-password"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class Stack:
    """Shared settings of the processes; ``start`` launches one more."""

    workdir: Path
    broker_url: str
    env: dict[str, str] = field(default_factory=dict)
    processes: list[Process] = field(default_factory=list)

    @classmethod
    def create(cls, workdir: Path, redis_url: str, extra_env: dict[str, str]) -> "Stack":
        prefix = f"ops-{uuid.uuid4().hex[:10]}"
        env = {
            **os.environ,
            "DATABASE_URL": _database_url_for_worker(),
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_KEY_PREFIX": f"{prefix}:",
            "CACHE_KEY_PREFIX": prefix,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        return cls(workdir=workdir, broker_url=redis_url, env=env)

    @property
    def key_prefix(self) -> str:
        return self.env["CELERY_KEY_PREFIX"]

    def start(
        self,
        name: str,
        command: list[str],
        *,
        port: int,
        env: dict[str, str | None] | None = None,
        wait: bool = True,
    ) -> Process:
        """Start ``command`` with the shared environment plus ``env`` (a ``None`` value unsets)."""
        log_path = self.workdir / f"{name}.log"
        merged = {**self.env, **(env or {})}
        environment = {key: value for key, value in merged.items() if value is not None}
        with open(log_path, "w") as log:
            process = subprocess.Popen(  # noqa: S603 - fixed commands of this test suite
                command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT
            )
        started = Process(name, process, port, log_path)
        self.processes.append(started)
        if wait:
            wait_for_port(started)
        return started

    def metrics_dir(self, component: str) -> str:
        path = self.workdir / f"metrics-{component}"
        path.mkdir(exist_ok=True)
        return str(path)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop()


def wait_for_port(process: Process, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited:\n{process.log_tail()}")
        try:
            socket.create_connection(("127.0.0.1", process.port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{process.name} did not listen on {process.port}:\n{process.log_tail()}")


def celery_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "designiaBackend", *args]


def start_gunicorn(stack: Stack) -> Process:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "-c", "infrastructure/gunicorn/gunicorn.conf.py"]
    command += ["designiaBackend.wsgi:application"]
    env = {"PORT": str(port), "GUNICORN_WORKERS": "2", "PROMETHEUS_MULTIPROC_DIR": stack.metrics_dir("api")}
    return stack.start("gunicorn", command, port=port, env=env)


def compose_command(service: str, replacements: dict[str, str]) -> list[str]:
    """A service's command in the compose stack, with its host, port and variables replaced."""
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    command = str(compose["services"][service]["command"])
    for old, new in replacements.items():
        command = command.replace(old, new)
    assert "${" not in command, command
    return shlex.split(command)


def start_websockets(stack: Stack) -> Process:
    """The ``ws`` service exactly as the compose stack runs it (uvicorn, two worker processes)."""
    port = free_port()
    command = compose_command(
        "ws", {"${WS_WORKERS:-2}": "2", "--host 0.0.0.0": "--host 127.0.0.1", "--port 8001": f"--port {port}"}
    )
    command = [sys.executable, "-m", *command]
    return stack.start("ws", command, port=port, env={"PROMETHEUS_MULTIPROC_DIR": stack.metrics_dir("ws")})


def start_worker(stack: Stack, env: dict[str, str] | None = None) -> Process:
    """The compose stack's worker: both queues, task events (-E), its metrics on its own port."""
    port = free_port()
    command = celery_command(
        "worker", "-Q", "payment_tasks,marketplace_tasks,email_tasks", "-E", "-l", "info"
    )
    command += ["--pool=prefork", "--concurrency=1", "-n", f"ops-{uuid.uuid4().hex[:6]}@%h"]
    worker_env = {
        "PROMETHEUS_MULTIPROC_DIR": stack.metrics_dir("worker"),
        "CELERY_METRICS_PORT": str(port),
        **(env or {}),
    }
    return stack.start("worker", command, port=port, env=worker_env)


def start_flower(stack: Stack) -> Process:
    """``make flower``'s command on a free port. Flower serves its own registry: no multi-process
    directory (prometheus_client would switch to multi-process mode even for an empty value)."""
    port = free_port()
    command = celery_command("flower", f"--port={port}", "--address=127.0.0.1")
    env = {"PROMETHEUS_MULTIPROC_DIR": None, "FLOWER_BASIC_AUTH": FLOWER_CREDENTIALS}  # as in compose
    return stack.start("flower", command, port=port, env=env)


def start_beat(stack: Stack) -> Process:
    schedule = stack.workdir / "celerybeat-schedule"
    command = celery_command("beat", "-l", "debug", "--schedule", str(schedule), "--max-interval", "1")
    return stack.start("beat", command, port=0, wait=False)


@contextlib.contextmanager
def celery_broker(broker_url: str, key_prefix: str) -> Iterator[None]:
    """This process's Celery app sends through ``broker_url`` under ``key_prefix``, not eagerly, meanwhile."""
    conf = celery_app.conf
    saved = (conf.broker_url, conf.result_backend, conf.broker_transport_options, conf.task_always_eager)

    def use(broker: str, result_backend: str, options: dict[str, str], eager: bool) -> None:
        conf.broker_url, conf.result_backend = broker, result_backend
        conf.broker_transport_options, conf.task_always_eager = options, eager
        celery_app._pool = None  # producers built on the previous settings
        if "amqp" in celery_app.__dict__:
            celery_app.amqp._producer_pool = None

    use(broker_url, broker_url, {"global_keyprefix": key_prefix}, False)
    try:
        yield
    finally:
        use(*saved)


def through_stack_broker(stack: Stack) -> contextlib.AbstractContextManager[None]:
    """Tasks sent from this process reach the stack's worker."""
    return celery_broker(stack.broker_url, stack.key_prefix)


def wait_for_worker(worker: Process, seconds: float = START_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"the worker exited:\n{worker.log_tail()}")
        if celery_app.control.ping(timeout=0.5):
            return
    raise RuntimeError(f"the worker did not answer:\n{worker.log_tail()}")


# --- Prometheus ------------------------------------------------------------------------------------


def prometheus_config(targets: dict[str, str], token_file: Path, port: int) -> dict[str, Any]:
    """The project's scrape config with the compose hosts replaced by this test's processes.

    ``targets`` maps a compose address (``api:8000``) to a local one; jobs whose targets all lack
    a local process (Kong) are dropped. The alert rules are loaded as in production.
    """
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    config["global"] = {"scrape_interval": "1s", "evaluation_interval": "1s", "scrape_timeout": "1s"}
    config["rule_files"] = [str(path) for path in ALERT_RULES]
    config.pop("alerting", None)
    jobs = []
    for job in config["scrape_configs"]:
        statics = []
        for static in job["static_configs"]:
            local = [targets.get(target) for target in static["targets"]]
            if job["job_name"] == "prometheus":
                local = [f"127.0.0.1:{port}"]
            if all(local):
                statics.append({**static, "targets": local})
        if statics:
            if "authorization" in job:
                job["authorization"] = {**job["authorization"], "credentials_file": str(token_file)}
            jobs.append({**job, "static_configs": statics})
    config["scrape_configs"] = jobs
    return config


def start_prometheus(stack: Stack, targets: dict[str, str], token: str) -> Process:
    port = free_port()
    token_file = stack.workdir / "metrics_token"
    token_file.write_text(token)
    config_path = stack.workdir / "prometheus.yml"
    config_path.write_text(yaml.safe_dump(prometheus_config(targets, token_file, port)))
    command = [
        "prometheus",
        f"--config.file={config_path}",
        f"--storage.tsdb.path={stack.workdir / 'tsdb'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    return stack.start("prometheus", command, port=port)


def prometheus_api(prometheus: Process, path: str, **params: str) -> Any:
    query = f"?{urlencode(params)}" if params else ""
    with urlopen(f"{prometheus.url}/api/v1/{path}{query}", timeout=10) as response:  # noqa: S310
        body = json.loads(response.read())
    assert body["status"] == "success", body
    return body["data"]


def wait_for_scrapes(prometheus: Process, jobs: set[str], seconds: float = 60) -> None:
    """Until every job's targets are up (``up == 1``)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            targets = prometheus_api(prometheus, "targets")["activeTargets"]
        except (URLError, ConnectionError):
            targets = []
        healthy = {target["labels"]["job"] for target in targets if target["health"] == "up"}
        if jobs <= healthy:
            return
        time.sleep(0.5)
    raise AssertionError(f"Prometheus did not scrape {jobs}: {json.dumps(targets, indent=1)[:3000]}")
