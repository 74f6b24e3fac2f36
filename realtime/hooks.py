"""Functions a domain app hands to realtime when it is ready: realtime imports no domain app.

:mod:`realtime.auth` (socket authentication, from accounts) and :mod:`realtime.presence` (how a room's
presence is shown, from rooms) each keep theirs in a :class:`Hooks`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured


class Hooks:
    """Named functions, provided once by an app; using one that was never provided is a configuration error."""

    def __init__(self, what: str, register: str) -> None:
        self._what = what
        self._register = register
        self._functions: dict[str, Callable] = {}

    def provide(self, **functions: Callable) -> None:
        self._functions.update(functions)

    def __getitem__(self, name: str) -> Callable:
        try:
            return self._functions[name]
        except KeyError:
            raise ImproperlyConfigured(f"No {self._what} is registered ({self._register}).") from None
