"""``ServiceView``: an endpoint that is one service call, declared instead of written out."""

from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class ServiceView(APIView):
    # ``method`` (post, patch or delete) validates the body with ``form`` (none: no body), calls
    # ``service`` with the URL's ids, the signed-in user as ``caller=`` (none: not passed) and the
    # form's fields, and answers ``respond(request, result, **ids)``. Its OpenAPI operation comes
    # from the same attributes: ``form`` is the request, ``responses`` the answers, ``tags``.
    # A view states only what is its own; ``call`` and ``respond`` are the hooks for what differs.
    # (A comment, not a docstring: drf-spectacular would print a docstring on every subclass.)
    method: ClassVar[str] = "post"
    form: ClassVar[type[serializers.Serializer] | None] = None
    service: ClassVar[Callable[..., Any]]
    caller: ClassVar[str | None] = "user"
    responses: ClassVar[dict] = {}
    tags: ClassVar[list[str] | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if hasattr(cls, "service"):  # a complete endpoint, not a base for a family of them
            setattr(cls, cls.method, cls._handle)
            extend_schema(tags=cls.tags, request=cls.form, responses=cls.responses)(cls)

    def _handle(self, request, **ids):
        data = {}
        if self.form is not None:
            form = self.form(data=request.data, context={"user": request.user})
            form.is_valid(raise_exception=True)
            data = form.validated_data
        return self.respond(request, self.call(request, data, **ids), **ids)

    def call(self, request, data: dict, **ids):
        caller = {self.caller: request.user} if self.caller else {}
        return type(self).service(**ids, **caller, **data)

    def respond(self, request, result, **ids) -> Response:
        raise NotImplementedError
