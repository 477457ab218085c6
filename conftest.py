"""Fixtures shared by every app's tests.

- ``api_client`` / ``auth_client(user)``: DRF clients whose requests run the request's
  ``transaction.on_commit`` callbacks, as a real request would after its commit.
- every test gets its own cache key prefix and its own media folders.
- ``s3_storage``: storage switched to a real S3 API server (moto in server mode, over HTTP).
- ``celery_worker``: a real Celery worker process on Redis, reading this test database.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.test import TestCase
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from designiaBackend.celery import app as celery_app

ROOT = Path(__file__).resolve().parent


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def xdist_index():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return int(worker.removeprefix("gw") or 0)


# --- isolation --------------------------------------------------------------------------------


@pytest.fixture(autouse=True, scope="session")
def _celery_inline():
    """Tasks run inline in tests unless a test asks for the real worker."""
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _celery_join_allowed():
    """Celery keeps "result.get() would block" in a process-wide flag that each eager call sets
    and restores; eager tasks run by concurrent threads (the checkout races) can restore it in the
    wrong order and leave it set. Every test starts from the state of a plain process."""
    _set_task_join_will_block(False)


# Channel-layer groups carry database ids (``chat.thread.<id>``) and every test session (each
# xdist worker too) numbers its rows from 1: each session gets its own Redis prefix for the
# channel layer, shared with the daphne processes it starts.
CHANNEL_LAYER_PREFIX = f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(autouse=True, scope="session")
def _isolated_channel_layer():
    from channels.layers import channel_layers

    layer = settings.CHANNEL_LAYERS["default"]
    if layer["BACKEND"] == "channels_redis.core.RedisChannelLayer":
        config = {**layer["CONFIG"], "prefix": f"{CHANNEL_LAYER_PREFIX}:asgi"}
        settings.CHANNEL_LAYERS = {**settings.CHANNEL_LAYERS, "default": {**layer, "CONFIG": config}}
        channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    caches = {alias: dict(config) for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    if settings.USE_S3:
        return
    storages = {
        alias: {**config, "OPTIONS": dict(config.get("OPTIONS", {}))}
        for alias, config in settings.STORAGES.items()
    }
    storages["default"]["OPTIONS"]["location"] = str(tmp_path / "media")
    storages["private"]["OPTIONS"]["location"] = str(tmp_path / "private")
    settings.STORAGES = storages
    settings.MEDIA_ROOT = tmp_path / "media"


# --- HTTP clients ------------------------------------------------------------------------------


class CommittingAPIClient(APIClient):
    """Each request runs the on_commit callbacks it registered, as after a real commit."""

    def request(self, **kwargs):
        with TestCase.captureOnCommitCallbacks(execute=True):
            return super().request(**kwargs)


@pytest.fixture
def api_client():
    return CommittingAPIClient()


def bearer_for(user):
    return f"Bearer {RefreshToken.for_user(user).access_token}"


@pytest.fixture
def auth_client():
    """``auth_client(user)``: a client that sends the user's access JWT on every request."""

    def make(user):
        client = CommittingAPIClient()
        client.credentials(HTTP_AUTHORIZATION=bearer_for(user))
        client.user = user
        return client

    return make


# --- S3 (moto server) ----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3_server():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_storage(settings, s3_server):
    """Public and private storage on a fresh bucket of the moto S3 server. Yields a boto3 client."""
    import boto3

    bucket = f"designia-test-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=bucket)
    common = {
        "bucket_name": bucket,
        "endpoint_url": s3_server,
        "access_key": "testing",
        "secret_key": "testing",
        "region_name": "us-east-1",
        "addressing_style": "path",
        "signature_version": "s3v4",
        "file_overwrite": False,
        "default_acl": None,
    }
    settings.USE_S3 = True
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.STORAGES = {
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "media", "querystring_auth": True, "querystring_expire": 3600},
        },
        "private": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**common, "location": "private", "querystring_auth": True, "querystring_expire": 300},
        },
        "staticfiles": settings.STORAGES["staticfiles"],
    }
    client.bucket = bucket
    return client


# --- Stripe (a local fake server over HTTP) -----------------------------------------------------------

STRIPE_TEST_WEBHOOK_SECRET = "whsec_test_platform"
STRIPE_TEST_CONNECT_WEBHOOK_SECRET = "whsec_test_connect"


@pytest.fixture(scope="session")
def _fake_stripe_server():
    from payment_system.tests.fake_stripe import FakeStripe

    server = FakeStripe().start()
    yield server
    server.stop()


