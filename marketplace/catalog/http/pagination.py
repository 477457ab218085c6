"""The §4.1 page: paginating a list view and its OpenAPI shape."""

from designiaBackend.api.pagination import PagePagination, PageSerializer


def paginated(request, view, queryset, present):
    paginator = PagePagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response([present(item) for item in page])


_PAGE_SERIALIZERS = {}


def page_of(item_serializer):
    """The §4.1 page shape around ``item_serializer`` for the schema (one class per item type)."""
    name = f"Paginated{item_serializer.__name__.removesuffix('Serializer')}List"
    if name not in _PAGE_SERIALIZERS:
        _PAGE_SERIALIZERS[name] = type(name, (PageSerializer,), {"results": item_serializer(many=True)})
    return _PAGE_SERIALIZERS[name]
