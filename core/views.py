"""The error answers of every route: the JSON error shape under /api/ and /media/, the site's pages elsewhere.

Django's ``handler400/403/404/500`` (``veza.urls``) and ``CSRF_FAILURE_VIEW`` point here.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core import outage
from core.api import error_body


def _wants_json(request: HttpRequest) -> bool:
    """The API and the media route answer errors in the JSON error shape; pages with the site's pages."""
    return request.path.startswith(("/api/", "/media/"))


def _page(request: HttpRequest, template: str, status: int, context: dict | None = None) -> HttpResponse:
    """An error page; base.html loads the visitor, so a database outage turns it into the 503 page."""
    try:
        return render(request, template, context, status=status)
    except Exception as exc:
        if outage.database_unavailable(exc):
            return outage.unavailable_response(request, exc)
        raise


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the JSON error shape under /api/, the site's page elsewhere."""
    if _wants_json(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return _page(request, "404.html", 404)


def conflict(request: HttpRequest, exception=None) -> HttpResponse:
    """409 (a service's :class:`core.errors.Conflict`): the JSON error shape under /api/, the site's page elsewhere."""
    detail = str(exception or "") or "This conflicts with the current state."
    if _wants_json(request):
        return JsonResponse(error_body("conflict", detail), status=409)
    return _page(request, "409.html", 409, {"detail": detail})


def server_error(request: HttpRequest) -> HttpResponse:
    """500: never a traceback; the JSON error shape under /api/."""
    if _wants_json(request):
        return JsonResponse(error_body("server_error", "A server error occurred."), status=500)
    return _page(request, "500.html", 500)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(error_body("permission_denied", "You do not have permission to do this."), status=403)
    return _page(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused CSRF check (``CSRF_FAILURE_VIEW``): the JSON error shape under /api/, the site's 403 page elsewhere."""
    if _wants_json(request):
        return JsonResponse(
            error_body("csrf_failed", "The CSRF check failed: reload the page and try again."), status=403
        )
    return _page(request, "403.html", 403)


def bad_request(
    request: HttpRequest, exception=None, *, detail: str = "The request is not valid.", fields: dict | None = None
) -> HttpResponse:
    """400: the JSON error shape under /api/ (``fields`` names the parameters at fault), the site's page elsewhere."""
    if _wants_json(request):
        return JsonResponse(error_body("bad_request", detail, fields), status=400)
    return _page(request, "400.html", 400)
