"""Who may do what with tracks: the one policy that services, views, templates and the console apply.

A track is its file's audio: moderators hiding either hides the track, and deleting a track deletes its
file (:mod:`media.permissions` decides that part).
"""

from __future__ import annotations

from accounts.models import User
from catalog.models import Track
from core import moderated
from media import permissions as media_permissions


def can_manage_track(user: User, track: Track) -> bool:
    """Moderators, and the creator while moderators have not hidden the track (nor its file)."""
    return moderated.owner_or_moderator(user, track.creator_id) and (
        moderated.is_moderator(user) or track.hidden_by_moderation is None
    )


def can_delete_track(user: User, track: Track) -> bool:
    """The creator (even while it is hidden), and super admins: deleting a track deletes its file."""
    return moderated.owner_or_moderator(user, track.creator_id) and media_permissions.can_delete_file(user, track.file)
