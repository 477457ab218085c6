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
PUBLIC = {("kong", "kong"): ["8000:8000", "8443:8443"]}  # the API gateway itself (HTTP, TLS)
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


def test_kong_listens_for_tls_and_trusts_a_proxy_only_when_told():
    """HSTS on the Kong path: Django sends it only for requests it sees as HTTPS, that is by the
    X-Forwarded-Proto Kong sends. Kong says "https" for its own TLS listener, and keeps a proxy's
    header only from KONG_TRUSTED_IPS (empty by default: it overwrites the header from anyone)."""
    kong = services("kong")["kong"]
    environment = kong["environment"]
    listeners = [part.split() for part in environment["KONG_PROXY_LISTEN"].split(",")]
    assert ["0.0.0.0:8000"] in listeners
    assert any(words[0] == "0.0.0.0:8443" and "ssl" in words[1:] for words in listeners), listeners
    assert "8443:8443" in kong["ports"]
    assert environment["KONG_SSL_CERT"] == "${KONG_SSL_CERT:-}"
    assert environment["KONG_SSL_CERT_KEY"] == "${KONG_SSL_CERT_KEY:-}"
    assert environment["KONG_TRUSTED_IPS"] == "${KONG_TRUSTED_IPS:-}"
    assert environment["KONG_REAL_IP_HEADER"] == "${KONG_REAL_IP_HEADER:-X-Forwarded-For}"
    assert environment["KONG_REAL_IP_RECURSIVE"] == "on"


def test_django_behind_kong_trusts_the_forwarded_proto_and_counts_the_proxies_from_the_environment():
    environment = dict(environments("kong"))["x-django-environment"]
    # The production default of SECURE_PROXY_SSL_HEADER is X-Forwarded-Proto: https; the stack
    # must not switch it off (an empty value would make every request plain HTTP, without HSTS).
    assert "SECURE_PROXY_SSL_HEADER" not in environment
    assert environment["NUM_PROXIES"] == "${NUM_PROXIES:-1}"
    assert "https://localhost:8443" in environment["CSRF_TRUSTED_ORIGINS"]


def test_every_kong_route_accepts_https():
    config = yaml.safe_load((KONG_DIR / "kong.yml").read_text())
    for service in config["services"]:
        for route in service["routes"]:
            assert "https" in route.get("protocols", ["http", "https"]), route["name"]


def test_kong_readme_documents_tls_termination():
    readme = (KONG_DIR / "README.md").read_text()
    section = readme.split("## TLS and HSTS", 1)[1].split("\n## ", 1)[0]
    for name in ("KONG_SSL_CERT", "KONG_TRUSTED_IPS", "NUM_PROXIES", "SECURE_PROXY_SSL_HEADER", "8443"):
        assert name in section, name


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_grafana_cookies_are_secure_unless_told_otherwise(stack):
    environment = services(stack)["grafana"]["environment"]
    assert environment["GF_SECURITY_COOKIE_SECURE"] == "${GRAFANA_COOKIE_SECURE:-true}"
