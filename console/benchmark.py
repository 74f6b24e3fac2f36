"""The baseline of ``bench/api.py``: the rows of ``GET /api/v1/tracks/`` through a bare Django view.

Mounted at ``/bench/tracks-values`` only when the ``BENCH_BASELINE`` setting is on (off by default, never
in production: ``check --deploy`` warns when it is on). It answers what an anonymous caller sees on the
first page of the tracks API, the same rows and columns, with ``.values()`` and ``JsonResponse``: no
DRF, no serializer, no filters, no count. The benchmark compares the API against it in the same run.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.http import HttpRequest, JsonResponse

from catalog.models import Track

FIELDS = (
    "id", "title", "artist", "album", "genre", "duration", "file__is_public", "file__mime_type", "file__size",
    "file_id", "creator_id", "creator__username", "created_at", "updated_at",
)  # fmt: skip


def tracks_values(request: HttpRequest) -> JsonResponse:
    """The newest public tracks (``?page_size``, 50 by default, 100 at most) as plain dicts."""
    size = request.GET.get("page_size", "50")
    size = min(int(size), 100) if size.isdigit() and int(size) > 0 else 50
    rows = Track.objects.filter(file__is_public=True).order_by("-created_at", "-id").values(*FIELDS)[:size]
    return JsonResponse({"results": list(rows)})


@checks.register(checks.Tags.security, deploy=True)
def check_bench_baseline(app_configs, **kwargs):
    if getattr(settings, "BENCH_BASELINE", False):
        return [
            checks.Warning(
                "BENCH_BASELINE is on: /bench/tracks-values is served.",
                hint="Turn BENCH_BASELINE off outside benchmarks.",
                id="veza.W001",
            )
        ]
    return []
