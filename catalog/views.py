"""Track pages (list with filters, upload with progress, player, artists, albums)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from catalog import permissions, selectors, services
from catalog.filters import TrackFilter
from catalog.forms import TrackEditForm, TrackUploadForm
from core import pagecache
from core.errors import TooLarge
from core.forms import show_errors
from media import services as media_services

PAGE_SIZE = 30


def _list(request: HttpRequest, template: str, context: dict, base=None) -> HttpResponse:
    tracks = base if base is not None else selectors.tracks_visible(request.user)
    filters = TrackFilter(request.GET, queryset=tracks, request=request)
    page = Paginator(filters.qs if filters.is_valid() else tracks.none(), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        **context,
        "filters": filters,
        "page": page,
        "querystring": params.urlencode(),
        "genres": selectors.genres(request.user),
    }
    return render(request, template, context, status=200 if filters.is_valid() else 400)


@pagecache.page(pagecache.TRACKS)
def track_list(request: HttpRequest) -> HttpResponse:
    """Every track the visitor may hear (kept for anonymous visitors, core.pagecache)."""
    return _list(request, "catalog/track_list.html", {"heading": "Tracks"})


@login_required
def my_uploads(request: HttpRequest) -> HttpResponse:
    mine = selectors.tracks_visible(request.user).filter(creator=request.user)
    return _list(request, "catalog/track_list.html", {"heading": "My uploads", "mine": True}, base=mine)


def artist(request: HttpRequest, artist: str) -> HttpResponse:
    tracks = selectors.tracks_visible(request.user).filter(artist=artist)
    if not tracks.exists():
        raise Http404("No such artist.")
    albums = selectors.albums_of(tracks)
    return _list(request, "catalog/track_list.html", {"heading": artist, "artist": artist, "albums": albums}, tracks)


def album(request: HttpRequest, artist: str, album: str) -> HttpResponse:
    tracks = selectors.tracks_visible(request.user).filter(artist=artist, album=album)
    if not tracks.exists():
        raise Http404("No such album.")
    context = {"heading": album, "artist": artist, "album": album}
    return _list(request, "catalog/track_list.html", context, tracks.order_by("created_at"))


def track_detail(request: HttpRequest, pk: int) -> HttpResponse:
    track = selectors.track_for_viewer(request.user, pk)
    return render(
        request,
        "catalog/track_detail.html",
        {
            "track": track,
            "can_manage": permissions.can_manage_track(request.user, track),
            "can_delete": permissions.can_delete_track(request.user, track),
        },
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    form = TrackUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        try:
            track = services.track_upload(creator=request.user, upload=values.pop("file"), **values)
        except ValidationError as exc:
            show_errors(form, exc)
            status = 400
        except TooLarge as exc:
            form.add_error("file", str(exc))
            status = 413
        else:
            messages.success(request, f"“{track.title}” is uploaded.")
            return redirect("catalog:track", pk=track.pk)
    return render(
        request, "catalog/upload.html", {"form": form, "max_bytes": media_services.largest_upload()}, status=status
    )


@login_required
def track_edit(request: HttpRequest, pk: int) -> HttpResponse:
    track = selectors.track_for_viewer(request.user, pk)
    if not permissions.can_manage_track(request.user, track):
        raise PermissionDenied
    form = TrackEditForm(request.POST or None, instance=track, initial={"is_public": track.file.is_public})
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in ("title", "artist", "album", "genre")}
        try:
            services.track_update(actor=request.user, track=track, is_public=form.cleaned_data["is_public"], **values)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, "The track is saved.")
            return redirect("catalog:track", pk=track.pk)
    return render(request, "catalog/track_edit.html", {"form": form, "track": track})


@login_required
@require_POST
def track_delete(request: HttpRequest, pk: int) -> HttpResponse:
    track = selectors.track_for_viewer(request.user, pk)
    services.track_delete(actor=request.user, track=track)
    messages.success(request, f"“{track.title}” is deleted.")
    return redirect("catalog:mine")