@pytest.fixture
def fake_stripe(_fake_stripe_server, settings):
    """Stripe's API faked at the HTTP boundary; the app is configured to use the Stripe gateway."""
    _fake_stripe_server.reset()
    settings.PAYMENT_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_fake"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_fake"
    settings.STRIPE_API_BASE = _fake_stripe_server.url
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_TEST_WEBHOOK_SECRET
    settings.STRIPE_CONNECT_WEBHOOK_SECRET = STRIPE_TEST_CONNECT_WEBHOOK_SECRET
    yield _fake_stripe_server
    _fake_stripe_server.reset()


# --- Celery worker ---------------------------------------------------------------------------------


def _database_url_for_worker():
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.mysql":
        password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
        return f"mysql://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 3306}/{db['NAME']}"
    return f"sqlite:///{db['NAME']}"


WORKER_START_SECONDS = 180  # generous: the 2-core CI machine may be busy with the other xdist worker


@pytest.fixture(scope="session")
def _celery_worker_process(django_db_setup):
    if not settings.REDIS_URL:
        pytest.fail("The real Celery worker tests need Redis: set REDIS_URL (make test does).")
    # A key prefix of its own: other test sessions sharing this Redis never see its tasks.
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    broker = settings.REDIS_URL
    celery_app.conf.broker_url = broker
    celery_app.conf.result_backend = broker
    celery_app.conf.broker_transport_options = {"global_keyprefix": prefix}
    # Eager .delay() calls made earlier in the session built producer pools on the old broker
    # settings (no key prefix): drop them so tasks and pings use the settings above.
    celery_app._pool = None
    if "amqp" in celery_app.__dict__:
        celery_app.amqp._producer_pool = None
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": broker,
        "CELERY_KEY_PREFIX": prefix,
        # Its own cache namespace too: nothing left in Redis by earlier runs can reach it.
        "CACHE_KEY_PREFIX": f"{prefix}cache",
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    (ROOT / ".pytest_cache").mkdir(exist_ok=True)
    log = open(ROOT / f".pytest_cache/celery-worker-{os.getpid()}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "designiaBackend",
            "worker",
            "-Q",
            "payment_tasks,marketplace_tasks",
            "--pool=threads",
            "--concurrency=4",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
            "-n",
            f"test-{xdist_index()}-{uuid.uuid4().hex[:6]}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + WORKER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The Celery worker exited; see {log.name}")
        if celery_app.control.ping(timeout=1):
            break
    else:
        process.terminate()
        pytest.fail(f"The Celery worker did not answer within {WORKER_START_SECONDS} s; see {log.name}")
    process.cache_prefix = env["CACHE_KEY_PREFIX"]
    yield process
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture
def celery_worker(_celery_worker_process, transactional_db):
    """A live worker for this test: tasks go through Redis and see committed data.

    ``celery_worker.cache_prefix`` is the worker's cache key prefix, for a test whose data must
    meet the worker in the cache (``settings.CACHES``).
    """
    celery_app.conf.task_always_eager = False
    yield _celery_worker_process
    celery_app.conf.task_always_eager = True


# --- live ASGI server (daphne) -----------------------------------------------------------------------


class LiveServer:
    def __init__(self, process, port, log_path):
        self.process, self.port, self.log_path = process, port, log_path
        self.http_url = f"http://localhost:{port}"
        self.ws_url = f"ws://localhost:{port}"

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_daphne(extra_env=None):
    """Start ``daphne designiaBackend.asgi:application`` on a free port, reading the test database."""
    port = free_port()
    log_path = ROOT / f".pytest_cache/daphne-{xdist_index()}-{port}.log"
    log_path.parent.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url_for_worker(),
        "CACHE_KEY_PREFIX": CHANNEL_LAYER_PREFIX,  # the channel layer's prefix: see above
        **(extra_env or {}),
    }
    with open(log_path, "w") as log:
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
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"daphne exited; see {log_path}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return LiveServer(process, port, log_path)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"daphne did not listen within 30 s; see {log_path}")


@pytest.fixture(scope="session")
def _daphne_server(django_db_setup):
    server = start_daphne()
    yield server
    server.stop()


@pytest.fixture
def live_asgi_server(_daphne_server, transactional_db):
    """A real daphne process serving this test database (data must be committed: transactional)."""
    return _daphne_server


# --- CI runs every test ----------------------------------------------------------------------------------


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI (``CI`` set, as .ci/run has it) a skipped test is a failure: every test must run there."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"Skipped under CI, where every test must run: {report.longrepr}"
