"""The machinery of the authorization matrix (``tests/veza/test_authorization_matrix.py``).

- :func:`url_routes` walks the URL configuration and returns every route with the HTTP methods its view
  implements, so the matrix can insist on a row for each of them;
- :func:`build_world` creates the objects the matrix requests and the users acting on them;
- :func:`send` makes one request as one actor (session cookie for pages, Bearer token under /api/);
- :class:`Redirect` is an expected 302 (to the login page, to the console's login, or elsewhere), and
  :class:`Rendered` an expected 200 page where the status alone would not tell two pages apart.
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from django.contrib import admin
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.generic.edit import ProcessFormView
from rest_framework_simplejwt.tokens import AccessToken

from accounts import tokens
from accounts.models import AuditLog, User
from marketplace.models import ListingStatus
from rooms.models import MemberRole
from search.models import SearchIndex
from tests.accounts.factories import PASSWORD, AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

# The columns of the matrix, in order.
ACTORS = ("anon", "other", "member", "room_admin", "owner", "admin", "super")

# --- expected answers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """An expected answer finer than a status code, shown in the matrix by its label."""

    label: str

    def __repr__(self) -> str:
        return self.label

    def matches(self, response) -> bool:
        raise NotImplementedError


@dataclass(frozen=True, repr=False)
class Redirect(Answer):
    """A 302 to exactly ``to`` (its path), or with ``to=None`` anywhere but a login page."""

    to: str | None = None

    def matches(self, response) -> bool:
        if response.status_code != 302:
            return False
        path = urlsplit(response["Location"]).path
        return path not in LOGIN_PAGES if self.to is None else path == self.to


@dataclass(frozen=True, repr=False)
class Rendered(Answer):
    """A 200 rendered with ``template`` (where two pages share a URL and a status)."""

    template: str

    def matches(self, response) -> bool:
        return response.status_code == 200 and self.template in {t.name for t in response.templates}


LOGIN_PAGES = ("/accounts/login/", "/admin/login/")
LOGIN = Redirect("LOGIN", "/accounts/login/")
ADMIN_LOGIN = Redirect("ADMIN_LOGIN", "/admin/login/")
MOVED = Redirect("MOVED")


def matches(expected, response) -> bool:
    return expected.matches(response) if isinstance(expected, Answer) else response.status_code == expected


def shown(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} to {response['Location']}"
    return str(response.status_code)


# --- the routes of the URL configuration -----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # "/api/v1/rooms/<int:pk>/": Django's route, regular expressions shown like routes
    methods: frozenset[str] | None  # None for the console's pages: the matrix lists their methods itself


def readable(raw: str) -> str:
    """A route as the matrix writes it: ``^tracks/(?P<pk>[^/.]+)/?$`` becomes ``/tracks/<pk>/``."""
    out, i = [], 0
    while i < len(raw):
        if raw.startswith("(?P<", i):
            name = raw[i + 4 : raw.index(">", i)]
            i = _group_end(raw, i)
            out.append(f"<{name}>")
        elif raw.startswith("\\Z", i):
            i += 2
        elif raw[i] == "\\":
            out.append(raw[i + 1])
            i += 2
        else:
            if raw[i] not in "^$?":  # anchors, and the optional slash of the API's routers
                out.append(raw[i])
            i += 1
    return "/" + "".join(out)


def _group_end(raw: str, start: int) -> int:
    """The index just after the group opening at ``start`` (character classes and escapes skipped)."""
    depth, i, in_class = 0, start, False
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group in {raw!r}")


def _required_methods(view) -> set[str] | None:
    """The methods of ``require_http_methods`` (``require_POST``, ``require_safe``) around ``view``, if any."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            value = cell.cell_contents
            if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.isupper() for v in value):
                return {method.lower() for method in value}
        view = getattr(view, "__wrapped__", None)
    return None


def view_methods(callback) -> frozenset[str]:
    """The HTTP methods a view implements, HEAD and OPTIONS aside (they follow GET, or answer generically)."""
    if hasattr(callback, "cls"):  # Django REST framework
        cls = callback.cls
        actions = getattr(callback, "actions", None)
        names = set(actions) if actions else {m for m in cls.http_method_names if hasattr(cls, m)}
        names &= set(cls.http_method_names)
    elif hasattr(callback, "view_class"):  # Django's class-based views
        cls = callback.view_class
        names = {m for m in cls.http_method_names if hasattr(cls, m)}
        if getattr(cls, "put", None) is ProcessFormView.put:
            names.discard("put")  # Django's form views take PUT as a synonym of POST
    else:  # functions: their decorators say, or they handle POST when their code reads it
        names = _required_methods(callback)
        if names is None:
            names = {"get", "post"} if _reads_post(inspect.unwrap(callback)) else {"get"}
    return frozenset(name.upper() for name in names - {"head", "options"})


def _reads_post(view) -> bool:
    """Whether a function view (or a function of its module that it calls) handles POST."""
    helpers = (view.__globals__.get(name) for name in view.__code__.co_names)
    functions = [view, *(f for f in helpers if inspect.isfunction(f) and f.__module__ == view.__module__)]
    return any(re.search(r"\bPOST\b", inspect.getsource(function)) for function in functions)


