"""A server killed in the middle of an upload leaves no row without its object; the object it may leave
without a row is what ``cleanup_orphan_files`` removes (once old enough), leaving everything else alone."""

import io
import os
import socket
import wave
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services as account_services
from catalog.models import Track
from media import services
from media.models import File
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.e2e.conftest import SERVER_APP_NAME, start_server, stop_servers
from tests.faults.conftest import wait_until

pytestmark = pytest.mark.timeout(120)
BOUNDARY = "veza-fault-boundary"


def wav(seconds: float) -> bytes:
    """A silent mono WAV file (44.1 kHz, 16 bits): about 88 kB a second."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(44100)
        out.writeframes(b"\0\0" * int(44100 * seconds))
    return buffer.getvalue()


def multipart(data: bytes, name: str = "song.wav") -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def open_upload(server, token: str, length: int) -> socket.socket:
    """A raw HTTP upload whose headers are sent: the body follows with ``sendall``."""
    address = urlsplit(server.url)
    sock = socket.create_connection((address.hostname, address.port), timeout=30)
    sock.sendall(
        (
            "POST /api/v1/files/ HTTP/1.1\r\n"
            f"Host: {address.netloc}\r\n"
            f"Authorization: Bearer {token}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {length}\r\n"
            "Connection: close\r\n\r\n"
        ).encode()
    )
    return sock


def upload(server, token: str, body: bytes) -> bytes:
    """The whole upload; the server's answer."""
    with open_upload(server, token, len(body)) as sock:
        sock.sendall(body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return answer


def stored_objects(root) -> dict[str, int]:
    """Every object under the media folder, with its size."""
    found = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, root)] = os.path.getsize(path)
    return found


def kill(server) -> None:
    server.process.kill()
    server.process.wait(10)


@pytest.fixture
def uploader(transactional_db, settings):
    user = UserFactory(username="uploader")
    running = start_server(settings)
    yield running, user, str(AccessToken.for_user(user))
    stop_servers(running)


def test_killed_while_the_body_streams_leaves_neither_row_nor_object(uploader, settings):
    server, _, token = uploader
    body = multipart(wav(90))  # about 8 MB: spooled to a temporary file, not to the storage
    sock = open_upload(server, token, len(body))
    sock.sendall(body[: len(body) // 2])
    kill(server)
    sock.close()
    assert not File.objects.exists()
    assert stored_objects(settings.MEDIA_ROOT) == {}


def server_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh figures, even inside a transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND application_name = %s AND wait_event_type = 'Lock'",
            [SERVER_APP_NAME],
        )
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("seconds", [30, 90], ids=["in-memory", "temporary-file"])
def test_killed_between_the_object_and_its_row_leaves_an_orphan_that_cleanup_removes(
    uploader, settings, seconds, capsys
):
    server, user, token = uploader
    assert b" 201 " in upload(server, token, multipart(wav(1), "kept.wav")).split(b"\r\n", 1)[0]
    kept = File.objects.get()
    avatar = account_services.user_set_avatar(user=user, upload=SimpleUploadedFile("me.png", png())).avatar

    data = wav(seconds)
    body = multipart(data)
    # Hold inserts into files: the server writes the object, then waits on its INSERT, uncommitted.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE files IN EXCLUSIVE MODE")
        sock = open_upload(server, token, len(body))
        sock.sendall(body)
        orphan = wait_until(
            lambda: next((name for name, size in stored_objects(settings.MEDIA_ROOT).items()
                          if size == len(data) and name != kept.path), None),
            what="the object to be written",
        )  # fmt: skip
        wait_until(server_waits_for_a_lock, what="the server to wait on its INSERT")
        kill(server)
        sock.close()
    # Released: the killed server's transaction never commits.
    wait_until(lambda: not server_waits_for_a_lock(), what="the killed server's session to end")
    assert list(File.objects.values_list("pk", flat=True)) == [kept.pk]
    assert set(stored_objects(settings.MEDIA_ROOT)) == {kept.path, avatar, orphan}

    call_command("cleanup_orphan_files")  # just written: within the grace period, maybe in flight
    assert orphan in stored_objects(settings.MEDIA_ROOT)
    call_command("cleanup_orphan_files", "--older-than", "0", "--dry-run")
    assert f"would delete orphan object {orphan}" in capsys.readouterr().out
    assert orphan in stored_objects(settings.MEDIA_ROOT)

    call_command("cleanup_orphan_files", "--older-than", "0")
    out = capsys.readouterr().out
    assert f"deleted orphan object {orphan}" in out
    assert "1 orphan object(s) deleted, 0 files row(s) without an object." in out
    assert set(stored_objects(settings.MEDIA_ROOT)) == {kept.path, avatar}  # the legitimate ones stay


def png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "purple").save(buffer, "PNG")
    return buffer.getvalue()


def test_cleanup_reports_rows_without_object_and_deletes_them_with_their_tracks_on_request(db, settings, capsys):
    owner = UserFactory(username="owner")
    intact = services.file_upload(user=owner, upload=SimpleUploadedFile("a.wav", wav(1)))
    lost = services.file_upload(user=owner, upload=SimpleUploadedFile("b.wav", wav(1)))
    track = TrackFactory(file=lost)
    default_storage.delete(lost.path)  # the disk lost it

    call_command("cleanup_orphan_files")
    out = capsys.readouterr().out
    assert f"kept files row {lost.pk} of owner: object {lost.path} is missing" in out
    assert "0 orphan object(s) deleted, 1 files row(s) without an object." in out
    call_command("cleanup_orphan_files", "--delete-missing-rows", "--dry-run")
    assert f"would delete files row {lost.pk}" in capsys.readouterr().out
    assert File.objects.filter(pk=lost.pk).exists()

    call_command("cleanup_orphan_files", "--delete-missing-rows")
    assert f"deleted files row {lost.pk}" in capsys.readouterr().out
    assert list(File.objects.values_list("pk", flat=True)) == [intact.pk]
    assert not Track.objects.filter(pk=track.pk).exists()
    assert default_storage.exists(intact.path)


def test_grace_period_is_measured_from_the_object_write(db, settings, capsys):
    old, young = (
        default_storage.save("audio/old.wav", io.BytesIO(b"x")),
        default_storage.save("audio/young.wav", io.BytesIO(b"y")),
    )
    two_hours_ago = (timezone.now() - timedelta(hours=2)).timestamp()
    os.utime(default_storage.path(old), (two_hours_ago, two_hours_ago))
    call_command("cleanup_orphan_files")
    assert "1 orphan object(s) deleted" in capsys.readouterr().out
    assert not default_storage.exists(old)
    assert default_storage.exists(young)


def test_cleanup_refuses_a_negative_grace_period(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("cleanup_orphan_files", "--older-than", "-1")


def test_nothing_to_clean_on_an_empty_storage(db, capsys):
    call_command("cleanup_orphan_files")
    assert "0 orphan object(s) deleted, 0 files row(s) without an object." in capsys.readouterr().out
