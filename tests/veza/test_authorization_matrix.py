"""The authorization matrix: who gets what from every URL of Veza.

``MATRIX`` has one entry per route of the URL configuration (``veza/urls.py`` and everything it
includes: pages, the API under /api/v1/, the schema and docs, probes, /media/ and the moderation
console), and in it one row per HTTP method (and target object) with the expected answer for each
actor, in the order of the columns::

    anon, other, member, room_admin, owner, admin, super

- ``anon``: not signed in; ``other``: a plain user with no link to the objects;
- ``member`` and ``room_admin``: a member and an admin of both rooms (``MemberRole``);
- ``owner``: the owner of both rooms and of every object in the URL (track, file, product, listing,
  room message), and the author of the direct messages;
- ``admin`` and ``super``: the site roles ``admin`` (moderator) and ``super_admin``.

An answer is a status code, or a redirect: ``LOGIN`` (to the login page), ``ADMIN_LOGIN`` (to the
console's login), ``MOVED`` (anywhere else) or a ``Redirect`` to a given path (``{pk}`` and the other
parameters of the row are filled in). The rules they follow: what an actor may not see answers
404 (never a 403 that would tell it exists), what it sees but may not change answers 403, the API
answers 401 without credentials and pages send to the login page, bad input answers 400.

Every row requests the same world (``authz.build_world``, built once in a transaction that is rolled
back at the end); each request is rolled back too, so none changes what another row or actor gets.
Write requests send a valid body (``BODIES``) so that the status shows the decision on access, not a
validation error.

The console's pages of each registered model are generated from ``ADMIN_MODELS`` (who may add,
change and delete, and which object the pages show); their answers add ``LISTED`` (back to the
model's list: done), ``CONFIRM`` (the confirmation of ``delete_selected``) and ``LIST`` (the list
again: no action offered). The console's other pages are rows of ``MATRIX``.

Adding a route or a method makes ``test_every_route_has_rows`` or ``test_every_method_has_a_row`` fail,
naming it. To add its rows:

1. add ``"/the/route/<int:pk>/": {"METHOD target": (anon, other, member, room_admin, owner, admin,
   super)}`` to ``MATRIX``, the route written as in the failure message (``everyone(200)``,
   ``users(200)`` and ``console(200, 200)`` spell the usual columns);
2. ``target`` names an object of the world (``private_room``, ``public_track``, ...; see ``CASES`` and
   ``authz.build_world``) that fills the route's parameters; ``key=value`` words fill the others and a
   ``?...`` word is the query string (``"active_product op=deactivate"``, ``"?q=open"``);
3. for a write, add the body to ``BODIES`` under ``(METHOD, route)``;
4. for a newly registered ModelAdmin, add its model to ``ADMIN_MODELS``.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory, override_settings
from django.urls import resolve
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from media import streaming
from tests.accounts.conftest import png_bytes  # noqa: F401
from tests.accounts.factories import PASSWORD
from tests.media.conftest import untagged_wav  # noqa: F401
from tests.veza import authz
from tests.veza.authz import ACTORS, ADMIN_LOGIN, LOGIN, MOVED, Multipart, Redirect, Rendered

pytestmark = pytest.mark.django_db


def everyone(answer):
    return (answer,) * len(ACTORS)


def users(answer, anon=401):
    """Refused without an account (401 from the API, ``LOGIN`` for pages), ``answer`` for every account."""
    return (anon,) + (answer,) * (len(ACTORS) - 1)


def console(admin_answer, super_answer):
    """The moderation console: everyone without a staff role is sent to its login page."""
    return (ADMIN_LOGIN,) * (len(ACTORS) - 2) + (admin_answer, super_answer)


# Where the room pages send back to.
ROOMS = Redirect("ROOMS", "/rooms/")
ROOM = Redirect("ROOM", "/rooms/{pk}/")
SETTINGS = Redirect("SETTINGS", "/rooms/{pk}/edit/")

# fmt: off
MATRIX = {
    # --- the site, probes and metrics ----------------------------------------------------------------
    #                                                anon   other  member r.admin owner admin super
    "/": {"GET": everyone(200)},
    "/healthz": {"GET": everyone(200)},
    "/readyz": {"GET": everyone(200)},
    "/metrics": {"GET": everyone(200)},  # allowed to the scraper's address (METRICS_ALLOWED_IPS), not to users
    "/api/v1/schema/": {"GET": everyone(200)},
    "/api/v1/docs/": {"GET": everyone(200)},
    # --- account pages ---------------------------------------------------------------------------------
    "/accounts/signup/": {
        "GET":                                          (200,   MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
        "POST":                                         everyone(MOVED),
    },
    "/accounts/login/": {
        "GET":                                          (200,   MOVED, MOVED, MOVED, MOVED, MOVED, MOVED),
        "POST":                                         everyone(MOVED),
    },
    "/accounts/logout/": {"POST": everyone(MOVED)},
    "/accounts/profile/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/accounts/password/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/accounts/password/done/": {"GET": everyone(200)},
    "/accounts/password/reset/": {"GET": everyone(200), "POST": everyone(MOVED)},
    "/accounts/password/reset/sent/": {"GET": everyone(200)},
    "/accounts/password/reset/<uidb64>/<token>/": {
        "GET reset_link":                               everyone(MOVED),
        "POST reset_link":                              everyone(MOVED),
    },
    "/accounts/password/reset/complete/": {"GET": everyone(200)},
    "/accounts/verify/resend/": {"POST": users(MOVED, LOGIN)},
    "/accounts/verify/<str:token>/": {"GET verify_link": everyone(200)},
    "/u/<str:username>/": {"GET owner": everyone(200), "GET gone": everyone(404)},
    # --- marketplace pages --------------------------------------------------------------------------------
    "/shop/": {"GET": everyone(200)},
    "/shop/listings/": {"GET": everyone(200)},
    "/shop/products/<int:pk>/": {
        "GET active_product":                           everyone(200),
        "GET inactive_product":                         (404,   404,   404,   404,   200,   200,   200),
    },
    "/shop/listings/<int:pk>/": {
        "GET active_listing":                           everyone(200),
        "GET draft_listing":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/shop/seller/<str:username>/": {"GET owner": everyone(200), "GET gone": everyone(404)},
    "/shop/mine/": {"GET": users(200, LOGIN)},
    "/shop/mine/products/new/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/shop/mine/products/<int:pk>/edit/": {
        "GET active_product":                           (LOGIN, 403,   403,   403,   200,   200,   200),
        "GET inactive_product":                         (LOGIN, 404,   404,   404,   200,   200,   200),
        "POST active_product":                          (LOGIN, 403,   403,   403,   MOVED, MOVED, MOVED),
    },
    "/shop/mine/products/<int:pk>/<str:op>/": {
        "POST active_product op=deactivate":            (LOGIN, 403,   403,   403,   MOVED, MOVED, MOVED),
        "POST inactive_product op=delete":              (LOGIN, 404,   404,   404,   MOVED, 403,   MOVED),
    },
    "/shop/mine/listings/new/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/shop/mine/listings/<int:pk>/edit/": {
        "GET active_listing":                           (LOGIN, 403,   403,   403,   200,   200,   200),
        "GET draft_listing":                            (LOGIN, 404,   404,   404,   200,   200,   200),
        "POST draft_listing":                           (LOGIN, 404,   404,   404,   MOVED, MOVED, MOVED),
    },
    "/shop/mine/listings/<int:pk>/<str:op>/": {
        "POST draft_listing op=publish":                (LOGIN, 404,   404,   404,   MOVED, MOVED, MOVED),
        "POST active_listing op=delete":                (LOGIN, 403,   403,   403,   MOVED, 403,   MOVED),
    },
    # --- catalogue pages and stored files ---------------------------------------------------------------
    "/search": {"GET ?q=open": everyone(200)},
    "/tracks/": {"GET": everyone(200)},
    "/tracks/upload/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/tracks/mine/": {"GET": users(200, LOGIN)},
    "/tracks/<int:pk>/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/tracks/<int:pk>/edit/": {
        "GET public_track":                             (LOGIN, 403,   403,   403,   200,   200,   200),
        "GET private_track":                            (LOGIN, 404,   404,   404,   200,   200,   200),
        "POST public_track":                            (LOGIN, 403,   403,   403,   MOVED, MOVED, MOVED),
    },
    "/tracks/<int:pk>/delete/": {
        "POST public_track":                            (LOGIN, 403,   403,   403,   MOVED, 403,   MOVED),
        "POST private_track":                           (LOGIN, 404,   404,   404,   MOVED, 403,   MOVED),
    },
    "/artists/<str:artist>/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/artists/<str:artist>/albums/<str:album>/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/media/<path:path>": {
        "GET public_file":                              everyone(200),
        "GET private_file":                             (404,   404,   404,   404,   200,   200,   200),
        "GET signed_private_file":                      everyone(200),
        "GET private_file ?expires=1&signature=forged": everyone(403),
        "GET avatar":                                   everyone(200),
    },
    # --- room pages -----------------------------------------------------------------------------------------
    "/rooms/": {"GET": users(200, LOGIN)},
    "/rooms/new/": {"GET": users(200, LOGIN), "POST": users(MOVED, LOGIN)},
    "/rooms/join/": {
        "GET":                                          users(200, LOGIN),
        "POST private_room":                            (LOGIN, 404,   ROOM,  ROOM,  ROOM,  404,   404),
    },
    "/rooms/<int:pk>/": {
        "GET private_room":                             (LOGIN, 404,   200,   200,   200,   404,   404),
        "GET public_room":                              users(200, LOGIN),
    },
    "/rooms/<int:pk>/edit/": {
        "GET private_room":                             (LOGIN, 404,   403,   200,   200,   404,   404),
        "GET public_room":                              (LOGIN, 403,   403,   200,   200,   200,   200),
        "POST private_room":                            (LOGIN, 404,   403,   SETTINGS, SETTINGS, 404, 404),
        "POST public_room":                             (LOGIN, 403,   403,   SETTINGS, SETTINGS, SETTINGS, SETTINGS),
        "POST public_room op=delete":                   (LOGIN, 403,   403,   403,   ROOMS, 403,   ROOMS),
        "POST private_room op=transfer":                (LOGIN, 404,   403,   403,   SETTINGS, 404, 404),
    },
    "/rooms/<int:pk>/leave/": {  # the owner is sent back to the room: hand it over first
        "POST private_room":                            (LOGIN, 404,   ROOMS, ROOMS, ROOM,  404,   404),
    },
    # --- direct message pages --------------------------------------------------------------------------------
    "/messages/": {"GET": users(200, LOGIN)},
    "/messages/<str:username>/": {"GET peer": users(200, LOGIN), "GET gone": users(404, LOGIN)},
    # --- API: accounts -------------------------------------------------------------------------------------------
    "/api/v1/auth/register": {"POST": everyone(201)},
    "/api/v1/auth/login": {"POST": everyone(200)},
    "/api/v1/auth/refresh": {"POST": everyone(200)},
    "/api/v1/auth/logout": {
        "POST":                                         (204,   401,   401,   401,   204,   401,   401),
    },
    "/api/v1/auth/password": {"POST": users(200)},
    "/api/v1/auth/me": {"GET": users(200)},
    "/api/v1/users/": {"GET": users(200)},
    "/api/v1/users/me": {"GET": users(200), "PATCH": users(200)},
    "/api/v1/users/me/avatar": {"PUT": users(200), "DELETE": users(204)},
    "/api/v1/users/<int:pk>/": {"GET owner": everyone(200), "GET gone": everyone(404)},
    # --- API: marketplace -------------------------------------------------------------------------------------
    "/api/v1/products/": {"GET": everyone(200), "POST": users(201)},
    "/api/v1/products/<pk>/": {
        "GET active_product":                           everyone(200),
        "GET inactive_product":                         (404,   404,   404,   404,   200,   200,   200),
        "PATCH active_product":                         (401,   403,   403,   403,   200,   200,   200),
        "PATCH inactive_product":                       (401,   404,   404,   404,   200,   200,   200),
        "DELETE active_product":                        (401,   403,   403,   403,   204,   403,   204),
        "DELETE inactive_product":                      (401,   404,   404,   404,   204,   403,   204),
    },
    "/api/v1/listings/": {"GET": everyone(200), "POST": users(201)},
    "/api/v1/listings/<pk>/": {
        "GET active_listing":                           everyone(200),
        "GET draft_listing":                            (404,   404,   404,   404,   200,   200,   200),
        "PATCH active_listing":                         (401,   403,   403,   403,   200,   200,   200),
        "PATCH draft_listing":                          (401,   404,   404,   404,   200,   200,   200),
        "DELETE active_listing":                        (401,   403,   403,   403,   204,   403,   204),
        "DELETE draft_listing":                         (401,   404,   404,   404,   204,   403,   204),
    },
    "/api/v1/listings/<pk>/publish/": {
        "POST draft_listing":                           (401,   404,   404,   404,   200,   200,   200),
    },
    "/api/v1/listings/<pk>/mark-sold/": {
        "POST active_listing":                          (401,   403,   403,   403,   200,   200,   200),
    },
    "/api/v1/listings/<pk>/archive/": {
        "POST active_listing":                          (401,   403,   403,   403,   200,   200,   200),
        "POST draft_listing":                           (401,   404,   404,   404,   200,   200,   200),
    },
    # --- API: files, tracks, search ---------------------------------------------------------------------------
    "/api/v1/files/": {"GET": users(200), "POST": users(201)},
    "/api/v1/files/<int:pk>/": {
        "GET public_file":                              users(200),
        "GET private_file":                             (401,   404,   404,   404,   200,   200,   200),
        "PATCH public_file":                            (401,   403,   403,   403,   200,   200,   200),
        "PATCH private_file":                           (401,   404,   404,   404,   200,   200,   200),
        "DELETE public_file":                           (401,   403,   403,   403,   204,   403,   204),
        "DELETE private_file":                          (401,   404,   404,   404,   204,   403,   204),
    },
    "/api/v1/tracks/": {"GET": everyone(200), "POST": users(201)},
    "/api/v1/tracks/<pk>/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
        "PATCH public_track":                           (401,   403,   403,   403,   200,   200,   200),
        "PATCH private_track":                          (401,   404,   404,   404,   200,   200,   200),
        "DELETE public_track":                          (401,   403,   403,   403,   204,   403,   204),
        "DELETE private_track":                         (401,   404,   404,   404,   204,   403,   204),
    },
    "/api/v1/tracks/<pk>/stream/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/api/v1/tracks/<pk>/stream-url/": {
        "GET public_track":                             everyone(200),
        "GET private_track":                            (404,   404,   404,   404,   200,   200,   200),
    },
    "/api/v1/search/": {"GET ?q=open": everyone(200)},
    "/api/v1/search/autocomplete/": {"GET ?q=op": everyone(200)},
    # --- API: rooms ------------------------------------------------------------------------------------------
    "/api/v1/rooms/": {"GET": users(200), "POST": users(201)},
    "/api/v1/rooms/<int:pk>/": {
        "GET private_room":                             (401,   404,   200,   200,   200,   404,   404),
        "GET public_room":                              users(200),
        "PATCH private_room":                           (401,   404,   403,   200,   200,   404,   404),
        "PATCH public_room":                            (401,   403,   403,   200,   200,   200,   200),
        "DELETE private_room":                          (401,   404,   403,   403,   204,   404,   404),
        "DELETE public_room":                           (401,   403,   403,   403,   204,   403,   204),
    },
    "/api/v1/rooms/<int:pk>/join": {
        "POST private_room":                            (401,   404,   200,   200,   200,   404,   404),
        "POST public_room":                             users(200),
    },
    "/api/v1/rooms/<int:pk>/leave": {
        "POST private_room":                            (401,   404,   204,   204,   400,   404,   404),
        "POST public_room":                             (401,   204,   204,   204,   400,   204,   204),
    },
    "/api/v1/rooms/<int:pk>/transfer": {
        "POST private_room":                            (401,   404,   403,   403,   204,   404,   404),
        "POST public_room":                             (401,   403,   403,   403,   204,   403,   204),
    },
    "/api/v1/rooms/<int:pk>/members/": {
        "GET private_room":                             (401,   404,   200,   200,   200,   404,   404),
        "GET public_room":                              users(200),
        "POST private_room":                            (401,   404,   403,   201,   201,   404,   404),
        "POST public_room":                             (401,   403,   403,   201,   201,   201,   201),
    },
    "/api/v1/rooms/<int:pk>/members/<int:user_id>/": {
        "PATCH private_room_member":                    (401,   404,   403,   403,   200,   404,   404),
        "PATCH public_room_member":                     (401,   403,   403,   403,   200,   403,   200),
        "DELETE private_room_member":                   (401,   404,   403,   204,   204,   404,   404),
        "DELETE public_room_member":                    (401,   403,   403,   204,   204,   204,   204),
    },
    "/api/v1/rooms/<int:pk>/messages/": {
        "GET private_room":                             (401,   404,   200,   200,   200,   404,   404),
        "GET public_room":                              users(200),
        "POST private_room":                            (401,   404,   201,   201,   201,   404,   404),
        "POST public_room":                             (401,   403,   201,   201,   201,   403,   403),
    },
    "/api/v1/rooms/<int:pk>/messages/<int:message_id>/": {
        "PATCH private_room_message":                   (401,   404,   403,   403,   200,   404,   404),
        "PATCH public_room_message":                    (401,   403,   403,   403,   200,   200,   200),
        "DELETE private_room_message":                  (401,   404,   403,   204,   204,   404,   404),
        "DELETE public_room_message":                   (401,   403,   403,   204,   204,   204,   204),
    },
    # --- API: direct messages --------------------------------------------------------------------------------
    "/api/v1/chat/conversations/": {"GET": users(200)},
    "/api/v1/chat/dm/<int:user_id>/": {
        "GET peer":                                     users(200),
        "GET gone":                                     users(404),
        "POST peer":                                    users(201),
        "POST gone":                                    users(404),
    },
    "/api/v1/chat/dm/<int:user_id>/read": {"POST peer": users(200)},
    "/api/v1/chat/dm/<int:user_id>/<int:message_id>/": {
        "PATCH dm":                                     (401,   404,   404,   404,   200,   404,   404),
        "PATCH dm_from_peer":                           (401,   404,   404,   404,   403,   404,   404),
    },
    # --- the moderation console (each model's pages: ADMIN_MODELS) -------------------------------------------
    "/admin/": {"GET": console(200, 200)},
    "/admin/dashboard/": {"GET": console(200, 200)},
    "/admin/login/": {
        "GET":                                          (200,   200,   200,   200,   200,   MOVED, MOVED),
        "POST":                                         everyone(200),  # the owner's password: not staff
    },
    "/admin/logout/": {"POST": everyone(MOVED)},
    "/admin/password_change/": {"GET": console(200, 200), "POST": console(200, 200)},
    "/admin/password_change/done/": {"GET": console(200, 200)},
    "/admin/autocomplete/": {
        "GET ?app_label=rooms&model_name=roommember&field_name=user&term=o": console(200, 200),
    },
    "/admin/jsi18n/": {"GET": console(200, 200)},
    "/admin/r/<path:content_type_id>/<path:object_id>/": {"GET owner_on_site": console(MOVED, MOVED)},
    "/admin/<app_label>/": {"GET app_label=rooms": console(200, 200)},
    "/admin/<url>": {"GET url=no-such-page/": console(404, 404)},
}
# fmt: on

# Who may add, change and delete each model in the console, and the object its pages show.
STAFF, SUPER, NOBODY = "admin and super", "super only", "nobody"
ADMIN_MODELS = {
    "accounts.user": ("other", NOBODY, STAFF, SUPER),
    "accounts.refreshtoken": ("refresh_token", NOBODY, NOBODY, SUPER),
    "accounts.auditlog": ("audit_row", NOBODY, NOBODY, NOBODY),
    "chat.message": ("dm", NOBODY, STAFF, STAFF),
    "rooms.room": ("private_room", NOBODY, STAFF, SUPER),
    "rooms.roommember": ("private_room_member", STAFF, STAFF, STAFF),
    "rooms.roommessage": ("private_room_message", NOBODY, STAFF, STAFF),
    "media.file": ("private_file", NOBODY, STAFF, SUPER),
    "catalog.track": ("private_track", NOBODY, STAFF, SUPER),
    "search.searchindex": ("search_row", NOBODY, NOBODY, NOBODY),
    "marketplace.product": ("inactive_product", NOBODY, STAFF, SUPER),
    "marketplace.listing": ("draft_listing", NOBODY, STAFF, SUPER),
}


def _console_rows(label: str, target: str, add: str, change: str, delete: str) -> dict[str, dict]:
    """The rows of one model's pages in the console (list, add, object, change, history, delete)."""
    base = "/admin/" + label.replace(".", "/") + "/"
    obj = f"{base}<path:object_id>/"
    listed = Redirect("LISTED", base)  # back to the list: the change or the deletion is done
    deleted = listed if change != NOBODY else Redirect("INDEX", "/admin/")  # Django's way for view-only lists
    # delete_selected from the list: its confirmation page, or refused: back to the list with an error,
    # or the list itself when no action at all is left to the actor
    confirm = Rendered("CONFIRM", "admin/delete_selected_confirmation.html")
    actions = admin.site._registry[apps.get_model(label)].actions
    refused = listed if actions else Rendered("LIST", "admin/change_list.html")

    def who(rule: str, allowed, refused):
        return console(allowed if rule == STAFF else refused, refused if rule == NOBODY else allowed)

    return {
        base: {"GET": console(200, 200), f"POST {target}": who(delete, confirm, refused)},
        f"{base}add/": {"GET": who(add, 200, 403), "POST": who(add, 200, 403)},
        obj: {f"GET {target}": console(MOVED, MOVED)},
        f"{obj}change/": {f"GET {target}": console(200, 200), f"POST {target}": who(change, listed, 403)},
        f"{obj}history/": {f"GET {target}": console(200, 200)},
        f"{obj}delete/": {f"GET {target}": who(delete, 200, 403), f"POST {target}": who(delete, deleted, 403)},
    }


