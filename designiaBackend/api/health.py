"""Liveness and readiness probes."""

import logging

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

logger = logging.getLogger(__name__)

_health_response = inline_serializer(
    "Health",
    {
        "status": serializers.CharField(),
        "checks": serializers.DictField(child=serializers.CharField(), required=False),
        "detail": serializers.CharField(required=False),
    },
)


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_redis():
    cache.set("health:ping", "pong", 10)
    if cache.get("health:ping") != "pong":
        raise RuntimeError("cache round trip failed")


def _check_storage():
    default_storage.exists("health-check")


class LiveView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: _health_response}, tags=["health"])
    def get(self, request):
        return Response({"status": "ok"})


def readiness_checks() -> dict[str, str]:
    """Each backing service's state, ``ok`` or ``failing``: the readiness probe's answer and the
    ``designia_dependency_up`` metric (designiaBackend/observability/ops_metrics.py)."""
    checks = {"database": _check_database, "storage": _check_storage}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    results = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready"
            logger.warning("Readiness check %s failed: %s", name, exc)
            results[name] = "failing"
    return results


class ReadyView(APIView):
    authentication_classes: list[type] = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: _health_response, 503: _health_response}, tags=["health"])
    def get(self, request):
        results = readiness_checks()
        failing = [name for name, state in results.items() if state != "ok"]
        if failing:
            return Response(
                {
                    "status": "unavailable",
                    "detail": f"Not ready: {', '.join(failing)} failing.",
                    "checks": results,
                },
                status=503,
            )
        return Response({"status": "ok", "checks": results})
