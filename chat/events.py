"""The socket events of direct messages and typing (see ``realtime.events``; ``docs/api.md`` describes them)."""

from realtime.events import register

DM_MESSAGE = register("dm.message", "message", "client_id")
DM_MESSAGE_EDITED = register("dm.message_edited", "message", "client_id")
DM_MESSAGE_DELETED = register("dm.message_deleted", "message_id", "from_user", "to_user")
DM_READ = register("dm.read", "user", "count")
TYPING = register("typing", "user", optional=("room", "to_user"))