for _label, _spec in ADMIN_MODELS.items():
    for _route, _rows in _console_rows(_label, *_spec).items():
        MATRIX.setdefault(_route, {}).update(_rows)

# Only a super admin changes a super admin's account.
MATRIX["/admin/accounts/user/<path:object_id>/change/"].update(
    {"GET super": console(200, 200), "POST super": console(403, Redirect("LISTED", "/admin/accounts/user/"))}
)


# --- the objects in the URLs, and the bodies of writes -------------------------------------------------------


# What a target fills besides ``pk`` and ``object_id`` (the id of the world's object of that name, if any).
CASES = {
    "owner": lambda w: {"username": w.owner.username},
    "peer": lambda w: {"user_id": w.peer.pk, "username": w.peer.username},
    "gone": lambda w: {"user_id": w.gone.pk, "username": w.gone.username},
    "private_room_member": lambda w: {"pk": w.private_room.pk, "user_id": w.member.pk},
    "public_room_member": lambda w: {"pk": w.public_room.pk, "user_id": w.member.pk},
    "private_room_message": lambda w: {"pk": w.private_room.pk, "message_id": w.private_room_message.pk},
    "public_room_message": lambda w: {"pk": w.public_room.pk, "message_id": w.public_room_message.pk},
    "dm": lambda w: {"user_id": w.peer.pk, "message_id": w.dm.pk},
    "dm_from_peer": lambda w: {"user_id": w.peer.pk, "message_id": w.dm_from_peer.pk},
    "private_file": lambda w: {"path": w.private_file.path},
    "public_file": lambda w: {"path": w.public_file.path},
    "signed_private_file": lambda w: {"path": w.private_file.path, "?": streaming.signed_query(w.private_file.path)[0]},
    "avatar": lambda w: {"path": w.avatar},
    "private_track": lambda w: {"artist": w.private_track.artist, "album": w.private_track.album},
    "public_track": lambda w: {"artist": w.public_track.artist, "album": w.public_track.album},
    "reset_link": lambda w: {
        "uidb64": urlsafe_base64_encode(force_bytes(w.owner.pk)),
        "token": default_token_generator.make_token(w.owner),
    },
    "verify_link": lambda w: {"token": account_services.verification_token(w.owner)},
    "owner_on_site": lambda w: {
        "content_type_id": ContentType.objects.get_for_model(w.owner).pk,
        "object_id": w.owner.pk,
    },
}


