"""Filters shared by the list endpoints and pages."""

import django_filters


class OwnedFilterSet(django_filters.FilterSet):
    """Adds ``mine=true``: only the requesting user's own items (``owner_field`` names the owner)."""

    mine = django_filters.BooleanFilter(method="filter_mine", help_text="true: only my own items.")

    owner_field = ""

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none()
        return queryset.filter(**{self.owner_field: user.pk})
