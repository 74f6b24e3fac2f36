from django.contrib import admin

from console.moderation import (
    MODERATION_FIELDS,
    ModeratedFilter,
    ModerationAdmin,
    changed_values,
    hidden_column,
    hide_action,
    moderation_action,
)
from marketplace import services
from marketplace.models import Listing, ListingStatus, Product


@admin.register(Product)
class ProductAdmin(ModerationAdmin):
    """Moderators edit products and hide them with a reason; only super admins delete them.

    ``is_active`` is the owner's switch: moderators hide instead, which the owner cannot undo.
    """

    list_display = ("name", "category", "price", "is_active", hidden_column, "creator", "created_at")
    list_filter = (ModeratedFilter, "is_active", "category")
    list_select_related = ("creator",)
    search_fields = ("name", "description", "category", "creator__username")
    date_hierarchy = "created_at"
    fields = ("name", "description", "price", "category", "is_active", *MODERATION_FIELDS, "creator", "created_at",
              "updated_at")  # fmt: skip
    readonly_fields = ("is_active", *MODERATION_FIELDS, "creator", "created_at", "updated_at")
    actions = ("hide", "restore")

    def save_object(self, request, obj, form, change):
        changes = changed_values(form, services.PRODUCT_FIELDS)
        if changes:
            services.product_update(actor=request.user, product=obj, **changes)

    def delete_object(self, request, obj):
        services.product_delete(actor=request.user, product=obj)

    hide = hide_action(
        "Hide the selected products",
        "Hidden",
        lambda actor, product, reason: services.product_hide(actor=actor, product=product, reason=reason),
    )
    restore = moderation_action(
        "Lift the hiding of the selected products",
        "Restored",
        lambda actor, product: services.product_restore(actor=actor, product=product),
    )


@admin.register(Listing)
class ListingAdmin(ModerationAdmin):
    """Moderators edit open listings, hide any with a reason, archive any; the status moves only through services."""

    list_display = ("title", "status", hidden_column, "price", "seller", "created_at")
    list_filter = (ModeratedFilter, "status")
    list_select_related = ("seller",)
    search_fields = ("title", "description", "seller__username")
    date_hierarchy = "created_at"
    fields = ("title", "description", "price", "status", *MODERATION_FIELDS, "seller", "created_at", "updated_at")
    actions = ("hide", "restore", "archive")

    def get_readonly_fields(self, request, obj=None):
        fields = ("status", *MODERATION_FIELDS, "seller", "created_at", "updated_at")
        if obj is not None and obj.status in (ListingStatus.SOLD, ListingStatus.ARCHIVED):
            fields = services.LISTING_FIELDS + fields  # sold and archived listings are final
        return fields

    def save_object(self, request, obj, form, change):
        changes = changed_values(form, services.LISTING_FIELDS)
        if changes:
            services.listing_update(actor=request.user, listing=obj, **changes)

    def delete_object(self, request, obj):
        services.listing_delete(actor=request.user, listing=obj)

    hide = hide_action(
        "Hide the selected listings",
        "Hidden",
        lambda actor, listing, reason: services.listing_hide(actor=actor, listing=listing, reason=reason),
    )
    restore = moderation_action(
        "Lift the hiding of the selected listings",
        "Restored",
        lambda actor, listing: services.listing_restore(actor=actor, listing=listing),
    )
    archive = moderation_action(
        "Archive the selected listings",
        "Archived",
        lambda actor, listing: services.listing_archive(actor=actor, listing=listing),
    )