def values(world, target: str) -> dict:
    """The URL parameters of a row's target, its name (``"target"``) and its query string (``"?"``)."""
    name, *extras = target.split() or [""]
    if "=" in name or name.startswith("?"):
        name, extras = "", [name, *extras]
    obj = getattr(world, name, None) if name else None
    found = {"target": name, **({"pk": obj.pk, "object_id": obj.pk} if hasattr(obj, "pk") else {})}
    found.update(CASES[name](world) if name in CASES else {})
    for extra in extras:
        key, _, value = extra.partition("=")
        found.update({"?": extra[1:]} if extra.startswith("?") else {key: value})
    return found


NEW_PASSWORD = "a fresh passphrase, 42 times"
PRODUCT = {"name": "New pack", "description": "Beats", "price": "5.00", "category": "Beats"}
LISTING = {"title": "New amp", "description": "Loud", "price": "50.00"}


def _wav(world) -> SimpleUploadedFile:
    return SimpleUploadedFile("song.wav", world.wav, content_type="audio/wav")


def _change_form(world, values: dict) -> dict:
    """The change form of the console as it stands (saving it changes nothing), as a super admin sees it."""
    obj = getattr(world, values["target"])
    model_admin = admin.site._registry[type(obj)]
    request = RequestFactory().get("/")
    request.user = world.super
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value not in (None, False, []):
            data[name] = "on" if value is True else value
    return data


