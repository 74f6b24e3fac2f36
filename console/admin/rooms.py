from urllib.parse import urlencode

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from console.moderation import (
    MODERATION_FIELDS,
    MessageSearchAdmin,
    ModeratedFilter,
    ModerationAdmin,
    hide_action,
    moderation_action,
)
from rooms import permissions, services
from rooms.models import Room, RoomMember, RoomMessage


def _filtered_link(model: str, room: Room, text: str) -> str:
    url = reverse(f"admin:rooms_{model}_changelist") + "?" + urlencode({"room__id__exact": room.pk})
    return format_html('<a href="{}">{}</a>', url, text)


@admin.register(Room)
class RoomAdmin(ModerationAdmin):
    """Moderators edit rooms, close them with a reason and reopen them (see ``rooms.services.room_close``)."""

    list_display = ("name", "is_private", "closed", "creator", "created_at")
    list_filter = (ModeratedFilter, "is_private")
    list_select_related = ("creator",)
    search_fields = ("name", "description")
    date_hierarchy = "created_at"
    fields = ("name", "description", "is_private", *MODERATION_FIELDS, "creator", "has_password", "people",
              "created_at", "updated_at")  # fmt: skip
    readonly_fields = (*MODERATION_FIELDS, "creator", "has_password", "people", "created_at", "updated_at")
    actions = ("close", "reopen")

    @admin.display(description="closed", boolean=True, ordering="moderated_at")
    def closed(self, obj: Room) -> bool:
        return obj.moderated_at is not None

    @admin.display(description="password", boolean=True)
    def has_password(self, obj: Room) -> bool:
        return bool(obj.password_hash)

    @admin.display(description="members and messages")
    def people(self, obj: Room) -> str:
        return format_html(
            "{} · {}",
            _filtered_link("roommember", obj, "Members (remove them there)"),
            _filtered_link("roommessage", obj, "Messages"),
        )

    def save_object(self, request, obj, form, change):
        data = form.cleaned_data
        services.room_update(
            actor=request.user,
            room=obj,
            name=data["name"],
            description=data["description"] or "",
            is_private=data["is_private"],
        )

    def delete_object(self, request, obj):
        services.room_delete(actor=request.user, room=obj)

    close = hide_action(
        "Close the selected rooms (nobody reads, posts or joins; members and history stay)",
        "Closed",
        lambda actor, room, reason: services.room_close(actor=actor, room=room, reason=reason),
    )
    reopen = moderation_action(
        "Reopen the selected rooms",
        "Reopened",
        lambda actor, room: services.room_reopen(actor=actor, room=room),
    )


@admin.register(RoomMember)
class RoomMemberAdmin(ModerationAdmin):
    """Adding calls ``member_add``; deleting removes the member (``member_remove``): moderation, open to admins."""

    list_display = ("room", "user", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("room", "user")
    search_fields = ("room__name", "user__username")
    autocomplete_fields = ("room", "user")
    date_hierarchy = "joined_at"
    allow_add = True

    def get_fields(self, request, obj=None):
        return ("room", "user", "role", "joined_at") if obj else ("room", "user")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Member roles change for whoever may administer the room (its owner, super admins).
        if permissions.can_administer_room(request.user, obj.room):
            return ("room", "user", "joined_at")
        return ("room", "user", "role", "joined_at")

    def save_object(self, request, obj, form, change):
        if not change:
            member = services.member_add(actor=request.user, room=obj.room, user=obj.user)
            obj.pk, obj.role, obj.joined_at = member.pk, member.role, member.joined_at
        elif "role" in form.changed_data:
            services.member_set_role(actor=request.user, room=obj.room, user=obj.user, role=obj.role)

    def delete_object(self, request, obj):
        services.member_remove(actor=request.user, room=obj.room, user=obj.user)


@admin.register(RoomMessage)
class RoomMessageAdmin(MessageSearchAdmin):
    """Moderators edit or delete messages; open room pages see it at once (the services broadcast)."""

    list_display = ("id", "room", "user", "message_type", "short_content", "edited_at", "created_at")
    list_filter = ("message_type",)
    list_select_related = ("room", "user")
    search_fields = ("content",)  # searched through the full-text index, see MessageSearchAdmin
    people_fields = ("user",)
    room_field = "room"
    date_hierarchy = "created_at"
    fields = ("room", "user", "message_type", "content", "created_at", "edited_at")

    def get_readonly_fields(self, request, obj=None):
        fields = ("room", "user", "message_type", "created_at", "edited_at")
        if obj is not None and not permissions.can_edit_room_message(request.user, obj):
            fields += ("content",)  # join, leave and system lines are not edited
        return fields

    edit_message = staticmethod(services.room_message_edit)
    delete_message = staticmethod(services.room_message_delete)
