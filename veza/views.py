from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from veza import metrics as veza_metrics
from veza import outage, preflight, selectors
from veza.api import error_body


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what is happening on Veza right now."""
    return render(request, "home.html", selectors.home_overview())


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: PostgreSQL and Redis answer; 503 names the backend that does not."""
    checks = preflight.readiness()
    status = "ok" if all(state == "ok" for state in checks.values()) else "unavailable"
    response = JsonResponse({"status": status, "checks": checks}, status=200 if status == "ok" else 503)
    response["Cache-Control"] = "no-store"
    return response


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the clients that ``METRICS_*`` settings allow; others get the usual 404."""
    if not veza_metrics.scrape_allowed(request):
        return not_found(request)
    body, content_type = veza_metrics.exposition()
    return HttpResponse(body, content_type=content_type)


def _wants_json(request: HttpRequest) -> bool:
    """The API and the media route answer errors in the JSON error shape; pages with the site's pages."""
    return request.path.startswith(("/api/", "/media/"))


def _page(request: HttpRequest, template: str, status: int) -> HttpResponse:
    """An error page; base.html loads the visitor, so a database outage turns it into the 503 page."""
    try:
        return render(request, template, status=status)
    except Exception as exc:
        if outage.database_unavailable(exc):
            return outage.unavailable_response(request, exc)
        raise


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    """404: the JSON error shape under /api/, the site's page elsewhere."""
    if _wants_json(request):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    return _page(request, "404.html", 404)


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
