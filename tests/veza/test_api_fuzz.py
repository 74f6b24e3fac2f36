"""Property-based fuzzing of the REST API against its own OpenAPI schema (schemathesis).

Every operation of ``/api/v1/schema/`` is called with generated requests, valid and invalid, anonymously
and as a logged-in user, in-process through the WSGI application: the same database transaction as the
test (rolled back after each operation) and the real PostgreSQL and Redis. Each response must not be a
server error and must conform to the schema: a documented status code, content type and body.

The budget is fixed (``MAX_EXAMPLES`` per operation and mode, derandomized, no example database), so a run
makes the same requests every time. Select these tests with ``-m fuzz``, leave them out with ``-m "not fuzz"``.
"""

from __future__ import annotations

import io
import itertools
import os
import wave

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from werkzeug.test import Client

from accounts.models import User
from catalog import services as catalog_services
from chat import services as chat_services
from marketplace import services as market_services
from rooms import services as room_services
from tests.accounts.factories import PASSWORD, UserFactory

# Generated requests per operation and generation mode (valid, invalid), besides the coverage phase's
# boundary cases. VEZA_FUZZ_EXAMPLES=200 makes a deeper run.
MAX_EXAMPLES = int(os.environ.get("VEZA_FUZZ_EXAMPLES", "20"))
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",  # an operation that declares authentication refuses a missing or invalid token
)

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": 20251126,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "deterministic": True},
        # Coverage: deterministic boundary and wrong-type cases for each parameter and field.
        # Stateful: off, the schema describes no links between operations.
        "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
        "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
    }
)
# No deadline and no "too slow" health check: timings on a shared CI machine must not fail a run. The
# world of a logged-in run is made once per operation and shared by its examples on purpose.
SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", APP, config=CONFIG)

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _one_connection():
    """Keep the test's database connection (and its transaction) across the in-process requests.

    Django's WSGI handler closes "old" connections when a request starts and ends; its test client
    turns that off in the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def wav_bytes(seconds: float = 0.5) -> bytes:
    """A short silent WAV (PCM, mono): real audio the upload services accept."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * int(8000 * seconds))
    return buffer.getvalue()


class World:
    """Rows of every kind that a logged-in user owns or can see, so generated ids can hit real ones."""

    def __init__(self, user: User):
        self.user = user
        self.calls = itertools.count()
        self.peer = UserFactory(username="fuzzpeer")
        self.room = room_services.room_create(creator=user, name="fuzz-room", description="Fuzzing")
        room_services.room_join(user=self.peer, room=self.room)
        self.room_message = room_services.room_message_send(user=user, room=self.room, content="hello")
        self.direct_message = chat_services.dm_send(sender=user, recipient=self.peer, content="hi")
        upload = SimpleUploadedFile("tone.wav", wav_bytes(), content_type="audio/wav")
        self.track = catalog_services.track_upload(creator=user, upload=upload, title="Tone", is_public=True)
        self.product = market_services.product_create(
            creator=user, name="Beat", description="A beat", price="9.99", category="Beats"
        )
        self.listing = market_services.listing_create(seller=user, title="Guitar", description="Old", price="100")

    def ids(self, path: str) -> dict[str, int]:
        """Real ids for the path parameters of ``path``."""
        section = path.removeprefix("/api/v1/").split("/")[0]
        resource = {
            "rooms": self.room,
            "tracks": self.track,
            "files": self.track.file,
            "products": self.product,
            "listings": self.listing,
            "users": self.peer,
        }.get(section)
        message = self.room_message if section == "rooms" else self.direct_message
        return {
            "id": resource.pk if resource else 0,
            "user_id": self.peer.pk,
            "message_id": message.pk,
        }

    def aim(self, case) -> None:
        """Point the integer path parameters of two calls in three at real rows.

        Fuzzed ids are mostly unknown ones (a 404 at once); real ones reach the code behind the lookup.
        """
        if next(self.calls) % 3 == 0:
            return
        real = self.ids(case.operation.path)
        for name, value in (case.path_parameters or {}).items():
            if isinstance(value, int) and not isinstance(value, bool) and name in real:
                case.path_parameters[name] = real[name]


@pytest.fixture
def member(db):
    return UserFactory(username="fuzzer")


@pytest.fixture
def bearer(member):
    """A Bearer header from a real login, through the same application."""
    response = Client(APP).post("/api/v1/auth/login", json={"username": "fuzzer", "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json['access']}"}


@pytest.fixture
def world(member):
    return World(member)


@schema.parametrize()
@SETTINGS
def test_api_anonymous(case):
    case.call_and_validate()


@schema.parametrize()
@SETTINGS
def test_api_logged_in(case, world, bearer):
    world.aim(case)
    case.call_and_validate(headers=bearer)
