"""Test helpers: the events a block of a test caused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.test import TestCase

from realtime import transport


@dataclass(frozen=True)
class SentEvent:
    group: str  # ``room-<id>`` or ``user-<id>``
    event: dict  # as sockets receive it, or the channel-layer message for the sockets themselves

    @property
    def type(self) -> str:
        return self.event["type"]


@contextmanager
def capture_events(*, using: str = "default") -> Iterator[list[SentEvent]]:
    """Record the events sent while the block runs, in order, once its transaction commits.

    The block's ``on_commit`` callbacks run when it ends (inside a test's transaction they would never
    run), so the list is complete after the ``with``; a block that rolls back records nothing. The events
    are still published.
    """
    captured: list[SentEvent] = []
    recorded: list[tuple[str, dict]] = []
    transport.recorders.append(recorded)
    try:
        with TestCase.captureOnCommitCallbacks(using=using, execute=True):
            yield captured
    finally:
        transport.recorders.remove(recorded)
        for group, message in recorded:
            captured.append(SentEvent(group, message["event"] if message["type"] == "chat.event" else message))
