"""Files hidden by moderators: the owner cannot lift it, nobody else reaches the file or its bytes."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from media import services
from media.models import File

pytestmark = pytest.mark.django_db

REASON = "Malware in the tags"


@pytest.fixture
def file(owner, samples):
    return services.file_upload(user=owner, upload=SimpleUploadedFile("s.wav", samples["wav"]), is_public=True)


def test_hidden_file_is_out_of_reach_for_everyone_but_staff(api, file, owner, stranger, moderator, samples):
    assert Client().get(file.url).status_code == 200
    services.file_hide(actor=moderator, file=file, reason=REASON)
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/files/{file.pk}/").status_code == 404
    for who in (None, stranger, owner):
        client = Client()
        if who:
            client.force_login(who)
        assert client.get(file.url).status_code == 404
    api.force_authenticate(owner)
    assert api.get(f"/api/v1/files/{file.pk}/").json()["moderation"]["reason"] == REASON
    assert [row["moderation"]["reason"] for row in api.get("/api/v1/files/").json()["results"]] == [REASON]
    staff = Client()
    staff.force_login(moderator)
    assert b"".join(staff.get(file.url).streaming_content) == samples["wav"]


def test_owner_cannot_undo_a_file_hiding_through_api_or_service(api, file, owner, moderator):
    services.file_hide(actor=moderator, file=file, reason=REASON)
    api.force_authenticate(owner)
    assert api.patch(f"/api/v1/files/{file.pk}/", {"is_public": True}, format="json").status_code == 403
    assert api.patch(f"/api/v1/files/{file.pk}/", {"is_public": False}, format="json").status_code == 403
    for call in (
        lambda: services.file_set_public(actor=owner, file=file, is_public=True),
        lambda: services.file_restore(actor=owner, file=file),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert File.objects.get(pk=file.pk).moderation_reason == REASON


def test_staff_lift_a_file_hiding(file, moderator, stranger):
    with pytest.raises(PermissionDenied):
        services.file_hide(actor=stranger, file=file, reason="Mine")
    services.file_hide(actor=moderator, file=file, reason=REASON)
    services.file_restore(actor=moderator, file=file)
    assert Client().get(file.url).status_code == 200
    restored = File.objects.get(pk=file.pk)
    assert (restored.moderated_at, restored.moderated_by, restored.moderation_reason) == (None, None, None)


def test_the_moderators_account_can_go_and_the_hiding_stays(file, moderator):
    services.file_hide(actor=moderator, file=file, reason=REASON)
    moderator.delete()
    hidden = File.objects.get(pk=file.pk)
    assert hidden.moderated_by is None and hidden.moderation_reason == REASON
