"""/api/v1/products/ and /api/v1/listings/: public reads, owner or moderator writes.

Hidden items answer 404; visible items that the caller may not change answer 403.
"""

from django.db.models import Model
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ReadOrAuthenticated
from marketplace import selectors, services
from marketplace.filters import ListingFilter, ProductFilter
from marketplace.serializers import ListingSerializer, ProductSerializer

LIST_DOC = "Paginated (page, page_size); hidden items are not listed."


class _MarketViewSet(viewsets.ModelViewSet):
    permission_classes = (ReadOrAuthenticated,)
    http_method_names = ("get", "post", "patch", "delete", "head", "options")

    def get_object(self) -> Model:
        return self.get_viewer_object(self.request, int(self.kwargs["pk"]))


@extend_schema_view(
    list=extend_schema(description="Active products (and my own with mine=true). " + LIST_DOC, tags=["marketplace"]),
    retrieve=extend_schema(tags=["marketplace"]),
    create=extend_schema(tags=["marketplace"]),
    partial_update=extend_schema(description="Change fields; is_active=false deactivates.", tags=["marketplace"]),
    destroy=extend_schema(tags=["marketplace"]),
)
class ProductViewSet(_MarketViewSet):
    serializer_class = ProductSerializer
    filterset_class = ProductFilter

    def get_queryset(self):
        return selectors.products_visible(self.request.user)

    @staticmethod
    def get_viewer_object(request, pk):
        return selectors.product_for_viewer(request.user, pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.product_create(
            creator=self.request.user,
            name=data["name"],
            description=data["description"],
            price=data["price"],
            category=data["category"],
        )

    def perform_update(self, serializer):
        serializer.instance = services.product_update(
            actor=self.request.user, product=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.product_delete(actor=self.request.user, product=instance)


@extend_schema_view(
    list=extend_schema(description="Active listings (and my own with mine=true). " + LIST_DOC, tags=["marketplace"]),
    retrieve=extend_schema(tags=["marketplace"]),
    create=extend_schema(description="A new listing starts as a draft.", tags=["marketplace"]),
    partial_update=extend_schema(tags=["marketplace"]),
    destroy=extend_schema(tags=["marketplace"]),
)
class ListingViewSet(_MarketViewSet):
    serializer_class = ListingSerializer
    filterset_class = ListingFilter

    def get_queryset(self):
        return selectors.listings_visible(self.request.user)

    @staticmethod
    def get_viewer_object(request, pk):
        return selectors.listing_for_viewer(request.user, pk)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.listing_create(
            seller=self.request.user, title=data["title"], description=data["description"], price=data["price"]
        )

    def perform_update(self, serializer):
        serializer.instance = services.listing_update(
            actor=self.request.user, listing=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.listing_delete(actor=self.request.user, listing=instance)

    def _move(self, request: Request, service) -> Response:
        listing = service(actor=request.user, listing=self.get_object())
        return Response(ListingSerializer(listing).data, status=status.HTTP_200_OK)

    @extend_schema(request=None, responses=ListingSerializer, tags=["marketplace"])
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk=None) -> Response:
        """draft -> active: the listing becomes public."""
        return self._move(request, services.listing_publish)

    @extend_schema(request=None, responses=ListingSerializer, tags=["marketplace"])
    @action(detail=True, methods=["post"], url_path="mark-sold")
    def mark_sold(self, request: Request, pk=None) -> Response:
        """active -> sold."""
        return self._move(request, services.listing_mark_sold)

    @extend_schema(request=None, responses=ListingSerializer, tags=["marketplace"])
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk=None) -> Response:
        """draft, active or sold -> archived (final)."""
        return self._move(request, services.listing_archive)
