"""The one pagination helper: the §4.1 page (``PagePagination``, ``paginated``) and its OpenAPI
shape (``PageSerializer``, ``page_of``); ``LinkPagination`` for DRF's plain shape (chat history)."""

from collections.abc import Callable
from typing import Any

from rest_framework import pagination, serializers
from rest_framework.response import Response


class PagePagination(pagination.PageNumberPagination):
    """The page shape of contract §4.1, with DRF's ``next``/``previous`` links added.

    ``{count, page, page_size, num_pages, has_next, has_previous, next, previous, results}``
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_paginated_response(self, data):
        page = self.page
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "page_size": page.paginator.per_page,
                "num_pages": page.paginator.num_pages,
                "has_next": page.has_next(),
                "has_previous": page.has_previous(),
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        integer = {"type": "integer"}
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["count", "page", "page_size", "num_pages", "has_next", "has_previous", "results"],
            "properties": {
                "count": integer,
                "page": integer,
                "page_size": integer,
                "num_pages": integer,
                "has_next": {"type": "boolean"},
                "has_previous": {"type": "boolean"},
                "next": link,
                "previous": link,
                "results": schema,
            },
        }


class LinkPagination(pagination.PageNumberPagination):
    """DRF's plain page-number shape ``{count, next, previous, results}`` (chat history, E59)."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PageSerializer(serializers.Serializer):
    """One page of results, with its position among all pages."""

    count = serializers.IntegerField()
    page = serializers.IntegerField()
    page_size = serializers.IntegerField()
    num_pages = serializers.IntegerField()
    has_next = serializers.BooleanField()
    has_previous = serializers.BooleanField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)


def paginated(
    request: Any,
    view: Any,
    queryset: Any,
    present: Callable[[Any], Any] | None = None,
    *,
    serializer: Any = None,
    context: dict[str, Any] | None = None,
) -> Response:
    """The §4.1 page of ``queryset`` for ``request``: each item through ``present(item)``, or the
    page through ``serializer(page, many=True, context=context)``."""
    paginator = PagePagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    if serializer is not None:
        data = serializer(page, many=True, context=context or {}).data
    elif present is not None:
        data = [present(item) for item in page]
    else:
        raise TypeError("paginated() needs present or serializer")
    return paginator.get_paginated_response(data)


_PAGE_SERIALIZERS = {}


def page_of(item_serializer):
    """The §4.1 page shape around ``item_serializer`` for the schema (one class per item type)."""
    name = f"Paginated{item_serializer.__name__.removesuffix('Serializer')}List"
    if name not in _PAGE_SERIALIZERS:
        _PAGE_SERIALIZERS[name] = type(name, (PageSerializer,), {"results": item_serializer(many=True)})
    return _PAGE_SERIALIZERS[name]
