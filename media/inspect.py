"""What an uploaded file really is, read from its bytes (never from the client's name or Content-Type)."""

from __future__ import annotations

import math
import unicodedata

import mutagen
from django.core.exceptions import ValidationError

from core.uploads import IMAGE_FORMATS, Inspected, Kind, Readable, clean_name, inspect_image, sniff

__all__ = ["Inspected", "Kind", "clean_name", "inspect", "inspect_audio", "inspect_image"]

# mutagen's class name -> (MIME type, extension)
AUDIO_FORMATS = {
    "MP3": ("audio/mpeg", ".mp3"),
    "FLAC": ("audio/flac", ".flac"),
    "OggVorbis": ("audio/ogg", ".ogg"),
    "OggOpus": ("audio/ogg", ".opus"),
    "WAVE": ("audio/wav", ".wav"),
    "MP4": ("audio/mp4", ".m4a"),
    "AAC": ("audio/aac", ".aac"),
}
# What the magic-number sniffer must say before mutagen is asked to parse the file.
AUDIO_CONTAINERS = {
    "audio/mpeg", "audio/x-flac", "audio/flac", "audio/ogg", "audio/x-wav", "audio/wav", "audio/mp4", "audio/m4a",
    "audio/x-m4a", "video/mp4", "audio/aac", "audio/x-aac",
}  # fmt: skip


def _first_tag(tags, *keys) -> str | None:
    if not tags:
        return None
    for key in keys:
        try:
            value = tags.get(key)
        except (KeyError, ValueError, TypeError):
            value = None
        if value:
            text = clean_tag(str(value[0] if isinstance(value, list) else value))
            if text:
                return text
    return None


def clean_tag(text: str) -> str:
    """A tag value safe to store and show: NFC, without control characters (NUL), lone surrogates or
    unassigned code points, at most 255 characters. Tags come from the file, never trusted."""
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cc", "Cs", "Cn"))
    return unicodedata.normalize("NFC", text).strip()[:255]


RIFF_INFO = {b"INAM": "title", b"IART": "artist", b"IPRD": "album", b"IGNR": "genre"}


def riff_info_tags(fileobj: Readable) -> dict:
    """Tags of a WAV file's RIFF ``LIST/INFO`` chunk (mutagen reads only ID3 in WAV)."""
    tags: dict = {}
    fileobj.seek(0)
    header = fileobj.read(12)
    if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
        return tags
    while True:
        chunk = fileobj.read(8)
        if len(chunk) < 8:
            break
        size = int.from_bytes(chunk[4:], "little")
        if chunk[:4] == b"LIST" and size <= 65536:
            body = fileobj.read(size)
            if body[:4] == b"INFO":
                position = 4
                while position + 8 <= len(body):
                    key, length = (
                        body[position : position + 4],
                        int.from_bytes(body[position + 4 : position + 8], "little"),
                    )
                    value = body[position + 8 : position + 8 + length].split(b"\x00", 1)[0]
                    if key in RIFF_INFO and value.strip():
                        tags[RIFF_INFO[key]] = clean_tag(value.decode("utf-8", "replace"))
                    position += 8 + length + (length % 2)
            break
        fileobj.seek(size + (size % 2), 1)
    fileobj.seek(0)
    return tags


def inspect_audio(fileobj: Readable) -> Inspected:
    """Identify an audio file by its bytes and read its duration and tags; ValidationError if it is not audio."""
    not_audio = ValidationError({"file": ["This file is not a supported audio file (MP3, FLAC, OGG, WAV, M4A/AAC)."]})
    if sniff(fileobj) not in AUDIO_CONTAINERS:
        raise not_audio
    try:
        audio = mutagen.File(fileobj, easy=True)
    except Exception as exc:  # mutagen raises many kinds of errors on broken files
        raise not_audio from exc
    finally:
        fileobj.seek(0)
    if audio is None or audio.info is None:
        raise not_audio
    name = type(audio).__name__.removeprefix("Easy")
    if name not in AUDIO_FORMATS:
        raise not_audio
    length = getattr(audio.info, "length", 0) or 0
    if not length > 0:
        raise ValidationError({"file": ["This audio file has no playable length."]})
    mime_type, extension = AUDIO_FORMATS[name]
    riff = riff_info_tags(fileobj) if name == "WAVE" else {}
    tags = {
        "title": _first_tag(audio.tags, "title"),
        "artist": _first_tag(audio.tags, "artist", "albumartist"),
        "album": _first_tag(audio.tags, "album"),
        "genre": _first_tag(audio.tags, "genre"),
    }
    tags = {key: value or riff.get(key) for key, value in tags.items()}
    return Inspected(Kind.AUDIO, mime_type, extension, duration=max(1, math.ceil(length)), tags=tags)


def inspect(fileobj: Readable) -> Inspected:
    """An audio file or an image, identified by content; anything else is refused."""
    sniffed = sniff(fileobj)
    if sniffed in IMAGE_FORMATS:
        return inspect_image(fileobj)
    if sniffed in AUDIO_CONTAINERS:
        return inspect_audio(fileobj)
    raise ValidationError({"file": ["Only audio files and images can be uploaded."]})
