"""Room pages: list, create, join, the live room page, settings and membership management."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from core import ratelimit
from core.errors import NotFound, Throttled
from core.forms import show_errors
from rooms import permissions, selectors, services
from rooms.forms import JoinForm, RoomForm
from rooms.models import MemberRole
from rooms.serializers import RoomMessageSerializer

HISTORY = 50


@login_required
def room_list(request: HttpRequest) -> HttpResponse:
    rooms = selectors.rooms_visible(request.user)
    return render(request, "rooms/list.html", {"rooms": rooms, "join_form": JoinForm()})


@login_required
def room_new(request: HttpRequest) -> HttpResponse:
    form = RoomForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            room = services.room_create(creator=request.user, **form.cleaned_data)
        except ValidationError as exc:
            show_errors(form, exc)
        else:
            return redirect("rooms:room", pk=room.pk)
    return render(request, "rooms/form.html", {"form": form, "title": "New room"})


@login_required
def room_join(request: HttpRequest) -> HttpResponse:
    form = JoinForm(request.POST or None, initial={"room": request.GET.get("room")})
    status = 200
    wait = None
    if request.method == "POST" and form.is_valid():
        room_id = form.cleaned_data["room"]
        try:
            services.room_join_by_id(user=request.user, room_id=room_id, password=form.cleaned_data["password"])
        except NotFound:
            form.add_error(None, "No such room, or a wrong password.")
            status = 404
        except Throttled as exc:
            form.add_error(None, str(exc))
            wait = exc.wait
        else:
            return redirect("rooms:room", pk=room_id)
    response = render(request, "rooms/join.html", {"form": form}, status=status)
    return ratelimit.throttled_response(response, wait) if wait else response


@login_required
def room_detail(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.room_for_viewer(request.user, pk)
    member = permissions.membership(request.user, room)
    closed = not permissions.is_open_to(request.user, room)  # its owner sees why, and no more
    history = [] if closed else list(reversed(selectors.messages(room)[:HISTORY]))
    return render(
        request,
        "rooms/room.html",
        {
            "room": room,
            "closed": closed,
            "member": member,
            "history": history,
            "history_json": RoomMessageSerializer(history, many=True).data,
            "members": selectors.members(room),
            "can_moderate": permissions.can_manage_room(request.user, room, member),
            "is_owner": member is not None and member.role == MemberRole.OWNER,
        },
    )


@login_required
def room_edit(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.room_for_viewer(request.user, pk)
    member = permissions.membership(request.user, room)
    if not permissions.can_manage_room(request.user, room, member):
        raise PermissionDenied
    initial = {"name": room.name, "description": room.description or "", "is_private": room.is_private}
    form = RoomForm(request.POST or None, initial=initial)
    op = request.POST.get("op", "save")
    status = 200
    if request.method == "POST" and (op != "save" or form.is_valid()):
        try:
            _room_action(request, room, op, form)
        except ValidationError as exc:
            if op == "save":
                show_errors(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
        except (PermissionDenied, NotFound) as exc:  # the page again, with the reason and the refusal's status
            messages.error(request, str(exc) or "You cannot do this.")
            status = 403 if isinstance(exc, PermissionDenied) else 404
        else:
            messages.success(request, "The room is deleted." if op == "delete" else "Done.")
            return redirect("rooms:list") if op == "delete" else redirect("rooms:edit", pk=room.pk)
    return render(
        request,
        "rooms/edit.html",
        {
            "form": form,
            "room": room,
            "members": selectors.members(room),
            "can_administer": permissions.can_administer_room(request.user, room, member),
        },
        status=status,
    )


def _room_action(request: HttpRequest, room, op: str, form: RoomForm) -> None:
    actor = request.user
    target = None
    if op in ("remove", "role", "transfer", "add"):
        value = request.POST.get("user", "")
        target = (
            account_selectors.user_get_public_by_username(username=value)
            if op == "add"
            else account_selectors.user_get_public(user_id=int(value) if value.isdigit() else 0)
        )
        if target is None:
            raise NotFound("No such user.")
    if op == "save":
        data = dict(form.cleaned_data)
        if not data["password"]:
            data.pop("password")
        services.room_update(actor=actor, room=room, **data)
    elif op == "add":
        services.member_add(actor=actor, room=room, user=target)
    elif op == "remove":
        services.member_remove(actor=actor, room=room, user=target)
    elif op == "role":
        services.member_set_role(actor=actor, room=room, user=target, role=request.POST.get("role", ""))
    elif op == "transfer":
        services.room_transfer(actor=actor, room=room, user=target)
    elif op == "delete":
        services.room_delete(actor=actor, room=room)
    else:
        raise NotFound("No such action.")


@login_required
@require_POST
def room_leave(request: HttpRequest, pk: int) -> HttpResponse:
    room = selectors.room_for_viewer(request.user, pk)
    try:
        services.room_leave(user=request.user, room=room)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("rooms:room", pk=room.pk)
    messages.success(request, f"You left {room.name}.")
    return redirect("rooms:list")