# (method, route): the body, or a function of the world and the row's values returning it.
BODIES = {
    ("POST", "/accounts/signup/"): {"username": "newcomer", "email": "newcomer@example.org",
                                    "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    ("POST", "/accounts/login/"): {"username": "owner", "password": PASSWORD},
    ("POST", "/accounts/profile/"): {"first_name": "Ada", "last_name": "Lovelace", "bio": "Hello"},
    ("POST", "/accounts/password/"): {"old_password": PASSWORD, "new_password1": NEW_PASSWORD,
                                      "new_password2": NEW_PASSWORD},
    ("POST", "/accounts/password/reset/"): {"email": "owner@example.org"},
    ("POST", "/accounts/password/reset/<uidb64>/<token>/"): {"new_password1": NEW_PASSWORD,
                                                             "new_password2": NEW_PASSWORD},
    ("POST", "/shop/mine/products/new/"): PRODUCT,
    ("POST", "/shop/mine/products/<int:pk>/edit/"): PRODUCT,
    ("POST", "/shop/mine/listings/new/"): LISTING,
    ("POST", "/shop/mine/listings/<int:pk>/edit/"): LISTING,
    ("POST", "/tracks/upload/"): lambda w, v: {"file": _wav(w), "title": "New song", "is_public": "on"},
    ("POST", "/tracks/<int:pk>/edit/"): {"title": "Renamed", "artist": "Artist", "album": "Album", "genre": "Pop",
                                         "is_public": "on"},
    ("POST", "/rooms/new/"): {"name": "A new room"},
    ("POST", "/rooms/join/"): lambda w, v: {"room": v["pk"], "password": ""},
    ("POST", "/rooms/<int:pk>/edit/"): lambda w, v: {"op": v.get("op", "save"), "name": "Renamed room",
                                                     "description": "Updated", "user": w.member.pk},
    ("POST", "/api/v1/auth/register"): {"username": "newcomer", "email": "newcomer@example.org",
                                        "password": NEW_PASSWORD},
    ("POST", "/api/v1/auth/login"): {"username": "owner", "password": PASSWORD},
    ("POST", "/api/v1/auth/refresh"): lambda w, v: {"refresh": w.refresh},
    ("POST", "/api/v1/auth/logout"): lambda w, v: {"refresh": w.refresh},
    ("POST", "/api/v1/auth/password"): {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    ("PATCH", "/api/v1/users/me"): {"bio": "Hello"},
    ("PUT", "/api/v1/users/me/avatar"): lambda w, v: Multipart({"avatar": SimpleUploadedFile("me.png", w.png)}),
    ("POST", "/api/v1/products/"): PRODUCT,
    ("PATCH", "/api/v1/products/<pk>/"): {"name": "Renamed pack"},
    ("POST", "/api/v1/listings/"): LISTING,
    ("PATCH", "/api/v1/listings/<pk>/"): {"title": "Renamed guitar"},
    ("POST", "/api/v1/files/"): lambda w, v: Multipart({"file": _wav(w)}),
    ("PATCH", "/api/v1/files/<int:pk>/"): {"is_public": True},
    ("POST", "/api/v1/tracks/"): lambda w, v: Multipart({"file": _wav(w), "title": "New song"}),
    ("PATCH", "/api/v1/tracks/<pk>/"): {"title": "Renamed"},
    ("POST", "/api/v1/rooms/"): {"name": "A new room"},
    ("PATCH", "/api/v1/rooms/<int:pk>/"): {"description": "Updated"},
    ("POST", "/api/v1/rooms/<int:pk>/join"): {"password": ""},
    ("POST", "/api/v1/rooms/<int:pk>/transfer"): lambda w, v: {"user": w.member.pk},
    ("POST", "/api/v1/rooms/<int:pk>/members/"): lambda w, v: {"user": w.peer.pk},
    ("PATCH", "/api/v1/rooms/<int:pk>/members/<int:user_id>/"): {"role": "admin"},
    ("POST", "/api/v1/rooms/<int:pk>/messages/"): {"content": "Hello"},
    ("PATCH", "/api/v1/rooms/<int:pk>/messages/<int:message_id>/"): {"content": "Edited"},
    ("POST", "/api/v1/chat/dm/<int:user_id>/"): {"content": "Hello"},
    ("PATCH", "/api/v1/chat/dm/<int:user_id>/<int:message_id>/"): {"content": "Edited"},
    ("POST", "/admin/login/"): {"username": "owner", "password": PASSWORD},
}  # fmt: skip
for _label in ADMIN_MODELS:
    _base = "/admin/" + _label.replace(".", "/") + "/"
    BODIES[("POST", _base)] = lambda w, v: {"action": "delete_selected", "_selected_action": [v["pk"]]}
    BODIES[("POST", f"{_base}<path:object_id>/change/")] = _change_form
    BODIES[("POST", f"{_base}<path:object_id>/delete/")] = {"post": "yes"}


# --- the tests ------------------------------------------------------------------------------------------------


def test_every_route_has_rows():
    routes, listed = set(authz.url_routes()), set(MATRIX)
    assert not routes - listed, "Routes without rows in MATRIX (see the module's docstring):\n" + "\n".join(
        sorted(routes - listed)
    )
    assert not listed - routes, "Rows of MATRIX for routes that do not exist:\n" + "\n".join(sorted(listed - routes))


def test_every_method_has_a_row():
    missing, extra = [], []
    for route in authz.url_routes().values():
        if route.methods is None:  # the console's pages: the rows list their methods
            continue
        if route.route not in MATRIX:  # test_every_route_has_rows names it
            continue
        listed = {key.split()[0] for key in MATRIX[route.route]} - {"HEAD", "OPTIONS"}
        missing += [f"{method} {route.route}" for method in sorted(route.methods - listed)]
        extra += [f"{method} {route.route}" for method in sorted(listed - route.methods)]
    assert not missing, "Methods without a row in MATRIX:\n" + "\n".join(missing)
    assert not extra, "Rows of MATRIX for methods the view does not implement:\n" + "\n".join(extra)


def test_every_model_of_the_console_is_described():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), f"Add to or remove from ADMIN_MODELS: {registered ^ set(ADMIN_MODELS)}"


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory, untagged_wav):  # noqa: F811
    """One world for the module, in a transaction rolled back at its end; each test runs in a savepoint of it.

    Passwords are hashed quickly here: the matrix is about access, and it logs in and signs up a lot.
    """
    hashers = ["django.contrib.auth.hashers.MD5PasswordHasher", *django_settings.PASSWORD_HASHERS]
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=hashers),
        transaction.atomic(),
    ):
        world = authz.build_world()
        world.objects["wav"] = untagged_wav
        yield world
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_root():
    """Replaces the suite's per-test media folder: the stored files of the world live as long as the world."""


