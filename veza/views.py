from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from veza import selectors


def home(request: HttpRequest) -> HttpResponse:
    """The home page: what is happening on Veza right now."""
    return render(request, "home.html", selectors.home_overview())


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})