def _walk(patterns, prefix: str, in_console: bool):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            console = in_console or pattern.app_name == admin.site.name
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), console)
        elif isinstance(pattern, URLPattern):
            route = readable(prefix + str(pattern.pattern))
            yield Route(route, None if in_console else view_methods(pattern.callback))


def url_routes() -> dict[str, Route]:
    """Every route of the URL configuration, by its readable form."""
    found: dict[str, Route] = {}
    for route in _walk(get_resolver().url_patterns, "", False):
        assert route.route not in found, f"two URL patterns read {route.route}"
        found[route.route] = route
    return found


def fill(route: str, values: dict) -> str:
    """The URL of ``route`` with its parameters taken from ``values``."""

    def value(match: re.Match) -> str:
        name = match.group(1).rsplit(":", 1)[-1]
        return quote(str(values[name]), safe="/")

    return re.sub(r"<([^>]+)>", value, route)


# --- the world -------------------------------------------------------------------------------------

ROOM_PASSWORD = "open sesame"
STORED = b"\x00" * 1024  # the bytes of every stored file of the world (they are served, never parsed)


@dataclass
class World:
    """Everything the matrix requests. ``owner`` owns every object and both rooms."""

    actors: dict[str, User | None]
    peer: User  # the other side of the owner's direct messages; no column of its own
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name: str):
        try:
            return self.actors[name] if name in self.actors else self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


def _stored_file(owner: User, *, public: bool):
    file = FileFactory(user=owner, is_public=public, size=len(STORED))
    default_storage.save(file.path, ContentFile(STORED))
    return file


def build_world() -> World:
    """The world, with passwords hashed by the first of ``PASSWORD_HASHERS``."""
    password = make_password(PASSWORD)
    owner = UserFactory(username="owner", password=password, is_verified=False)
    actors = {
        "anon": None,
        "other": UserFactory(username="other", password=password),
        "member": UserFactory(username="member", password=password),
        "room_admin": UserFactory(username="roomadmin", password=password),
        "owner": owner,
        "admin": AdminFactory(username="moderator", password=password),
        "super": SuperAdminFactory(username="superadmin", password=password),
    }
    world = World(actors=actors, peer=UserFactory(username="peer", password=password))
    objects = world.objects
    objects["gone"] = UserFactory(username="gone", password=password, is_active=False)
    room_password = make_password(ROOM_PASSWORD)
    for kind, private in (("private", True), ("public", False)):
        room = RoomFactory(name=f"{kind} room", is_private=private, creator=owner,
                           password_hash=room_password if private else None)  # fmt: skip
        RoomMemberFactory(room=room, user=owner, role=MemberRole.OWNER)
        RoomMemberFactory(room=room, user=actors["room_admin"], role=MemberRole.ADMIN)
        objects[f"{kind}_room_member"] = RoomMemberFactory(room=room, user=actors["member"], role=MemberRole.MEMBER)
        objects[f"{kind}_room"] = room
        objects[f"{kind}_room_message"] = RoomMessageFactory(room=room, user=owner, content="Hello room")
        objects[f"{kind}_file"] = _stored_file(owner, public=not private)
        artist = "Hidden Artist" if private else "Open Artist"
        objects[f"{kind}_track"] = TrackFactory(
            file=_stored_file(owner, public=not private), creator=owner, artist=artist, album=f"{artist} Album"
        )
    objects["active_product"] = ProductFactory(creator=owner, name="Open beat pack")
    objects["inactive_product"] = ProductFactory(creator=owner, name="Hidden beat pack", is_active=False)
    objects["draft_listing"] = ListingFactory(seller=owner, title="Hidden guitar")
    objects["active_listing"] = ListingFactory(seller=owner, title="Open guitar", status=ListingStatus.ACTIVE)
    objects["dm"] = MessageFactory(sender=owner, recipient=world.peer, content="Hello peer")
    objects["dm_from_peer"] = MessageFactory(sender=world.peer, recipient=owner, content="Hello owner")
    objects["refresh"] = tokens.token_pair_issue(user=owner).refresh
    objects["refresh_token"] = owner.refresh_tokens.get()
    owner.bio = "Audited"
    owner.save(update_fields=["bio"])  # the audit trigger writes a row
    objects["audit_row"] = AuditLog.objects.filter(table_name="users", record_id=owner.pk).latest("id")
    objects["search_row"] = SearchIndex.objects.get(entity_type="track", entity_id=objects["public_track"].pk)
    objects["avatar"] = default_storage.save("avatars/owner.png", ContentFile(STORED))
    return world


# --- requests ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Multipart:
    """A request body sent as multipart/form-data (uploads), whatever the method."""

    data: dict


def client_for(user: User | None, *, api: bool) -> Client:
    """A client acting as ``user``: a Bearer access token for the API, the session cookie for pages."""
    client = Client(raise_request_exception=False)
    if user is not None:
        if api:
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {AccessToken.for_user(user)}"
        else:
            client.force_login(User.objects.get(pk=user.pk))  # the world's objects stay as they were built
    return client


def send(client: Client, method: str, url: str, body, *, api: bool):
    """One request: JSON bodies under /api/, form bodies for pages and uploads."""
    if body is None:
        return client.generic(method, url)
    if api and not isinstance(body, Multipart):
        return client.generic(method, url, json.dumps(body, default=str), "application/json")
    data = body.data if isinstance(body, Multipart) else body
    return client.generic(method, url, encode_multipart(BOUNDARY, data), MULTIPART_CONTENT)
