"""The ``moderation`` field of the API's items (files, tracks, products, listings, rooms)."""

from __future__ import annotations

from rest_framework import serializers

from core import moderated


class ModerationSerializer(serializers.Serializer):
    """Null unless moderators hid the item; only its owner and moderators ever see a hidden item."""

    hidden = serializers.BooleanField()
    reason = serializers.CharField()
    moderated_at = serializers.DateTimeField()


def moderation_of(obj) -> dict | None:
    found = moderated.payload(obj.moderated_at, obj.moderation_reason)
    return ModerationSerializer(found).data if found else None
