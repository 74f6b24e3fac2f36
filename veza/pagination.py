"""Cursor pagination for message histories: newest first, stable under inserts."""

from rest_framework.pagination import CursorPagination


class MessageCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
