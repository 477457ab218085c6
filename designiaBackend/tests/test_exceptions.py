"""The one error shape (contract §3) rendered by designiaBackend.api.exceptions."""

import json

import pytest
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from designiaBackend.errors import ApplicationError, ConflictError


class _Body(serializers.Serializer):
    email = serializers.EmailField()
    code = serializers.CharField(max_length=6)


def _render(raise_exc):
    class View(APIView):  # default (JWT) authentication: 401s carry WWW-Authenticate
        permission_classes = [AllowAny]

        def post(self, request):
            raise_exc(request)

    response = View.as_view()(APIRequestFactory().post("/x/", {}, format="json"))
    response.render()
    return response.status_code, json.loads(response.content)


def test_application_error_has_detail_error_and_code():
    class OutOfStock(ApplicationError):
        code = "out_of_stock"
        status = 409

    def boom(request):
        raise OutOfStock("Only 2 left in stock.")

    assert _render(boom) == (
        409,
        {"detail": "Only 2 left in stock.", "error": "Only 2 left in stock.", "code": "out_of_stock"},
    )


def test_application_error_with_machine_error_and_extra_keys():
    def boom(request):
        raise ApplicationError(
            "Your cart is empty.", code="empty_cart", error="EMPTY_CART", extra={"items": 0}
        )

    status, body = _render(boom)
    assert status == 400
    assert body == {"detail": "Your cart is empty.", "error": "EMPTY_CART", "code": "empty_cart", "items": 0}


def test_conflict_error_defaults():
    def boom(request):
        raise ConflictError()

    status, body = _render(boom)
    assert status == 409 and body["code"] == "conflict" and body["detail"]


def test_validation_errors_are_field_lists_without_generic_text():
    def boom(request):
        serializer = _Body(data={"email": "nope"})
        serializer.is_valid(raise_exception=True)

    status, body = _render(boom)
    assert status == 400
    assert list(body)[0] == "email"  # the client's "first key" reader shows a field error
    assert body["email"] == ["Enter a valid email address."]
    # A field named "code" keeps its list: the field error wins over the machine code.
    assert body["code"] == ["This field is required."]
    assert "detail" not in body and "message" not in body and "error" not in body


def test_validation_error_code_is_added_last():
    def boom(request):
        raise exceptions.ValidationError({"password": ["This password is too common."]})

    status, body = _render(boom)
    assert (status, body) == (400, {"password": ["This password is too common."], "code": "invalid"})
    assert list(body) == ["password", "code"]


def test_non_field_validation_error():
    def boom(request):
        raise exceptions.ValidationError("Passwords do not match.")

    assert _render(boom) == (400, {"non_field_errors": ["Passwords do not match."], "code": "invalid"})


def test_throttled_is_429_in_the_error_shape():
    def boom(request):
        raise exceptions.Throttled(wait=12)

    status, body = _render(boom)
    assert status == 429
    assert body["code"] == "throttled"
    assert "12 seconds" in body["detail"] and body["error"] == body["detail"]


def test_authentication_failure_is_401():
    def boom(request):
        raise exceptions.AuthenticationFailed("Token is invalid.")

    assert _render(boom) == (
        401,
        {"detail": "Token is invalid.", "error": "Token is invalid.", "code": "authentication_failed"},
    )


def test_unexpected_crash_is_a_json_500_without_internals(caplog):
    def boom(request):
        raise RuntimeError("SELECT secret FROM table")

    status, body = _render(boom)
    assert status == 500
    assert body == {
        "detail": "Internal server error.",
        "error": "Internal server error.",
        "code": "server_error",
    }
    assert "SELECT" not in json.dumps(body)
    assert "SELECT secret" in caplog.text  # logged for the operators


@pytest.mark.parametrize("django_exc, status", [("Http404", 404), ("PermissionDenied", 403)])
def test_django_exceptions_are_converted(django_exc, status):
    from django import http
    from django.core import exceptions as django_exceptions

    exc_class = getattr(http, django_exc, None) or getattr(django_exceptions, django_exc)

    def boom(request):
        raise exc_class()

    code, body = _render(boom)
    assert code == status
    assert set(body) == {"detail", "error", "code"}


@pytest.mark.parametrize(
    "error, status",
    [
        (("OperationalError", 2003, "Can't connect to MySQL server on '127.0.0.1'"), 503),
        (("OperationalError", 2006, "Server has gone away"), 503),
        (("OperationalError", 2013, "Lost connection to server during query"), 503),
        (("InterfaceError", 0, "(0, '')"), 503),
        # The server answered: a lock wait or a deadlock is no outage (and no reason to retry blind).
        (("OperationalError", 1205, "Lock wait timeout exceeded"), 500),
        (("OperationalError", 1213, "Deadlock found when trying to get lock"), 500),
    ],
)
def test_an_unreachable_database_is_503_database_unavailable_other_database_errors_500(error, status):
    from django import db

    name, number, text = error

    def boom(request):
        raise getattr(db, name)(number, text)

    code, body = _render(boom)
    assert code == status
    assert body["code"] == ("database_unavailable" if status == 503 else "server_error")
    assert set(body) == {"detail", "error", "code"}
