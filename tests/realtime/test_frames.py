"""The frame registry: each client frame type has one handler, registered by its app and documented."""

import re
from pathlib import Path

import pytest

import realtime.consumer  # registers the protocol's own frame, ``ping``)
from realtime import frames
from realtime.frames import FrameError

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_client_frames() -> set[str]:
    """The types named in the first column of docs/api.md's "Client to server" table."""
    section = API_DOC.read_text().split("### Client to server", 1)[1]
    table = re.search(r"\| type \| fields \| effect \|\n\| --- \| --- \| --- \|\n((?:\|.*\n)+)", section).group(1)
    return {name for row in table.splitlines() for name in re.findall(r"`([a-z_.]+)`", row.split("|")[1])}


def test_the_api_docs_list_exactly_the_registered_frame_types():
    assert documented_client_frames() == set(frames.registered())


def test_the_apps_register_their_frames_when_ready():
    from accounts import frames as account_frames
    from chat import frames as chat_frames
    from rooms import frames as room_frames

    assert frames.HANDLERS["auth"] is account_frames.auth
    assert frames.HANDLERS["room.message"] is room_frames.room_message
    assert frames.HANDLERS["dm.send"] is chat_frames.dm_send


def test_a_frame_type_takes_one_handler():
    async def other(socket, content):
        pass

    with pytest.raises(ValueError, match="already has a handler"):
        frames.register("ping", other)
    assert frames.HANDLERS["ping"] is realtime.consumer.ping
    assert frames.register("ping", realtime.consumer.ping) is realtime.consumer.ping  # registering again is harmless


@pytest.mark.parametrize(
    ("content", "key"),
    [({}, "room"), ({"room": True}, "room"), ({"room": 0}, "room"), ({"room": 2**63}, "room"), ({"room": "1"}, "room")],
)
def test_an_id_field_is_a_positive_bigint(content, key):
    with pytest.raises(FrameError) as raised:
        frames.integer(content, key)
    assert raised.value.code == "invalid"


def test_strings_with_nul_or_lone_surrogates_are_refused_keys_included():
    for content in ({"content": "a\x00b"}, {"x\ud800": 1}, {"list": [{"deep": "\udfff"}]}):
        with pytest.raises(FrameError):
            frames.check_strings(content)
    frames.check_strings({"content": "fine é ♪", "list": [1, None, {"k": "v"}]})


@pytest.mark.parametrize(("content", "ref"), [({"ref": 7}, 7), ({"ref": "a"}, "a"), ({"ref": True}, None), ([], None)])
def test_ref_is_a_string_or_an_integer(content, ref):
    assert frames.ref(content) == ref
