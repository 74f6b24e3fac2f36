"""Domain errors raised by the services and selectors of every app; each edge translates them in one place.

- :class:`NotFound`: what was asked for does not exist, or the one asking may not know it does (404).
- :class:`Conflict`: the request contradicts the current state of what it targets (409).
- Permission: services raise Django's ``django.core.exceptions.PermissionDenied`` (403). It lives
  beside ``ValidationError`` in ``django.core``, not in the HTTP layer, and Django's pages, the admin
  and DRF already know it: a second class would only have to be caught beside it everywhere.
- :class:`Throttled` (429) and :class:`TooLarge` (413).

Where they become answers: the API in :func:`core.api.exception_handler`, pages in
:class:`core.middleware.DomainErrorMiddleware`, sockets in ``realtime.frames.run``, the moderation
console in ``console.moderation.REFUSALS``. Services never raise ``django.http.Http404``: views may.
"""


class NotFound(Exception):
    """No such object, or one hidden from the one asking: the message says what (``"No such room."``)."""


class Conflict(Exception):
    """The change contradicts the current state (e.g. already done by someone else): the message says why."""


class Throttled(Exception):
    """Too many attempts: ``wait`` seconds before the next one is accepted."""

    what = "attempts"

    def __init__(self, wait: int):
        super().__init__(f"Too many {self.what}. Try again in {wait} seconds.")
        self.wait = wait


class TooLarge(Exception):
    """An upload over its size limit (HTTP 413)."""

    def __init__(self, limit: int, what: str = "file"):
        super().__init__(f"The {what} is larger than the limit of {limit // 1_000_000} MB.")
        self.limit = limit
