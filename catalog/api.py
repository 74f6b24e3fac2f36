"""/api/v1/tracks/ (list, upload, detail, edit, delete, stream, signed stream URLs) and /api/v1/search."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from catalog import search, selectors, services
from catalog.filters import TrackFilter
from catalog.serializers import (
    AutocompleteQuerySerializer,
    AutocompleteSerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
    TrackSerializer,
    TrackUpdateSerializer,
    TrackUploadSerializer,
)
from core import parsers  # the API parsers: NUL bytes and lone surrogates are a 400
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

        None for a track hidden by moderation (403); a link issued before the hiding stops playing.
        """
        track = self.get_object()
        if track.hidden_by_moderation is not None:
            raise PermissionDenied("This track is hidden by moderation: no link to play it is issued.")
        file = track.file
        query, expires = streaming.signed_query(file.path)
        return Response(
            {
                "url": request.build_absolute_uri(f"{file.url}?{query}"),
                "expires_at": datetime.fromtimestamp(expires, tz=UTC),
            }
        )


class SearchView(APIView):
    """Unified search over people, rooms, tracks, products, listings and the caller's messages."""

    permission_classes = (permissions.AllowAny,)

    @extend_schema(parameters=[SearchQuerySerializer], responses=SearchResultsSerializer, tags=["search"])
    def get(self, request: Request) -> Response:
        """Ranked results of one type (or every entity type), with the number of results of each type.

        Messages (`type=message`, room messages) and direct messages (`type=direct_message`) are searched
        only among those the caller can read. Snippets are HTML: escaped text with matches in `<mark>`.
        Entities whose title matches come first. Counts are exact up to 1,000 per type; `capped` lists
        the types with more (shown as "1,000+"), and pages stop there.
        """
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        found = search.search(
            viewer=request.user, text=data["q"], type=data.get("type"), page=data["page"], page_size=data["page_size"]
        )
        return Response(
            {
                "query": found.query,
                "type": found.type,
                "count": found.total,
                "counts": found.counts,
                "capped": sorted(found.capped),
                "near": found.near,
                "page": found.page,
                "next": self._page_link(request, found.page + 1) if found.has_next else None,
                "previous": self._page_link(request, found.page - 1) if found.page > 1 else None,
                "results": [hit.as_dict() for hit in found.hits],
            }
        )

    @staticmethod
    def _page_link(request: Request, page: int) -> str:
        return replace_query_param(request.build_absolute_uri(), "page", page)


class AutocompleteView(APIView):
    """As-you-type suggestions: entities with a word starting with the last word typed."""

    permission_classes = (permissions.AllowAny,)

    @extend_schema(parameters=[AutocompleteQuerySerializer], responses=AutocompleteSerializer, tags=["search"])
    def get(self, request: Request) -> Response:
        params = AutocompleteQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return Response({"results": [hit.as_dict() for hit in search.autocomplete(text=params.validated_data["q"])]})
