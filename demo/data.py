"""Demo data for a fresh Veza: people, rooms, messages, tracks, products and listings.

Idempotent: every object is looked up by its natural key first, so loading it
twice creates nothing new. The demo accounts share one random password, kept
in ``demo_credentials.txt`` under ``settings.VAR_DIR`` (mode 600) and printed by ``seed_demo``.
"""

from __future__ import annotations

import io
import math
import secrets
import struct
import uuid
import wave
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from accounts.models import Role, User
from catalog.models import Track
from chat.models import Message
from core import pagecache
from marketplace.models import Listing, ListingStatus, Product
from media.models import File
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage

CREDENTIALS_FILE_NAME = "demo_credentials.txt"

PEOPLE = [
    ("admin", Role.SUPER_ADMIN, "Ada", "Admin", "Runs this Veza."),
    ("moderator", Role.ADMIN, "Malik", "Mod", "Keeps the rooms friendly."),
    ("alice", Role.USER, "Alice", "Martin", "Producer. Lo-fi beats et chansons d'été."),
    ("bob", Role.USER, "Bob", "Durand", "Guitarist, gear collector."),
    ("chloe", Role.USER, "Chloé", "Bernard", "Singer-songwriter from Lyon."),
]

ROOMS = [
    ("general", "Everything music: say hello!", False, "alice", ["bob", "chloe", "moderator"]),
    ("beatmakers", "Share loops, samples and mixing tips.", False, "alice", ["bob"]),
    ("band-practice", "Private room of our band.", True, "bob", ["chloe"]),
]

ROOM_CHAT = {
    "general": [("alice", "Welcome to Veza! Drop your latest track here."), ("bob", "Salut tout le monde 👋")],
    "beatmakers": [("alice", "New sample pack coming this week."), ("bob", "Which compressor do you use on drums?")],
    "band-practice": [("bob", "Rehearsal on Friday at 7pm?"), ("chloe", "Works for me, I'll bring the new lyrics.")],
}

DIRECT = [("alice", "bob", "Can you play guitar on my next track?"), ("bob", "alice", "Sure, send me the stems.")]

# (title, artist, album, genre, owner, notes in Hz, public)
TRACKS = [
    ("Morning Arpeggio", "Alice Martin", "Demo Tones", "Ambient", "alice", [261.63, 329.63, 392.0, 523.25], True),
    ("Low Drone", "Bob Durand", "Demo Tones", "Drone", "bob", [110.0, 110.0, 146.83, 110.0], True),
    ("Chanson d'été", "Chloé Bernard", "Demo Tones", "Chanson", "chloe", [392.0, 440.0, 493.88, 587.33], True),
    ("Work in progress", "Alice Martin", "Sketches", "Lo-fi", "alice", [220.0, 261.63, 329.63, 261.63], False),
]

PRODUCTS = [
    ("Lo-fi drum kit", "120 one-shots recorded on tape.", "9.90", "Sample packs", "alice"),
    ("Mixing lesson (1 h)", "A one-to-one mixing session over video.", "35.00", "Lessons", "alice"),
    ("Chord progression pack", "MIDI progressions for pop and chanson française.", "4.50", "MIDI", "chloe"),
]

LISTINGS = [
    ("Fender Telecaster 2012", "Well kept, new strings, hard case included.", "650.00", ListingStatus.ACTIVE, "bob"),
    ("Boss DS-1 pedal", "Classic distortion, works perfectly.", "35.00", ListingStatus.ACTIVE, "bob"),
    ("Studio monitors (pair)", "Draft: photos coming.", "180.00", ListingStatus.DRAFT, "alice"),
]


@dataclass
class SeedReport:
    created: int = 0
    password: str | None = None

    @property
    def loaded_before(self) -> bool:
        return self.created == 0


def tone_wav(frequencies: list[float], *, note_seconds: float = 0.5, rate: int = 22050) -> bytes:
    """A mono 16-bit WAV playing ``frequencies`` one after the other, with short fades."""
    frames = bytearray()
    per_note = int(rate * note_seconds)
    fade = int(rate * 0.02)
    for frequency in frequencies:
        for i in range(per_note):
            envelope = min(1.0, i / fade, (per_note - i) / fade)
            sample = 0.4 * envelope * math.sin(2 * math.pi * frequency * i / rate)
            frames += struct.pack("<h", int(sample * 32767))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(frames))
    return buffer.getvalue()


