"""Hand-written statements for the hot path of rooms: a member's message, checked and stored at once.

A room message is the most frequent write of Veza (every chat line). Built by the ORM, reading the
membership and inserting the row cost two statements and about 3 ms of Python on a 2-core server; this
statement does both in one round trip and a fraction of that. It inserts nothing, and returns no row,
when the sender is not a member or moderators closed the room (``moderator``: the sender is a site
moderator, for whom closed rooms stay open, as ``rooms.permissions.is_open_to`` says); the caller then
finds out which through the ORM. The table and its columns are the ones ``rooms.models.RoomMessage``
maps; the audit trigger sees the actor that ``core.audit`` sends with the statement (its parameters are
positional for that: content, message type, room, user, moderator).
"""

INSERT_MEMBER_MESSAGE = """
    INSERT INTO room_messages (room_id, user_id, content, message_type, created_at)
    SELECT member.room_id, member.user_id, %s, %s, now()
    FROM room_members AS member
    JOIN rooms AS room ON room.id = member.room_id
    WHERE member.room_id = %s AND member.user_id = %s
      AND (room.moderated_at IS NULL OR %s)
    RETURNING id, created_at
"""
