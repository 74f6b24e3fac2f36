"""Cursor pagination for message histories: newest first, stable under inserts."""

from rest_framework.pagination import CursorPagination


class MessageCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


def message_bounds(queryset, request):
    """Apply ``?after=<id>`` / ``?before=<id>`` (message ids) to ``queryset``; a bad value is a 400."""
    from rest_framework import exceptions

    for name, lookup in (("after", "pk__gt"), ("before", "pk__lt")):
        value = request.query_params.get(name)
        if value in (None, ""):
            continue
        if not value.isdigit():
            raise exceptions.ValidationError({name: ["A message id (a positive integer)."]})
        queryset = queryset.filter(**{lookup: int(value)})
    return queryset
