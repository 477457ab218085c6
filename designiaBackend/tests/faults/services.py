"""Services of the fault tests' own, on ports of their own (never the shared ones): a redis-server
and a MariaDB server the tests SIGKILL and start again, an SMTP sink that can stall, and Celery
workers started (and SIGKILLed) on the private Redis."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import MySQLdb
import redis

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """A redis-server process of this test: ``kill()`` (SIGKILL) and ``start()`` on the same port."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603 - the system's redis-server, our arguments
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(200):
            try:
                if client.ping():
                    return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("the private redis-server did not start")

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def client(self):
        return redis.Redis.from_url(self.url)


class PrivateMariaDB:
    """A MariaDB server of this test: its own data directory (``mariadb-install-db``), port and
    socket, root without a password. ``kill()`` (SIGKILL: a crash) and ``start()`` again on the same
    port: InnoDB recovers the committed transactions. The shared server on 3306 is never touched."""

    def __init__(self):
        # A short path of its own: a socket path must stay under 108 bytes.
        self.workdir = Path(tempfile.mkdtemp(prefix="faults-mariadb-"))
        self.datadir = self.workdir / "data"
        self.socket = self.workdir / "mariadb.sock"
        self.port = free_port()
        self.process = None
        self.log_path = self.workdir / "mariadbd.log"
        subprocess.run(  # noqa: S603 - the system's mariadb-install-db, our arguments
            [
                "mariadb-install-db",
                "--no-defaults",
                f"--datadir={self.datadir}",
                f"--user={self._user()}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
            ],
            check=True,
            capture_output=True,
        )

    @staticmethod
    def _user() -> str:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name

    def url(self, database: str) -> str:
        return f"mysql://root@127.0.0.1:{self.port}/{database}"

    def start(self):
        with open(self.log_path, "a") as log:
            self.process = subprocess.Popen(  # noqa: S603 - the system's mariadbd, our arguments
                [
                    shutil.which("mariadbd") or "/usr/sbin/mariadbd",
                    "--no-defaults",
                    f"--datadir={self.datadir}",
                    f"--socket={self.socket}",
                    f"--pid-file={self.workdir / 'mariadbd.pid'}",
                    f"--port={self.port}",
                    "--bind-address=127.0.0.1",
                    f"--user={self._user()}",
                    "--skip-name-resolve",
                    "--skip-log-bin",
                    "--innodb-buffer-pool-size=32M",
                    "--max-connections=100",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                self.connect().close()
                return
            except MySQLdb.OperationalError:
                time.sleep(0.1)
        raise RuntimeError(f"the private mariadbd did not start:\n{self.log_path.read_text()[-3000:]}")

    def connect(self, database: str | None = None):
        options = {"db": database} if database else {}
        return MySQLdb.connect(host="127.0.0.1", port=self.port, user="root", charset="utf8mb4", **options)

    def load(self, database: str, dump: bytes) -> None:
        """Create ``database`` and run the SQL ``dump`` into it."""
        connection = self.connect()
        connection.cursor().execute(f"CREATE DATABASE `{database}` CHARACTER SET utf8mb4")
        connection.close()
        subprocess.run(  # noqa: S603 - the system's mariadb client, our arguments
            ["mariadb", "--no-defaults", "-h127.0.0.1", f"-P{self.port}", "-uroot", database],
            input=dump,
            check=True,
            capture_output=True,
        )

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


def forget_result_backend(celery_app):
    celery_app._backend_cache = None
    celery_app._local.__dict__.pop("backend", None)


def start_worker(private_redis, prefix, sink, log_path, queues="email_tasks", **extra_env):
    from tests.fixtures.db import database_url_for_processes

    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_processes(),
        "REDIS_URL": private_redis.url,
        "CELERY_BROKER_URL": private_redis.url,
        "CELERY_RESULT_BACKEND": private_redis.url,
        "CELERY_KEY_PREFIX": prefix,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT_SECONDS": "2",  # a killed worker's task comes back at once here
        "CACHE_KEY_PREFIX": f"{prefix}cache",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "120",
        **extra_env,
    }
    command = [sys.executable, "-m", "celery", "-A", "designiaBackend", "worker", "-Q", queues]
    command += [
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "info",
        "-n",
        f"faults-{time.time_ns()}@%h",
    ]
    return subprocess.Popen(  # noqa: S603 - our interpreter and arguments
        command, cwd=ROOT, env=env, stdout=open(log_path, "a"), stderr=subprocess.STDOUT  # noqa: SIM115
    )


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"{what} within {seconds} s")


def dump_test_database() -> bytes:
    """The test database (its migrated schema and the rows this test committed) as SQL."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    command = ["mariadb-dump", "--no-defaults", "--single-transaction", "--skip-triggers"]
    command += [f"-h{db['HOST'] or '127.0.0.1'}", f"-P{db['PORT'] or 3306}", f"-u{db['USER']}", db["NAME"]]
    env = {**os.environ, "MYSQL_PWD": db.get("PASSWORD") or ""}
    return subprocess.run(command, check=True, capture_output=True, env=env).stdout  # noqa: S603
