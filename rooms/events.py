"""The socket events of rooms (see ``realtime.events``; ``docs/api.md`` describes their fields)."""

from realtime.events import register

SUBSCRIBED = register("subscribed", "room", "online")
UNSUBSCRIBED = register("unsubscribed", "room")
PRESENCE = register("presence", "room", "online")
MESSAGE = register("room.message", "message", "client_id")
MESSAGE_EDITED = register("room.message_edited", "message")
MESSAGE_DELETED = register("room.message_deleted", "room", "message_id")
MEMBER_JOINED = register("room.member_joined", "room", "user")
MEMBER_LEFT = register("room.member_left", "room", "user")
MEMBER_ROLE = register("room.member_role", "room", "user", "role")
UPDATED = register("room.updated", "room")
DELETED = register("room.deleted", "room")
CLOSED = register("room.closed", "room", "reason")
REMOVED = register("room.removed", "room")
