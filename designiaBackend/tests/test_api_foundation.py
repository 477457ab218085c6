import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db


def test_health_live(api_client):
    response = api_client.get("/api/health/live/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_ready_checks_every_backing_service(api_client):
    response = api_client.get("/api/health/ready/")
    assert response.status_code == 200
    expected = {"database": "ok", "storage": "ok"}
    if settings.REDIS_URL:
        expected["redis"] = "ok"
    assert response.json() == {"status": "ok", "checks": expected}


def test_health_ready_names_the_failing_part(api_client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = api_client.get("/api/health/ready/")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["redis"] == "failing"
    assert body["checks"]["database"] == "ok"
    assert "redis" in body["detail"]


def test_unknown_api_path_is_json_404(api_client):
    response = api_client.get("/api/does-not-exist/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "error": "Not found.", "code": "not_found"}


def test_cors_preflight_echoes_the_exact_origin_with_credentials(api_client):
    response = api_client.options(
        "/api/health/live/",
        HTTP_ORIGIN="http://localhost:5173",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="PATCH",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization,content-type",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5173"
    assert response["Access-Control-Allow-Credentials"] == "true"
    allowed_headers = response["Access-Control-Allow-Headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    for method in ("GET", "POST", "PATCH", "DELETE", "OPTIONS"):
        assert method in response["Access-Control-Allow-Methods"]


def test_cors_headers_on_error_responses(api_client):
    response = api_client.get("/api/does-not-exist/", HTTP_ORIGIN="http://localhost:5174")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "http://localhost:5174"


def test_cors_refuses_unknown_origin(api_client):
    response = api_client.get("/api/health/live/", HTTP_ORIGIN="http://evil.example")
    assert "Access-Control-Allow-Origin" not in response


def test_schema_and_docs_are_served(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert json.loads(schema.content)["openapi"].startswith("3.")
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger" in docs.content.lower()


def test_admin_login_page_is_served(client):
    assert client.get("/admin/login/").status_code == 200


@pytest.mark.parametrize(
    "env, problem",
    [
        ({}, "SECRET_KEY is the development default"),
        ({"SECRET_KEY": "x" * 50}, "the database is SQLite"),
        (
            {"SECRET_KEY": "x" * 50, "DATABASE_URL": "mysql://root@127.0.0.1/x"},
            "the channel layer is in-memory",
        ),
        (
            {
                "SECRET_KEY": "x" * 50,
                "DATABASE_URL": "mysql://root@127.0.0.1/x",
                "REDIS_URL": "redis://127.0.0.1:6379/0",
            },
            "the payment gateway is the dummy one",
        ),
    ],
)
def test_production_mode_refuses_embedded_defaults(env, problem):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "PAYMENT_GATEWAY"}
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**clean, "DEBUG": "False", "DJANGO_SETTINGS_MODULE": "designiaBackend.settings", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode != 0
    assert "Refusing to start with DEBUG=False" in result.stderr
    assert problem in result.stderr


def test_production_mode_starts_when_configured():
    env = {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": "x" * 50,
        "DATABASE_URL": "mysql://root@127.0.0.1/x",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "PAYMENT_GATEWAY": "stripe",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('ok')"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr
