"""The search page: one box for everything, a tab per type."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core import pagecache
from search import selectors
from search.forms import SearchForm
from search.presentation import hit_html

SEARCH_TABS = (
    (None, "All"),
    ("user", "People"),
    ("room", "Rooms"),
    ("track", "Tracks"),
    ("product", "Products"),
    ("listing", "Listings"),
    ("message", "Room messages"),
    ("direct_message", "Direct messages"),
)


@pagecache.page(*pagecache.TOPICS)
def search(request: HttpRequest) -> HttpResponse:
    """One box for everything: a tab per type with its count, highlighted snippets (the page anonymous
    visitors read is kept, :mod:`core.pagecache`)."""
    form = SearchForm(request.GET)
    if not form.is_valid():
        return render(request, "search/search.html", {"form": form, "query": ""}, status=400)
    text, kind = form.cleaned_data["q"], form.cleaned_data["type"] or None
    found = selectors.search(viewer=request.user, text=text, type=kind, page=form.cleaned_data["page"] or 1)
    tabs = [
        {"type": tab, "label": label, "count": count, "more": more, "active": tab == kind}
        for tab, label in SEARCH_TABS
        if tab is None or tab in found.counts
        for count, more in [found.count_of(tab)]
    ]
    hits = [hit_html(hit) for hit in found.hits]
    context = {"form": form, "query": text, "found": found, "tabs": tabs, "hits": hits}
    return render(request, "search/search.html", context)
