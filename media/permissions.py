"""Who may do what with files: the one policy that services, views, templates and the console apply."""

from __future__ import annotations

from accounts.models import User
from core import moderated
from media.models import File


def can_manage_file(user: User, file: File) -> bool:
    """Its owner while moderators have not hidden it, and moderators: change its visibility."""
    return moderated.may_change(user, file.user_id, file)


def can_delete_file(user: User, file: File) -> bool:
    """Its owner (even while it is hidden), and super admins: admins hide files instead."""
    return moderated.owner_or_permitted(user, file.user_id, "media.delete_file")
