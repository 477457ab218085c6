"""Property-based run of every operation in /api/schema/ (schemathesis), in-process over WSGI.

Bounded: a fixed number of examples per operation, derandomised so CI runs are repeatable; once
anonymous and once as a signed-in seller who is also staff (so seller and staff endpoints are
reached). Fails on any 5xx and on any response whose status, content type or body does not
match the schema. Every endpoint joins this run by being in the schema.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from authentication.tests.factories import UserFactory
from conftest import bearer_for
from designiaBackend.wsgi import application
from infrastructure.exchange_rates.fixed import FixedRateProvider
from payment_system.rates.services import exchange_rates_update

EXAMPLES_PER_OPERATION = 6
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

fuzz_settings = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Like Django's test client: a request must not close the connection holding the test's
    transaction (the WSGI app is called directly, so the request signals fire)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def _exchange_rates_loaded(db):
    """A running system has the nightly rates; without them the rates endpoint rightly answers 503."""
    exchange_rates_update(provider=FixedRateProvider())


@pytest.fixture
def staff_seller(db):
    return UserFactory(role="seller", is_staff=True, two_factor_enabled=True)


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_api_anonymous(case):
    case.call_and_validate(checks=CHECKS)


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings
def test_api_authenticated(case, staff_seller):
    case.call_and_validate(headers={"Authorization": bearer_for(staff_seller)}, checks=CHECKS)
