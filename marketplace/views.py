"""Marketplace pages: catalogue, listings, item pages, seller pages and "my shop"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core import pagecache
from core.forms import show_errors
from marketplace import permissions, selectors, services
from marketplace.filters import ListingFilter, ProductFilter
from marketplace.forms import ListingForm, ProductForm

PAGE_SIZE = 24


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@pagecache.page(pagecache.MARKET, pagecache.PEOPLE)
def catalogue(request: HttpRequest) -> HttpResponse:
    """Public products, filtered (kept for anonymous visitors, core.pagecache)."""
    public = selectors.products_visible(request.user).filter(selectors.PRODUCT_PUBLIC)
    filters = ProductFilter(request.GET, queryset=public, request=request)
    products = filters.qs if filters.is_valid() else public.none()
    return render(
        request,
        "marketplace/catalogue.html",
        {
            "filters": filters,
            "page": _page(request, products),
            "categories": selectors.product_categories(),
            "querystring": _querystring(request),
        },
        status=200 if filters.is_valid() else 400,
    )


@pagecache.page(pagecache.MARKET, pagecache.PEOPLE)
def listing_list(request: HttpRequest) -> HttpResponse:
    """Public listings, filtered (kept for anonymous visitors, core.pagecache)."""
    public = selectors.listings_visible(request.user).filter(selectors.LISTING_PUBLIC)
    filters = ListingFilter(request.GET, queryset=public, request=request)
    listings = filters.qs if filters.is_valid() else public.none()
    return render(
        request,
        "marketplace/listing_list.html",
        {"filters": filters, "page": _page(request, listings), "querystring": _querystring(request)},
        status=200 if filters.is_valid() else 400,
    )


def product_detail(request: HttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_for_viewer(request.user, pk)
    can_manage = permissions.can_manage_product(request.user, product)
    return render(request, "marketplace/product_detail.html", {"product": product, "can_manage": can_manage})


def listing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    listing = selectors.listing_for_viewer(request.user, pk)
    can_manage = permissions.can_manage_listing(request.user, listing)
    return render(request, "marketplace/listing_detail.html", {"listing": listing, "can_manage": can_manage})


def seller(request: HttpRequest, username: str) -> HttpResponse:
    found = selectors.seller_overview(username=username)
    if found is None:
        raise Http404("No such seller.")
    seller, products, listings = found
    return render(request, "marketplace/seller.html", {"seller": seller, "products": products, "listings": listings})


@login_required
def my_shop(request: HttpRequest) -> HttpResponse:
    products, listings = selectors.shop_of(request.user)
    return render(request, "marketplace/mine.html", {"products": products, "listings": listings})


def _edit_item(request: HttpRequest, item, *, owner_id, form_class, save, route: str, new_title: str) -> HttpResponse:
    """The create/edit page of a product or listing: ``save(data)`` calls the right service."""
    if item is not None and not permissions.can_manage_item(request.user, item):
        raise PermissionDenied("Only the owner or a moderator can change this; hidden by moderation, only moderators.")
    form = form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            item = save({field: form.cleaned_data[field] for field in form_class.Meta.fields})
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            messages.success(request, f"“{item}” is saved.")
            return redirect(route, pk=item.pk)
    title = new_title if item is None else f"Edit “{item}”"
    return render(request, "marketplace/item_form.html", {"form": form, "title": title})


@login_required
def product_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    product = selectors.product_for_viewer(request.user, pk) if pk else None

    def save(data):
        if product is None:
            return services.product_create(creator=request.user, **data)
        return services.product_update(actor=request.user, product=product, **data)

    owner_id = product.creator_id if product else None
    return _edit_item(request, product, owner_id=owner_id, form_class=ProductForm, save=save,
                      route="marketplace:product", new_title="New product")  # fmt: skip


@login_required
def listing_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    listing = selectors.listing_for_viewer(request.user, pk) if pk else None

    def save(data):
        if listing is None:
            return services.listing_create(seller=request.user, **data)
        return services.listing_update(actor=request.user, listing=listing, **data)

    owner_id = listing.seller_id if listing else None
    return _edit_item(request, listing, owner_id=owner_id, form_class=ListingForm, save=save,
                      route="marketplace:listing", new_title="New listing (saved as a draft)")  # fmt: skip


PRODUCT_ACTIONS = {
    "deactivate": lambda user, product: services.product_set_active(actor=user, product=product, active=False),
    "activate": lambda user, product: services.product_set_active(actor=user, product=product, active=True),
    "delete": lambda user, product: services.product_delete(actor=user, product=product),
}
LISTING_ACTIONS = {
    "publish": lambda user, listing: services.listing_publish(actor=user, listing=listing),
    "mark-sold": lambda user, listing: services.listing_mark_sold(actor=user, listing=listing),
    "archive": lambda user, listing: services.listing_archive(actor=user, listing=listing),
    "delete": lambda user, listing: services.listing_delete(actor=user, listing=listing),
}


def _run(request: HttpRequest, actions: dict, op: str, item) -> HttpResponse:
    if op not in actions:
        raise Http404("No such action.")
    try:
        actions[op](request.user, item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Done.")
    return redirect("marketplace:mine")


@login_required
@require_POST
def product_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    return _run(request, PRODUCT_ACTIONS, op, selectors.product_for_viewer(request.user, pk))


@login_required
@require_POST
def listing_action(request: HttpRequest, pk: int, op: str) -> HttpResponse:
    return _run(request, LISTING_ACTIONS, op, selectors.listing_for_viewer(request.user, pk))
