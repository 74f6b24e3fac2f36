import django_filters

from catalog.models import Track
from core.filters import OwnedFilterSet


class TrackFilter(OwnedFilterSet):
    genre = django_filters.CharFilter(field_name="genre", max_length=100)
    artist = django_filters.CharFilter(field_name="artist", max_length=255)
    album = django_filters.CharFilter(field_name="album", max_length=255)
    creator = django_filters.NumberFilter(field_name="creator_id", min_value=1)
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("title", "title"), ("artist", "artist"), ("duration", "duration")),
        help_text="created_at, title, artist, duration, each also descending with '-' (default: newest).",
    )

    class Meta:
        model = Track
        fields = ("genre", "artist", "album", "creator", "mine", "ordering")

    owner_field = "creator"

    @property
    def qs(self):
        return self.ordered(super().qs)

    @staticmethod
    def ordered(queryset):
        """The requested order (newest first by default), then ``-id`` so that pages never overlap."""
        return queryset.order_by(*(queryset.query.order_by or ("-created_at",)), "-id")
