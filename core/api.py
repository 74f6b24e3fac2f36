"""API conventions shared by every app: one JSON error shape everywhere.

``{"error": {"code": "...", "detail": "...", "fields": {...}}}``
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Window
from django.db.models.query import ModelIterable, ValuesIterable
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, pagination, permissions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.routers import SimpleRouter
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors, outage


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The upload is too large."


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "service_unavailable"
    default_detail = outage.DETAIL
    wait = outage.RETRY_AFTER_SECONDS  # DRF sends it as Retry-After


# Object ids in router URLs: digits, at most as many as a bigint has (a longer one is no object: 404).
ID_REGEX = "[0-9]{1,19}"


class ReadOrAuthenticated(permissions.IsAuthenticatedOrReadOnly):
    """Public reads opted in per view: anyone reads what is public, writing needs an account.

    Who may change what is each app's policy (``<app>/permissions.py``), applied by its services.
    """


class Router(SimpleRouter):
    """Collection and detail URLs end with a slash; the slash is optional, so ``.../publish`` works too.

    Detail URLs take an object id (``ID_REGEX``) unless the viewset says otherwise: any other segment,
    and a number of any length, is a 404 before the view runs.
    """

    def __init__(self):
        super().__init__()
        self.trailing_slash = "/?"

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        name = getattr(viewset, "lookup_url_kwarg", None) or lookup_field
        value = getattr(viewset, "lookup_value_regex", ID_REGEX)
        return f"(?P<{lookup_prefix}{name}>{value})"


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class WindowCountPaginator(Paginator):
    """Counts the rows in the query that reads the page (``COUNT(*) OVER ()``): one query instead of two.

    Only for querysets of model instances or ``values()`` dicts without ``distinct()`` (the window would
    count rows before DISTINCT); others, and a page past the end (no row to carry the count), take Django's
    path: ``count()``, then the page.
    """

    COUNT = "_paginator_count"
    FARTHEST = 2**53  # an OFFSET past any table, yet within PostgreSQL's bigint

    def page(self, number):
        queryset = self.object_list
        if (
            "count" in self.__dict__
            or not isinstance(queryset, QuerySet)
            or queryset._iterable_class not in (ModelIterable, ValuesIterable)
            or queryset.query.distinct
            or queryset.query.is_sliced
            or self.orphans
            or (isinstance(number, float) and not number.is_integer())
        ):
            return super().page(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            return super().page(number)  # refused as Django refuses it
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom > self.FARTHEST:
            return super().page(number)  # counts first: a page past any table is refused, no OFFSET sent
        rows = list(queryset.annotate(**{self.COUNT: Window(Count("*"))})[bottom : bottom + self.per_page])
        if not rows and number > 1:
            return super().page(number)  # past the end: counts, then refuses the page as Django does
        counts = [row.pop(self.COUNT) if isinstance(row, dict) else getattr(row, self.COUNT) for row in rows]
        self.count = counts[0] if counts else 0  # sets the cached property
        return self._get_page(rows, number, self)  # type: ignore[attr-defined]  # Paginator's page factory


class WindowCountPagination(Pagination):
    """:class:`Pagination` whose count comes with the page's rows (see :class:`WindowCountPaginator`)."""

    django_paginator_class = WindowCountPaginator


def timestamp(value: datetime | None, zone: tzinfo | None = None) -> str | None:
    """A date and time as the API writes it everywhere, REST and socket events alike.

    As DRF's ``DateTimeField`` writes it: ISO 8601 in the current time zone, ``Z`` for UTC. A list
    may look the zone up once and give it as ``zone``.
    """
    if value is None:
        return None
    text = value.astimezone(zone or timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def error_body(code: str, detail: str, fields: dict | None = None) -> dict:
    body: dict[str, object] = {"code": code, "detail": detail}
    if fields:
        body["fields"] = fields
    return {"error": body}


def _texts(value) -> list[str]:
    """The strings of a DRF detail, however nested (lists and dicts of ``ErrorDetail``)."""
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return [str(value)]


def _code_and_detail(exc: exceptions.APIException) -> tuple[str, str]:
    """One code and one sentence for an exception whose detail may be a structure (never its repr).

    simplejwt, for one, refuses a token with ``{"detail": ..., "code": ..., "messages": [...]}``.
    """
    detail = exc.detail
    if isinstance(detail, dict):
        code = str(detail["code"]) if isinstance(detail.get("code"), str) else exc.default_code
        text = str(detail["detail"]) if "detail" in detail else " ".join(_texts(detail))
        return code, text or str(exc.default_detail)
    codes = exc.get_codes()
    fallback = exc.default_code if isinstance(exc.default_code, str) else "error"
    code = codes if isinstance(codes, str) else fallback
    return code, " ".join(_texts(detail)) or str(exc.default_detail)


def exception_handler(exc, context):
    if isinstance(exc, Http404 | errors.NotFound):
        exc = exceptions.NotFound(str(exc) or None)
    elif isinstance(exc, errors.Conflict):
        exc = Conflict(str(exc) or None)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, errors.TooLarge):
        exc = PayloadTooLarge(str(exc))
    elif isinstance(exc, errors.Throttled):
        wait, exc = exc.wait, exceptions.Throttled(detail=str(exc))
        exc.wait = wait  # for Retry-After; given to the constructor, it would repeat the wait in the detail
    elif outage.database_unavailable(exc):
        outage.database_unavailable_seen(exc)
        exc = ServiceUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    request = context.get("request")
    if request is not None:
        # Errors are JSON whatever the client accepts (the browsable API's page, the schema's YAML).
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), "application/json"
    if isinstance(exc, exceptions.ValidationError):
        data = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("invalid", "The request contains invalid data.", data)
    elif isinstance(exc, exceptions.APIException):
        response.data = error_body(*_code_and_detail(exc))
    else:
        response.data = error_body("error", str(exc))
    if response.status_code == status.HTTP_429_TOO_MANY_REQUESTS and getattr(exc, "wait", None):
        response.data["error"]["retry_after"] = exc.wait
    return response
