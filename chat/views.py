"""Direct message pages: the inbox with unread badges, and a conversation."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts import selectors as account_selectors
from chat import selectors, services
from chat.serializers import DirectMessageSerializer

HISTORY = 50


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "chat/inbox.html", {"conversations": selectors.conversations(user=request.user)})


@login_required
def conversation(request: HttpRequest, username: str) -> HttpResponse:
    peer = account_selectors.user_get_public_by_username(username=username)
    if peer is None or peer.pk == request.user.pk:
        raise Http404("No such user.")
    history = list(reversed(selectors.dm_history(user=request.user, peer=peer)[:HISTORY]))
    services.dm_mark_read(reader=request.user, peer=peer)
    return render(
        request,
        "chat/conversation.html",
        {"peer": peer, "history": history, "history_json": DirectMessageSerializer(history, many=True).data},
    )
