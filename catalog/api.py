"""/api/v1/tracks/ (list, upload, detail, edit, delete, stream, signed stream URLs)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from catalog import selectors, services
from catalog.filters import TrackFilter
from catalog.serializers import TrackSerializer, TrackUpdateSerializer, TrackUploadSerializer
from core import pagecache, parsers  # parsers: NUL bytes and lone surrogates are a 400
from core.api import ReadOrAuthenticated, WindowCountPagination
from core.schema import errors
from media import streaming
from media.api import refuse_oversized
from media.serializers import StreamUrlSerializer
from media.views import serve_file


@extend_schema_view(
    list=extend_schema(summary="Tracks anyone may hear (and mine with mine=true)", tags=["tracks"]),
    retrieve=extend_schema(tags=["tracks"]),
)
class TrackViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = TrackSerializer
    filterset_class = TrackFilter
    pagination_class = WindowCountPagination
    permission_classes = (ReadOrAuthenticated,)
    parser_classes = (parsers.JSONParser, parsers.MultiPartParser)

    def get_queryset(self):
        return selectors.tracks_for_api(self.request.user)

    def list(self, request: Request, *args, **kwargs) -> Response:
        # Callers without credentials all read the same page: it is kept until tracks or people change.
        live = super().list
        if request.user.is_authenticated:
            return live(request, *args, **kwargs)
        parts = pagecache.request_parts(request)
        topics = (pagecache.TRACKS, pagecache.PEOPLE)
        return Response(pagecache.cached("tracks-api", parts, topics, lambda: live(request, *args, **kwargs).data))

    def get_object(self):
        return selectors.track_for_viewer(self.request.user, int(self.kwargs["pk"]))

    def filter_queryset(self, queryset):
        if self.request.query_params.keys() & self.filterset_class.base_filters.keys():
            return super().filter_queryset(queryset)
        # No filter named: the filter set would only order; skip building it (a list's hot path).
        return self.filterset_class.ordered(queryset)

    @extend_schema(
        request={"multipart/form-data": TrackUploadSerializer},
        responses={201: TrackSerializer, **errors(413)},
        tags=["tracks"],
    )
    def create(self, request: Request) -> Response:
        """Upload an audio file: duration and tags are read from it; the fields given here win over tags."""
        refuse_oversized(request)
        data = TrackUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        track = services.track_upload(creator=request.user, upload=values.pop("file"), **values)
        return Response(TrackSerializer(track).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=TrackUpdateSerializer, responses=TrackSerializer, tags=["tracks"])
    def partial_update(self, request: Request, pk=None) -> Response:
        """Edit title, artist, album, genre or visibility (creator or moderators)."""
        track = self.get_object()
        data = TrackUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            TrackSerializer(services.track_update(actor=request.user, track=track, **data.validated_data)).data
        )

    @extend_schema(tags=["tracks"])
    def destroy(self, request: Request, pk=None) -> Response:
        """Delete the track, its file and the stored audio (creator or moderators)."""
        services.track_delete(actor=request.user, track=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        responses={
            (200, "audio/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file."),
            (206, "audio/*"): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range."),
            304: OpenApiResponse(description="Not modified (If-None-Match / If-Modified-Since)."),
            416: OpenApiResponse(description="Range not satisfiable."),
        },
        tags=["tracks"],
    )
    @action(detail=True, methods=["get", "head"], url_path="stream")
    def stream(self, request: Request, pk=None):
        """The audio, with HTTP Range support (206, 416, ETag, Last-Modified, 304)."""
        return serve_file(request._request, selectors.track_file_for_viewer(request.user, int(pk)))

    @extend_schema(responses=StreamUrlSerializer, tags=["tracks"])
    @action(detail=True, methods=["get"], url_path="stream-url")
    def stream_url(self, request: Request, pk=None) -> Response:
        """A short-lived signed URL that plays with no headers at all (an <audio> element, a media player).

        None for a track hidden by moderation (403); a link issued before the hiding stops playing, and so
        does a link to a public track once it is made private (within ``STREAM_ACCESS_SECONDS``).
        """
        track = self.get_object()
        if track.hidden_by_moderation is not None:
            raise PermissionDenied("This track is hidden by moderation: no link to play it is issued.")
        file = track.file
        query, expires = streaming.signed_query(file.path, public=file.is_public)
        return Response(
            {
                "url": request.build_absolute_uri(f"{file.url}?{query}"),
                "expires_at": datetime.fromtimestamp(expires, tz=UTC),
            }
        )
