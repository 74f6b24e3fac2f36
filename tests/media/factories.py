import factory

from media.models import File
from tests.accounts.factories import UserFactory


class FileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = File

    user = factory.SubFactory(UserFactory)
    filename = factory.Sequence(lambda n: f"{n:032x}.wav")
    original_name = "song.wav"
    mime_type = "audio/wav"
    size = 1024
    path = factory.LazyAttribute(lambda f: f"audio/{f.filename}")
    url = factory.LazyAttribute(lambda f: f"/media/audio/{f.filename}")
    is_public = True
