"""/api/v1/rooms/: rooms, membership, roles and messages. Hidden rooms answer 404, never 403."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts.models import User
from core.pagination import MessageCursorPagination, message_bounds
from core.schema import errors
from rooms import selectors, services
from rooms.models import RoomMember, RoomMessage
from rooms.serializers import (
    JoinSerializer,
    MemberAddSerializer,
    MemberRoleSerializer,
    MemberSerializer,
    MessageEditSerializer,
    MessageWriteSerializer,
    RoomMessageSerializer,
    RoomSerializer,
    RoomUpdateSerializer,
    RoomWriteSerializer,
)

BOUNDS = [
    OpenApiParameter("after", OpenApiTypes.INT, description="Only messages with a greater id (resync)."),
    OpenApiParameter("before", OpenApiTypes.INT, description="Only messages with a smaller id."),
]


def active_user(user_id: int, *, field: str | None = None) -> User:
    """An active account: a 404 (or a field error for request bodies) otherwise."""
    user = account_selectors.user_get_public(user_id=user_id)
    if user is None:
        if field:
            raise exceptions.ValidationError({field: ["No such user."]})
        raise exceptions.NotFound("No such user.")
    return user


class RoomListView(generics.ListAPIView):
    serializer_class = RoomSerializer

    @extend_schema(
        parameters=[OpenApiParameter("mine", OpenApiTypes.BOOL, description="Only rooms I belong to.")],
        tags=["rooms"],
    )
    def get(self, request, *args, **kwargs):
        """Public rooms and my rooms."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        rooms = selectors.rooms_visible(self.request.user)
        if self.request.query_params.get("mine") in ("true", "1"):
            rooms = rooms.filter(is_member=True)
        return rooms

    @extend_schema(request=RoomWriteSerializer, responses={201: RoomSerializer}, tags=["rooms"])
    def post(self, request: Request) -> Response:
        """Create a room; I become its owner. A private room may have a password to join it."""
        data = RoomWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        room = services.room_create(creator=request.user, **data.validated_data)
        return Response(RoomSerializer(selectors.room_for_viewer(request.user, room.pk)).data, status=201)


