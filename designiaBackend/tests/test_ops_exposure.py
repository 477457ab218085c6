"""The compose stacks are safe by default (issue 22): only Kong's proxy listens beyond this
machine, no password falls back to a default in the full stack, and cookies are secure unless
told otherwise."""

import re
from pathlib import Path

import pytest
import yaml

KONG_DIR = Path(__file__).resolve().parents[2] / "infrastructure" / "kong"
STACKS = {
    "kong": KONG_DIR / "docker-compose.kong.yml",
    "observability-only": KONG_DIR / "docker-compose.observability-only.yml",
}
LOOPBACK_BY_DEFAULT = "${OPS_BIND_ADDRESS:-127.0.0.1}:"
PUBLIC = {("kong", "kong"): ["8000:8000"]}  # the API gateway itself
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|BASIC_AUTH")


def services(stack):
    return yaml.safe_load(STACKS[stack].read_text())["services"]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_every_published_port_but_the_gateway_is_loopback_by_default(stack):
    for name, service in services(stack).items():
        for mapping in service.get("ports", []):
            if mapping in PUBLIC.get((stack, name), []):
                continue
            assert str(mapping).startswith((LOOPBACK_BY_DEFAULT, "127.0.0.1:")), f"{stack}/{name}: {mapping}"


def environments(stack):
    document = yaml.safe_load(STACKS[stack].read_text())
    for name, service in services(stack).items():
        yield name, service.get("environment") or {}
    yield "x-django-environment", document.get("x-django-environment", {})


def test_the_full_stack_takes_every_credential_from_the_environment():
    for name, environment in environments("kong"):
        for key, value in environment.items():
            if SECRET_NAME.search(key) and value:  # required (":?"), or optional and empty (":-")
                assert re.fullmatch(r"\$\{\w+(:\?[^}]+|:-)\}", str(value)), f"{name}: {key}={value}"
        if "DATABASE_URL" in environment:
            assert "${MARIADB_PASSWORD:?" in environment["DATABASE_URL"]


def test_grafana_keeps_admin_admin_only_in_the_local_observability_stack():
    local = services("observability-only")["grafana"]["environment"]
    assert local["GF_SECURITY_ADMIN_PASSWORD"] == "${GRAFANA_ADMIN_PASSWORD:-admin}"
    full = services("kong")["grafana"]["environment"]
    assert full["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD:?")
    assert full["GF_SECURITY_COOKIE_SECURE"] == "${GRAFANA_COOKIE_SECURE:-true}"


def test_django_cookies_are_secure_unless_told_otherwise():
    environment = dict(environments("kong"))["x-django-environment"]
    assert environment["DEBUG"] == "False"
    assert environment["SESSION_COOKIE_SECURE"] == "${SESSION_COOKIE_SECURE:-True}"
    assert environment["CSRF_COOKIE_SECURE"] == "${CSRF_COOKIE_SECURE:-True}"
