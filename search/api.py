"""/api/v1/search (ranked results with counts per type) and /api/v1/search/autocomplete (suggestions)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from search import selectors
from search.presentation import hit_data
from search.serializers import (
    AutocompleteQuerySerializer,
    AutocompleteSerializer,
    SearchQuerySerializer,
    SearchResultsSerializer,
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
        found = selectors.search(
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
                "results": [hit_data(hit) for hit in found.hits],
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
        return Response({"results": [hit_data(hit) for hit in selectors.autocomplete(text=params.validated_data["q"])]})
