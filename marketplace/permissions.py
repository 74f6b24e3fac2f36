from rest_framework import permissions


class ReadOrAuthenticated(permissions.BasePermission):
    """Anyone reads what is public; writing needs an account (the services check ownership)."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or bool(request.user and request.user.is_authenticated)
