"""DRF authentication that also tags the request's database changes for the audit trail."""

from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework_simplejwt.authentication import JWTAuthentication

from veza.audit import client_ip, set_actor


class AuditedJWTAuthentication(JWTAuthentication):
    """JWT bearer authentication; the acting user is recorded once the token is checked.

    DRF authenticates inside the view, after the audit middleware ran with an anonymous user.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            set_actor(result[0].pk, client_ip(request))
        return result


class AuditedJWTScheme(SimpleJWTScheme):
    """Documents the bearer scheme of :class:`AuditedJWTAuthentication` in the OpenAPI schema."""

    target_class = AuditedJWTAuthentication
