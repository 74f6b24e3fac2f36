from rest_framework import permissions


class ReadOrAuthenticated(permissions.IsAuthenticatedOrReadOnly):
    """Anyone reads what is public; writing needs an account (the services check ownership)."""
