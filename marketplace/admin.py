from django.contrib import admin

from marketplace import services
from marketplace.models import Listing, ListingStatus, Product
from veza.moderation import ModerationAdmin, changed_values, moderation_action, switch_actions


@admin.register(Product)
class ProductAdmin(ModerationAdmin):
    """Moderators edit and deactivate products; only super admins delete them."""

    list_display = ("name", "category", "price", "is_active", "creator", "created_at")
    list_filter = ("is_active", "category")
    list_select_related = ("creator",)
    search_fields = ("name", "description", "category", "creator__username")
    date_hierarchy = "created_at"
    fields = ("name", "description", "price", "category", "is_active", "creator", "created_at", "updated_at")
    readonly_fields = ("creator", "created_at", "updated_at")
    actions = ("deactivate", "reactivate")

    def save_object(self, request, obj, form, change):
        changes = changed_values(form, (*services.PRODUCT_FIELDS, "is_active"))
        if changes:
            services.product_update(actor=request.user, product=obj, **changes)

    def delete_object(self, request, obj):
        services.product_delete(actor=request.user, product=obj)

    deactivate, reactivate = switch_actions(
        ("Deactivate the selected products", "Deactivated"),
        ("Reactivate the selected products", "Reactivated"),
        lambda actor, product, on: services.product_set_active(actor=actor, product=product, active=on),
    )


@admin.register(Listing)
class ListingAdmin(ModerationAdmin):
    """Moderators edit open listings and archive any; the status moves only through the services."""

    list_display = ("title", "status", "price", "seller", "created_at")
    list_filter = ("status",)
    list_select_related = ("seller",)
    search_fields = ("title", "description", "seller__username")
    date_hierarchy = "created_at"
    fields = ("title", "description", "price", "status", "seller", "created_at", "updated_at")
    actions = ("archive",)

    def get_readonly_fields(self, request, obj=None):
        fields = ("status", "seller", "created_at", "updated_at")
        if obj is not None and obj.status in (ListingStatus.SOLD, ListingStatus.ARCHIVED):
            fields = services.LISTING_FIELDS + fields  # sold and archived listings are final
        return fields

    def save_object(self, request, obj, form, change):
        changes = changed_values(form, services.LISTING_FIELDS)
        if changes:
            services.listing_update(actor=request.user, listing=obj, **changes)

    def delete_object(self, request, obj):
        services.listing_delete(actor=request.user, listing=obj)

    archive = moderation_action(
        "Archive the selected listings",
        "Archived",
        lambda actor, listing: services.listing_archive(actor=actor, listing=listing),
    )
