"""Security headers (issue 22): CSP on the admin and the Swagger page, Referrer-Policy and COOP on
every response; with the production settings (DEBUG=False, a child process) HSTS, the HTTPS
redirect behind Kong's X-Forwarded-Proto, and a clean ``manage.py check --deploy``."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def directives(response):
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_admin_gets_a_strict_policy_and_the_common_headers(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    # Nothing inline on the page that the policy would block.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.content.decode())


def test_the_swagger_page_allows_only_its_cdn_and_has_no_inline_script(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'", "https://cdn.jsdelivr.net"]
    assert policy["style-src"] == ["'self'", "https://cdn.jsdelivr.net", "'unsafe-inline'"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    start_script = re.search(r'<script src="(/api/docs/\?[^"]*script[^"]*)"', html).group(1)
    script = client.get(start_script.replace("&amp;", "&"))
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_json_answers_carry_the_policy_too(client):
    response = client.get("/api/health/live/")
    assert directives(response)["default-src"] == ["'self'"]
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


# --- production settings, in a child process --------------------------------------------------------

PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
def answer(path, **extra):
    response = client.get(path, **extra)
    return {"status": response.status_code, "headers": dict(response.headers)}
print(json.dumps({
    "https": answer("/admin/login/", secure=True),
    "kong_https": answer("/admin/login/", HTTP_X_FORWARDED_PROTO="https"),
    "plain_http": answer("/admin/login/"),
    "health_over_http": answer("/api/health/live/"),
}))
"""


def production_env(**overrides):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "designiaBackend.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/designia"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        "PAYMENT_GATEWAY": "stripe",
        "STRIPE_SECRET_KEY": "sk_test_x",
        "STRIPE_WEBHOOK_SECRET": "whsec_placeholder",
        "ALLOWED_HOSTS": "testserver,api.example.com",
    }
    env.update(overrides)
    return env


def probe(**overrides):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=production_env(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_manage_py_check_deploy_passes_on_the_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_sends_hsts_on_https_and_redirects_plain_http():
    answers = probe()

    for name in ("https", "kong_https"):  # TLS here, or at Kong (X-Forwarded-Proto: https)
        assert answers[name]["status"] == 200
        assert answers[name]["headers"]["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
        assert "script-src 'self'" in answers[name]["headers"]["Content-Security-Policy"]
        assert answers[name]["headers"]["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert answers[name]["headers"]["Cross-Origin-Opener-Policy"] == "same-origin"
    assert answers["plain_http"]["status"] == 301
    assert answers["plain_http"]["headers"]["Location"] == "https://testserver/admin/login/"
    assert "Strict-Transport-Security" not in answers["plain_http"]["headers"]
    # Health checks inside the network stay on plain HTTP.
    assert answers["health_over_http"]["status"] == 200


def test_the_proxy_header_and_hsts_follow_their_settings():
    answers = probe(SECURE_PROXY_SSL_HEADER="", SECURE_HSTS_SECONDS="600", SECURE_HSTS_PRELOAD="True")

    # Without a trusted proxy header, X-Forwarded-Proto is only a client's claim: redirected.
    assert answers["kong_https"]["status"] == 301
    assert (
        answers["https"]["headers"]["Strict-Transport-Security"] == "max-age=600; includeSubDomains; preload"
    )
