import io
import wave

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from accounts.models import Role, User
from catalog.models import Track
from chat.models import Message
from demo import data as demo
from marketplace.models import Listing, Product
from media.models import File
from rooms.models import Room, RoomMember, RoomMessage

pytestmark = pytest.mark.django_db

MODELS = [User, Room, RoomMember, RoomMessage, Message, File, Track, Product, Listing]


@pytest.fixture(autouse=True)
def _credentials(tmp_path, settings):
    settings.VAR_DIR = tmp_path


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_seed_demo_loads_everything_once(capsys, tmp_path):
    call_command("seed_demo")
    first = counts()
    assert all(first.values()), first
    assert User.objects.get(username="admin").role == Role.SUPER_ADMIN
    assert User.objects.get(username="moderator").role == Role.ADMIN
    assert Room.objects.filter(is_private=True).exists()
    assert Room.objects.filter(is_private=False).exists()
    assert Message.objects.filter(recipient__isnull=False).exists()
    out = capsys.readouterr().out
    assert demo.credentials_file() == tmp_path / "demo_credentials.txt"
    password = demo.credentials_file().read_text().split()[-1]
    assert password in out
    assert User.objects.get(username="admin").check_password(password)

    call_command("seed_demo")
    assert counts() == first
    assert "already loaded" in capsys.readouterr().out


def test_demo_tracks_are_playable_wav_files():
    demo.seed()
    for track in Track.objects.select_related("file"):
        with default_storage.open(track.file.path) as handle:
            data = handle.read()
        assert len(data) == track.file.size
        with wave.open(io.BytesIO(data)) as audio:
            seconds = audio.getnframes() / audio.getframerate()
        assert track.duration == round(seconds)
        assert track.file.mime_type == "audio/wav"


def test_prepare_demo_applies_what_is_missing_then_loads_the_demo_data_once(capsys):
    from demo.management.commands.prepare_demo import unapplied_migrations

    assert unapplied_migrations() == []  # the test database is migrated: prepare_demo skips migrate
    call_command("prepare_demo")
    out = capsys.readouterr().out
    assert "partition(s) created" in out
    assert "Demo data loaded" in out
    first = counts()
    assert all(first.values()), first

    call_command("prepare_demo")
    assert "already loaded" in capsys.readouterr().out
    assert counts() == first
