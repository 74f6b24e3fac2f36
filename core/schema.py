"""The OpenAPI schema: the API's one error shape (core.api), documented on every operation that can answer it."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiResponse
from rest_framework import permissions

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Machine-readable: invalid, not_found, throttled..."},
                "detail": {"type": "string", "description": "Human-readable."},
                "fields": {
                    "type": "object",
                    "additionalProperties": {},
                    "description": "Validation errors (400 only): the messages of each field that is wrong.",
                },
                "retry_after": {"type": "integer", "description": "Seconds to wait (429 only)."},
            },
            "required": ["code", "detail"],
        }
    },
    "required": ["error"],
}
ERROR_COMPONENT = ResolvedComponent(
    name="Error", type=ResolvedComponent.SCHEMA, object="core.schema.Error", schema=ERROR_SCHEMA
)

DESCRIPTIONS = {
    400: "Invalid request: `fields` tells what to correct.",
    401: "Not authenticated, or the credentials or token are not valid.",
    403: "Visible, but not yours to change.",
    404: "No such thing, or hidden from you.",
    413: "The upload is too large.",
    415: "The body is not in one of the media types this operation reads.",
    429: "Too many attempts: `retry_after` tells how many seconds to wait.",
}


def errors(*statuses: int) -> dict[int, OpenApiResponse]:
    """Error responses for ``extend_schema(responses=...)``: those that AutoSchema cannot infer."""
    return {code: OpenApiResponse(ERROR_COMPONENT.ref, description=DESCRIPTIONS[code]) for code in statuses}


class AutoSchema(openapi.AutoSchema):
    """Adds the error responses an operation can give, inferred from what it takes.

    - 400: writes (services refuse some changes in the current state, such as selling a draft listing or
      the owner leaving a room), and operations with a request body or query parameters;
    - 401: operations with authentication (a missing, invalid or expired token);
    - 403: writes that require authentication (visible, but not the caller's to change);
    - 404: operations with path parameters, or a page or cursor to ask for;
    - 415: operations with a request body (a body in another media type).

    Views declare the others with ``errors()``: 413 of uploads, 429 of throttles, 401 of logins.
    """

    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        self.registry.register_on_missing(ERROR_COMPONENT)
        inferred = {
            str(code): self._get_response_for_code(response, str(code))
            for code, response in errors(*self.inferred_errors(operation)).items()
        }
        responses = {**inferred, **operation["responses"]}
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def get_auth(self) -> list[dict]:
        """As drf-spectacular, and reads need no credentials under subclasses of IsAuthenticatedOrReadOnly too."""
        auths = super().get_auth()
        open_reads = self.method in permissions.SAFE_METHODS and any(
            isinstance(permission, permissions.IsAuthenticatedOrReadOnly) for permission in self.view.get_permissions()
        )
        if open_reads and {} not in auths:
            auths.append({})
        return auths

    def inferred_errors(self, operation: dict) -> list[int]:
        parameters = operation.get("parameters", [])
        body = operation.get("requestBody", {}).get("content", {})
        security = operation.get("security", [])
        statuses = []
        writes = self.method not in permissions.SAFE_METHODS
        if writes or body or any(parameter["in"] == "query" for parameter in parameters):
            statuses.append(400)
        if any(security):
            statuses.append(401)
            if writes and {} not in security:
                statuses.append(403)
        if any(parameter["in"] == "path" or parameter["name"] in ("page", "cursor") for parameter in parameters):
            statuses.append(404)
        if body:
            statuses.append(415)
        return statuses
