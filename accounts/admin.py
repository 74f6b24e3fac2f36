from django.contrib import admin

from accounts import services
from accounts.models import AuditLog, RefreshToken, Role, User


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "email", "role", "is_active", "is_verified", "last_login", "created_at")
    list_filter = ("role", "is_active", "is_verified")
    search_fields = ("username", "email", "first_name", "last_name")
    date_hierarchy = "created_at"
    ordering = ("username",)
    readonly_fields = ("last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("username", "email", "role", "is_active", "is_verified")}),
        ("Profile", {"fields": ("first_name", "last_name", "bio", "avatar")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.has_perm("accounts.change_user_role"):
            fields.append("role")
        return fields

    def has_change_permission(self, request, obj=None):
        """Admins moderate users; only a super admin edits a super admin."""
        if obj is not None and obj.role == Role.SUPER_ADMIN and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.delete_user")

    def save_model(self, request, obj, form, change):
        services.user_moderate(actor=request.user, user=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        services.user_delete(actor=request.user, user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.user_delete(actor=request.user, user=user)


@admin.register(RefreshToken)
class RefreshTokenAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    date_hierarchy = "created_at"
    readonly_fields = ("user", "token", "created_at", "expires_at")

    def has_add_permission(self, request):
        return False


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit trail is written by database triggers only: read-only here."""

    list_display = ("created_at", "table_name", "record_id", "action", "user", "ip_address")
    list_filter = ("table_name", "action")
    list_select_related = ("user",)
    search_fields = ("record_id", "user__username")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
