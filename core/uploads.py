"""What an uploaded file is, read from its bytes (never from the client's name or Content-Type).

The parts no app owns: sniffing the magic number, checking an image (avatars, media uploads) and a
safe display name. Audio, which only media handles, is read in ``media.inspect``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import IO, Protocol, cast

import filetype
from django.core.exceptions import ValidationError

IMAGE_FORMATS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/gif": ".gif"}
HEAD_BYTES = 8192
# The largest image accepted, in pixels (a 40-megapixel photo), read from the header before any decoding:
# a small file may declare a huge canvas (a decompression bomb).
MAX_IMAGE_PIXELS = 40_000_000


class Readable(Protocol):
    """What inspection reads: an open binary file or an upload (Django's ``File`` proxies both)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


class Kind:
    AUDIO = "audio"
    IMAGE = "image"


@dataclass(frozen=True)
class Inspected:
    kind: str
    mime_type: str
    extension: str
    duration: int | None = None  # whole seconds, rounded up, for audio
    tags: dict | None = None  # title, artist, album, genre found in the file


def clean_name(name: str, *, fallback: str = "upload") -> str:
    """A display name safe to store: no folders, no control characters, NFC, at most 255 characters."""
    name = PureWindowsPath(PurePosixPath(name or "").name).name
    name = unicodedata.normalize("NFC", name)
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().strip(".")
    if not name:
        name = fallback
    if len(name) > 255:
        _, dot, ext = name.rpartition(".")
        ext = f".{ext}" if dot and 0 < len(ext) <= 10 else ""
        name = name[: 255 - len(ext)] + ext
    return name


def sniff(fileobj: Readable) -> str | None:
    """The MIME type the first bytes of ``fileobj`` announce (None: unknown); the file is rewound."""
    fileobj.seek(0)
    head = fileobj.read(HEAD_BYTES)
    fileobj.seek(0)
    guess = filetype.guess(head)
    return guess.mime if guess else None


def inspect_image(fileobj: Readable) -> Inspected:
    """Check that ``fileobj`` is a JPEG, PNG, WebP or GIF image of a sane size; ValidationError otherwise."""
    from PIL import Image, UnidentifiedImageError

    not_image = ValidationError({"file": ["This file is not a supported image (JPEG, PNG, WebP or GIF)."]})
    mime_type = sniff(fileobj)
    if mime_type not in IMAGE_FORMATS:
        raise not_image
    too_large = ValidationError({"file": [f"This image is too large: at most {MAX_IMAGE_PIXELS:,} pixels."]})
    try:
        with Image.open(cast(IO[bytes], fileobj)) as image:  # reads the header only: the size, not the pixels
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_large
            image.verify()
    except Image.DecompressionBombError as exc:  # Pillow's own limit, checked while opening
        raise too_large from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise not_image from exc
    finally:
        fileobj.seek(0)
    return Inspected(Kind.IMAGE, mime_type, IMAGE_FORMATS[mime_type])
