"""Foreign keys with the schema's names and ON DELETE rules, enforced by PostgreSQL."""

from django.db import migrations

from core.db import foreign_key


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0001_initial"),
    ]

    operations = [
        foreign_key("rooms", "creator_id", "users", name="fk_rooms_creator_id", on_delete="SET NULL"),
        foreign_key("room_members", "room_id", "rooms", name="fk_room_members_room_id", on_delete="CASCADE"),
        foreign_key("room_members", "user_id", "users", name="fk_room_members_user_id", on_delete="CASCADE"),
        foreign_key("room_messages", "room_id", "rooms", name="fk_room_messages_room_id", on_delete="CASCADE"),
        foreign_key("room_messages", "user_id", "users", name="fk_room_messages_user_id", on_delete="SET NULL"),
    ]