def credentials_file() -> Path:
    """Where the demo accounts' password is kept: in the folder of local state (``var/`` by default)."""
    return Path(settings.VAR_DIR) / CREDENTIALS_FILE_NAME


def _password() -> str:
    path = credentials_file()
    if path.exists():
        return path.read_text().split()[-1]
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"password for every demo account: {password}\n")
    path.chmod(0o600)
    return password


def seed() -> SeedReport:
    report = SeedReport()
    password = _password()
    stored: list[str] = []
    try:
        with transaction.atomic():
            _seed(report, password, stored)
            pagecache.changed(*pagecache.TOPICS)  # written with the ORM, not through the services
    except BaseException:
        for name in stored:  # the rows were rolled back: drop their objects too
            default_storage.delete(name)
        raise
    report.password = password
    return report


def _seed(report: SeedReport, password: str, stored: list[str]) -> None:
    # Hashing is slow on purpose (Argon2): only when a demo account is missing.
    existing = set(
        User.objects.filter(username__in=[person[0] for person in PEOPLE]).values_list("username", flat=True)
    )
    hashed = make_password(password) if len(existing) < len(PEOPLE) else ""
    users = {}
    for username, role, first, last, bio in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@veza.test",
                "password": hashed,
                "role": role,
                "first_name": first,
                "last_name": last,
                "bio": bio,
                "is_verified": True,
            },
        )
        users[username] = user
        report.created += created

    now = timezone.now()
    for name, description, private, owner, members in ROOMS:
        room, created = Room.objects.get_or_create(
            name=name,
            defaults={
                "description": description,
                "is_private": private,
                "creator": users[owner],
                "password_hash": make_password(secrets.token_urlsafe(16)) if private else None,
            },
        )
        if not created:
            continue
        report.created += 1
        RoomMember.objects.create(room=room, user=users[owner], role=MemberRole.OWNER)
        RoomMember.objects.bulk_create(RoomMember(room=room, user=users[m], role=MemberRole.MEMBER) for m in members)
        RoomMessage.objects.bulk_create(
            [
                RoomMessage(room=room, user=users[m], content=f"{m} joined", message_type=MessageType.JOIN)
                for m in members
            ]
            + [
                RoomMessage(room=room, user=users[author], content=text, created_at=now + timedelta(seconds=i))
                for i, (author, text) in enumerate(ROOM_CHAT[name])
            ]
        )

    if not Message.objects.filter(sender=users["alice"], recipient=users["bob"]).exists():
        for i, (sender, recipient, text) in enumerate(DIRECT):
            Message.objects.create(
                sender=users[sender], recipient=users[recipient], content=text, timestamp=now + timedelta(seconds=i)
            )
            report.created += 1

    for title, artist, album, genre, owner, notes, public in TRACKS:
        if Track.objects.filter(title=title, creator=users[owner]).exists():
            continue
        data = tone_wav(notes)
        filename = f"{uuid.uuid4().hex}.wav"
        name = default_storage.save(f"audio/{filename}", ContentFile(data))
        stored.append(name)
        file = File.objects.create(
            user=users[owner],
            filename=filename,
            original_name=f"{title}.wav",
            mime_type="audio/wav",
            size=len(data),
            path=name,
            url=default_storage.url(name),
            is_public=public,
        )
        Track.objects.create(
            title=title,
            artist=artist,
            album=album,
            genre=genre,
            duration=max(1, round(len(notes) * 0.5)),
            file=file,
            creator=users[owner],
        )
        report.created += 1

    for name, description, price, category, owner in PRODUCTS:
        _, created = Product.objects.get_or_create(
            name=name,
            creator=users[owner],
            defaults={"description": description, "price": Decimal(price), "category": category},
        )
        report.created += created

    for title, description, price, status, seller in LISTINGS:
        _, created = Listing.objects.get_or_create(
            title=title,
            seller=users[seller],
            defaults={"description": description, "price": Decimal(price), "status": status},
        )
        report.created += created
