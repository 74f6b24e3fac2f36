from django.contrib import admin

from marketplace.models import Listing, Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "price", "is_active", "creator", "created_at")
    list_filter = ("is_active", "category")
    list_select_related = ("creator",)
    search_fields = ("name", "description", "category", "creator__username")
    autocomplete_fields = ("creator",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "price", "seller", "created_at")
    list_filter = ("status",)
    list_select_related = ("seller",)
    search_fields = ("title", "description", "seller__username")
    autocomplete_fields = ("seller",)
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at")
