import factory

from catalog.models import Track
from tests.media.factories import FileFactory


class TrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Track

    title = factory.Sequence(lambda n: f"Track {n}")
    artist = "Artist"
    album = "Album"
    duration = 180
    genre = "Pop"
    file = factory.SubFactory(FileFactory)
    creator = factory.SelfAttribute("file.user")
