"""/api/v1/chat/: conversations and direct messages."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
from chat.models import Message
from chat.serializers import ConversationSerializer, DirectMessageSerializer, ReadResultSerializer
from core.pagination import MessageCursorPagination, message_bounds
from core.schema import errors
from rooms.api import BOUNDS, active_user
from rooms.serializers import MessageEditSerializer, MessageWriteSerializer


class ConversationListView(APIView):
    @extend_schema(responses=ConversationSerializer(many=True), tags=["chat"])
    def get(self, request: Request) -> Response:
        """Everyone I exchanged direct messages with: the last message and my unread count, newest first."""
        return Response(ConversationSerializer(selectors.conversations(user=request.user), many=True).data)


class DirectMessageListView(generics.ListAPIView):
    serializer_class = DirectMessageSerializer
    queryset = Message.objects.none()  # the schema's model; get_queryset() answers requests
    pagination_class = MessageCursorPagination

    @extend_schema(parameters=BOUNDS, tags=["chat"])
    def get(self, request, *args, **kwargs):
        """My conversation with a user, newest first, with cursor pagination."""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        peer = active_user(self.kwargs["user_id"])
        return message_bounds(selectors.dm_history(user=self.request.user, peer=peer), self.request)

    @extend_schema(
        request=MessageWriteSerializer, responses={201: DirectMessageSerializer, **errors(429)}, tags=["chat"]
    )
    def post(self, request: Request, user_id: int) -> Response:
        """Send a direct message; a retry with the same client_id is stored once."""
        data = MessageWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.dm_send(
            sender=request.user,
            recipient=active_user(user_id),
            content=data.validated_data["content"],
            client_id=data.validated_data.get("client_id") or None,
        )
        return Response(DirectMessageSerializer(message).data, status=status.HTTP_201_CREATED)


class DirectMessageReadView(APIView):
    @extend_schema(request=None, responses=ReadResultSerializer, tags=["chat"])
    def post(self, request: Request, user_id: int) -> Response:
        """Mark every message this user sent me as read."""
        count = services.dm_mark_read(reader=request.user, peer=active_user(user_id))
        return Response({"marked_read": count})


class DirectMessageDetailView(APIView):
    @extend_schema(request=MessageEditSerializer, responses=DirectMessageSerializer, tags=["chat"])
    def patch(self, request: Request, user_id: int, message_id: int) -> Response:
        """Edit a message I sent."""
        peer = active_user(user_id)
        message = selectors.dm_history(user=request.user, peer=peer).filter(pk=message_id).first()
        if message is None:
            raise exceptions.NotFound("No such message.")
        data = MessageEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.dm_edit(actor=request.user, message=message, content=data.validated_data["content"])
        return Response(DirectMessageSerializer(message).data)
