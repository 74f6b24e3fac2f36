from django.urls import path

from chat import api, views

app_name = "chat"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<str:username>/", views.conversation, name="conversation"),
]

api_urlpatterns = [
    path("chat/conversations/", api.ConversationListView.as_view(), name="conversations"),
    path("chat/dm/<int:user_id>/", api.DirectMessageListView.as_view(), name="dm"),
    path("chat/dm/<int:user_id>/read", api.DirectMessageReadView.as_view(), name="dm-read"),
    path("chat/dm/<int:user_id>/<int:message_id>/", api.DirectMessageDetailView.as_view(), name="dm-message"),
]
