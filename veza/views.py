"""The site's own pages and the operations endpoints (``/healthz``, ``/readyz``, ``/metrics``); the error
answers are in :mod:`core.views`."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from core import metrics as veza_metrics
from core import pagecache
from core.views import not_found
from veza import preflight, selectors


@pagecache.page(*pagecache.TOPICS)
def home(request: HttpRequest) -> HttpResponse:
    """The home page: what is happening on Veza right now (kept for anonymous visitors, core.pagecache)."""
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
