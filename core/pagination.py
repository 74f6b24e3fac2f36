"""Cursor pagination for message histories: newest first, stable under inserts."""

from rest_framework.pagination import CursorPagination


class MessageCursorPagination(CursorPagination):
    """Cursors carry a message id as position: any other position (text, a number past ``bigint``) is the
    same "Invalid cursor" 404 as a cursor that does not decode, never a database error."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        from rest_framework.exceptions import NotFound

        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            position = str(cursor.position)
            if not (position.isascii() and position.isdigit() and len(position) <= 18):
                raise NotFound(self.invalid_cursor_message)
        return cursor


def message_bounds(queryset, request):
    """Apply ``?after=<id>`` / ``?before=<id>`` (message ids) to ``queryset``; a bad value is a 400."""
    from rest_framework import exceptions

    for name, lookup in (("after", "pk__gt"), ("before", "pk__lt")):
        value = request.query_params.get(name)
        if value in (None, ""):
            continue
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            raise exceptions.ValidationError({name: ["A message id (a positive integer)."]})
        queryset = queryset.filter(**{lookup: int(value)})
    return queryset
