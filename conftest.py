"""The root conftest only loads the fixture plugins in ``tests/fixtures/``, one module per concern.

- ``isolation``: every test gets its own cache key prefix and its own media folders.
- ``clients``: ``api_client`` / ``auth_client(user)``, DRF clients whose requests run the
  request's ``transaction.on_commit`` callbacks, as a real request would after its commit.
- ``s3``: ``s3_storage``, storage switched to a real S3 API server (moto in server mode, over HTTP).
- ``stripe``: ``fake_stripe``, Stripe's API faked at the HTTP boundary.
- ``processes``: ``celery_worker``, a real Celery worker process on Redis, and
  ``live_asgi_server`` / ``start_daphne()``, a real daphne, both reading this test database.
- ``ci``: under CI a skipped test is a failure; the hypothesis profiles (``ci``: the full examples).
- ``pricing``: no ``DEFAULT_SHIPPING_COUNTRY`` unless a test asks for ``default_shipping_country``.

New shared fixtures go into the plugin of their concern (or a new plugin listed here).
Test modules import helpers from the plugins; the names below stay importable from
``conftest`` for the tests that already do so.
"""

import importlib

pytest_plugins = [
    "tests.fixtures.isolation",
    "tests.fixtures.clients",
    "tests.fixtures.db",
    "tests.fixtures.processes",
    "tests.fixtures.s3",
    "tests.fixtures.stripe",
    "tests.fixtures.ci",
    "tests.fixtures.pricing",
]

# Helpers that tests import from ``conftest`` (``from conftest import start_daphne``): looked up in
# their plugin when asked for, so pytest imports each plugin first (and rewrites its asserts).
_MOVED = {
    "STRIPE_TEST_CONNECT_WEBHOOK_SECRET": ("tests.fixtures.stripe", "STRIPE_TEST_CONNECT_WEBHOOK_SECRET"),
    "STRIPE_TEST_WEBHOOK_SECRET": ("tests.fixtures.stripe", "STRIPE_TEST_WEBHOOK_SECRET"),
    "_database_url_for_worker": ("tests.fixtures.db", "database_url_for_processes"),
    "bearer_for": ("tests.fixtures.clients", "bearer_for"),
    "start_daphne": ("tests.fixtures.processes", "start_daphne"),
}


def __getattr__(name):
    if name not in _MOVED:
        raise AttributeError(f"module 'conftest' has no attribute {name!r}")
    module, attribute = _MOVED[name]
    return getattr(importlib.import_module(module), attribute)