class RoomDetailView(APIView):
    @extend_schema(responses=RoomSerializer, tags=["rooms"])
    def get(self, request: Request, pk: int) -> Response:
        return Response(RoomSerializer(selectors.room_for_viewer(request.user, pk)).data)

    @extend_schema(request=RoomUpdateSerializer, responses=RoomSerializer, tags=["rooms"])
    def patch(self, request: Request, pk: int) -> Response:
        """Owner and admins edit the room (an empty password removes it)."""
        room = selectors.room_for_viewer(request.user, pk)
        data = RoomUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.room_update(actor=request.user, room=room, **data.validated_data)
        return Response(RoomSerializer(selectors.room_for_viewer(request.user, pk)).data)

    @extend_schema(responses={204: None}, tags=["rooms"])
    def delete(self, request: Request, pk: int) -> Response:
        """The owner deletes the room and its messages."""
        services.room_delete(actor=request.user, room=selectors.room_for_viewer(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomJoinView(APIView):
    @extend_schema(request=JoinSerializer, responses={200: MemberSerializer, **errors(429)}, tags=["rooms"])
    def post(self, request: Request, pk: int) -> Response:
        """Join a public room, or a private one with its password (404 for a wrong password, as for no room).

        Wrong passwords (and unknown rooms) are counted per user and room: past the limit, 429 with
        ``Retry-After`` until the window ends.
        """
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.room_join_by_id(user=request.user, room_id=pk, password=data.validated_data["password"])
        return Response(MemberSerializer(member).data)


class RoomLeaveView(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["rooms"])
    def post(self, request: Request, pk: int) -> Response:
        services.room_leave(user=request.user, room=selectors.room_for_viewer(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class RoomTransferView(APIView):
    @extend_schema(request=MemberAddSerializer, responses={204: None}, tags=["rooms"])
    def post(self, request: Request, pk: int) -> Response:
        """The owner hands the room over to another member (and becomes an admin)."""
        room = selectors.room_for_viewer(request.user, pk)
        data = MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = active_user(data.validated_data["user"], field="user")
        services.room_transfer(actor=request.user, room=room, user=user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListView(generics.ListAPIView):
    serializer_class = MemberSerializer
    queryset = RoomMember.objects.none()  # the schema's model; get_queryset() answers requests

    @extend_schema(tags=["rooms"])
    def get(self, request, *args, **kwargs):
        """The room's members and their roles."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.members(selectors.room_for_viewer(self.request.user, self.kwargs["pk"]))

    @extend_schema(request=MemberAddSerializer, responses={201: MemberSerializer}, tags=["rooms"])
    def post(self, request: Request, pk: int) -> Response:
        """Owner and admins add a user."""
        room = selectors.room_for_viewer(request.user, pk)
        data = MemberAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = active_user(data.validated_data["user"], field="user")
        member = services.member_add(actor=request.user, room=room, user=user)
        return Response(MemberSerializer(member).data, status=status.HTTP_201_CREATED)


class MemberDetailView(APIView):
    @extend_schema(request=MemberRoleSerializer, responses=MemberSerializer, tags=["rooms"])
    def patch(self, request: Request, pk: int, user_id: int) -> Response:
        """The owner changes a member's role (admin or member)."""
        room = selectors.room_for_viewer(request.user, pk)
        data = MemberRoleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = active_user(user_id)
        member = services.member_set_role(actor=request.user, room=room, user=user, role=data.validated_data["role"])
        return Response(MemberSerializer(member).data)

    @extend_schema(responses={204: None}, tags=["rooms"])
    def delete(self, request: Request, pk: int, user_id: int) -> Response:
        """Owner and admins remove a member; their sockets stop receiving the room at once."""
        room = selectors.room_for_viewer(request.user, pk)
        services.member_remove(actor=request.user, room=room, user=active_user(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageListView(generics.ListAPIView):
    serializer_class = RoomMessageSerializer
    queryset = RoomMessage.objects.none()  # the schema's model; get_queryset() answers requests
    pagination_class = MessageCursorPagination

    @extend_schema(parameters=BOUNDS, tags=["rooms"])
    def get(self, request, *args, **kwargs):
        """The room's messages, newest first, with cursor pagination."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        room = selectors.room_for_viewer(self.request.user, self.kwargs["pk"])
        selectors.require_open(self.request.user, room)
        return message_bounds(selectors.messages(room), self.request)

    @extend_schema(
        request=MessageWriteSerializer, responses={201: RoomMessageSerializer, **errors(429)}, tags=["rooms"]
    )
    def post(self, request: Request, pk: int) -> Response:
        """Send a message (members only); a retry with the same client_id is stored once."""
        room = selectors.room_for_viewer(request.user, pk)
        data = MessageWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.room_message_send(
            user=request.user, room=room, content=data.validated_data["content"],
            client_id=data.validated_data.get("client_id") or None,
        )  # fmt: skip
        return Response(RoomMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class MessageDetailView(APIView):
    @extend_schema(request=MessageEditSerializer, responses=RoomMessageSerializer, tags=["rooms"])
    def patch(self, request: Request, pk: int, message_id: int) -> Response:
        """Edit my own message."""
        room = selectors.room_for_viewer(request.user, pk)
        data = MessageEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.room_message_edit(
            actor=request.user,
            message=selectors.message_in_room(room, message_id),
            content=data.validated_data["content"],
        )
        return Response(RoomMessageSerializer(message).data)

    @extend_schema(responses={204: None}, tags=["rooms"])
    def delete(self, request: Request, pk: int, message_id: int) -> Response:
        """Delete my own message (owner and admins delete anyone's)."""
        room = selectors.room_for_viewer(request.user, pk)
        services.room_message_delete(actor=request.user, message=selectors.message_in_room(room, message_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