@pytest.fixture
def world(built_world, png_bytes):  # noqa: F811
    built_world.objects["png"] = png_bytes
    return built_world


# (route, method, target, expected)
ROWS = [(route, *key.partition(" ")[::2], expected) for route, rows in MATRIX.items() for key, expected in rows.items()]


@pytest.mark.parametrize(("route", "method", "target", "expected"), ROWS, ids=[f"{m} {r} {t}" for r, m, t, _ in ROWS])
def test_authorization(world, route, method, target, expected):
    found = values(world, target)
    url = authz.fill(route, found) + (f"?{found['?']}" if "?" in found else "")
    assert authz.readable(resolve(urlsplit(url).path).route) == route, f"{url} does not reach {route}"
    body = BODIES.get((method, route))
    api = route.startswith("/api/")
    wrong = []
    for actor, want in zip(ACTORS, expected, strict=True):
        if isinstance(want, Redirect) and want.to:
            want = dataclasses.replace(want, to=want.to.format(**found))
        with transaction.atomic():  # every actor finds the world as it was built
            client = authz.client_for(world.actors[actor], api=api)
            data = body(world, found) if callable(body) else body
            response = authz.send(client, method, url, data, api=api)
            transaction.set_rollback(True)
        if not authz.matches(want, response):
            wrong.append(f"{actor} got {authz.shown(response)}, expected {want!r}")
    assert not wrong, f"{method} {url}: " + "; ".join(wrong)
