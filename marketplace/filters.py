"""Query-string filters of the marketplace lists (API and pages). Bad values give 400 with field errors."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from core.filters import OwnedFilterSet
from marketplace import selectors
from marketplace.models import MAX_PRICE, Listing, ListingStatus, Product


class PriceRangeMixin(OwnedFilterSet):
    min_price = django_filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0, max_value=MAX_PRICE)
    max_price = django_filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0, max_value=MAX_PRICE)
    mine = django_filters.BooleanFilter(
        method="filter_mine", help_text="true: only my own items, whatever their status. Otherwise only public items."
    )

    public = Q()

    def filter_queryset(self, queryset):
        if not self.form.cleaned_data.get("mine"):
            queryset = queryset.filter(self.public)
        return super().filter_queryset(queryset)


class PriceRangeForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            raise ValidationError({"max_price": "max_price must not be below min_price."})
        return data


class ProductFilter(PriceRangeMixin):
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="French full-text search, ranked.")
    category = django_filters.CharFilter(field_name="category", max_length=100)
    creator = django_filters.NumberFilter(field_name="creator_id", min_value=1)
    ordering = django_filters.OrderingFilter(
        fields=(("price", "price"), ("created_at", "created_at"), ("name", "name")),
        help_text="price, -price, created_at, -created_at, name, -name (default: relevance with q, else newest).",
    )

    owner_field = "creator"
    public = selectors.PRODUCT_PUBLIC

    class Meta:
        model = Product
        fields = ("q", "category", "creator", "min_price", "max_price", "mine", "ordering")
        form = PriceRangeForm

    def filter_q(self, queryset, name, value):
        value = value.strip()
        return selectors.product_search(queryset, value) if value else queryset

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            if self.form.cleaned_data.get("q", "").strip():
                return queryset.order_by("-rank", "-created_at", "-id")
            return queryset.order_by("-created_at", "-id")
        return queryset.order_by(*queryset.query.order_by, "-id")


class ListingFilter(PriceRangeMixin):
    seller = django_filters.NumberFilter(field_name="seller_id", min_value=1)
    status = django_filters.ChoiceFilter(choices=ListingStatus.choices)
    q = django_filters.CharFilter(method="filter_q", max_length=200, help_text="Words of the title or description.")
    ordering = django_filters.OrderingFilter(
        fields=(("price", "price"), ("created_at", "created_at"), ("title", "title")),
        help_text="price, -price, created_at, -created_at, title, -title (default: newest).",
    )

    owner_field = "seller"
    public = selectors.LISTING_PUBLIC

    class Meta:
        model = Listing
        fields = ("q", "seller", "status", "min_price", "max_price", "mine", "ordering")
        form = PriceRangeForm

    def filter_q(self, queryset, name, value):
        words = value.split()[:10]
        for word in words:
            queryset = queryset.filter(Q(title__icontains=word) | Q(description__icontains=word))
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            return queryset.order_by("-created_at", "-id")
        return queryset.order_by(*queryset.query.order_by, "-id")
