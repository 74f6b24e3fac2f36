"""The ``messages`` table, partitioned by month on ``timestamp``.

PostgreSQL requires the partition key in the primary key, so the table is
created here by SQL with PRIMARY KEY (id, "timestamp") while the model state
keys on ``id`` (one sequence feeds every partition, so ``id`` stays unique).
``messages_default`` receives rows of any month that has no partition yet.
"""

import django.db.models.deletion
import django.db.models.functions.datetime
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from chat.partitions import ensure_partitions

CREATE_SQL = """
CREATE SEQUENCE messages_id_seq;
CREATE TABLE messages (
    id bigint NOT NULL DEFAULT nextval('messages_id_seq'),
    from_user bigint NOT NULL,
    to_user bigint NULL,
    room varchar(100) NULL,
    content text NOT NULL,
    is_read boolean NOT NULL DEFAULT false,
    edited_at timestamp with time zone NULL,
    "timestamp" timestamp with time zone NOT NULL DEFAULT now(),
    created_at timestamp with time zone NOT NULL DEFAULT now(),
    updated_at timestamp with time zone NOT NULL DEFAULT now(),
    CONSTRAINT messages_pkey PRIMARY KEY (id, "timestamp"),
    CONSTRAINT fk_messages_from_user FOREIGN KEY (from_user)
        REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT fk_messages_to_user FOREIGN KEY (to_user)
        REFERENCES users(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    CONSTRAINT ck_messages_content_length CHECK (char_length(content) BETWEEN 1 AND 10000),
    CONSTRAINT ck_messages_target CHECK (to_user IS NOT NULL OR room IS NOT NULL)
) PARTITION BY RANGE ("timestamp");
ALTER SEQUENCE messages_id_seq OWNED BY messages.id;
CREATE TABLE messages_default PARTITION OF messages DEFAULT;
CREATE INDEX idx_messages_from_user ON messages (from_user);
CREATE INDEX idx_messages_to_user ON messages (to_user);
CREATE INDEX idx_messages_room ON messages (room);
CREATE INDEX idx_messages_timestamp ON messages ("timestamp");
CREATE INDEX idx_messages_conversation ON messages (from_user, to_user, "timestamp" DESC);
CREATE INDEX idx_messages_content_fts ON messages USING gin (to_tsvector('french', content));
"""


def create_current_partitions(apps, schema_editor):
    ensure_partitions(3)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    CREATE_SQL, reverse_sql="DROP TABLE messages; DROP SEQUENCE IF EXISTS messages_id_seq;"
                ),
            ],
            state_operations=[
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("room", models.CharField(blank=True, max_length=100, null=True)),
                        ("content", models.TextField()),
                        ("is_read", models.BooleanField(db_default=False, default=False)),
                        ("edited_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "timestamp",
                            models.DateTimeField(
                                db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now
                            ),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(
                                db_default=django.db.models.functions.datetime.Now(),
                                default=django.utils.timezone.now,
                                editable=False,
                            ),
                        ),
                        (
                            "updated_at",
                            models.DateTimeField(auto_now=True, db_default=django.db.models.functions.datetime.Now()),
                        ),
                        (
                            "recipient",
                            models.ForeignKey(
                                blank=True,
                                db_column="to_user",
                                db_index=False,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="received_messages",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "sender",
                            models.ForeignKey(
                                db_column="from_user",
                                db_index=False,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="sent_messages",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "messages",
                        "ordering": ["-timestamp", "-id"],
                        "indexes": [
                            models.Index(fields=["sender"], name="idx_messages_from_user"),
                            models.Index(fields=["recipient"], name="idx_messages_to_user"),
                            models.Index(fields=["room"], name="idx_messages_room"),
                            models.Index(fields=["timestamp"], name="idx_messages_timestamp"),
                            models.Index(
                                models.F("sender"),
                                models.F("recipient"),
                                models.OrderBy(models.F("timestamp"), descending=True),
                                name="idx_messages_conversation",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("content__length__range", (1, 10000))),
                                name="ck_messages_content_length",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("recipient__isnull", False), ("room__isnull", False), _connector="OR"
                                ),
                                name="ck_messages_target",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(create_current_partitions, migrations.RunPython.noop),
    ]
