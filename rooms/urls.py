from django.urls import path

from rooms import api, views

app_name = "rooms"

urlpatterns = [
    path("rooms/", views.room_list, name="list"),
    path("rooms/new/", views.room_new, name="new"),
    path("rooms/join/", views.room_join, name="join"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="edit"),
    path("rooms/<int:pk>/leave/", views.room_leave, name="leave"),
]

api_urlpatterns = [
    path("rooms/", api.RoomListView.as_view(), name="room-list"),
    path("rooms/<int:pk>/", api.RoomDetailView.as_view(), name="room-detail"),
    path("rooms/<int:pk>/join", api.RoomJoinView.as_view(), name="room-join"),
    path("rooms/<int:pk>/leave", api.RoomLeaveView.as_view(), name="room-leave"),
    path("rooms/<int:pk>/transfer", api.RoomTransferView.as_view(), name="room-transfer"),
    path("rooms/<int:pk>/members/", api.MemberListView.as_view(), name="room-members"),
    path("rooms/<int:pk>/members/<int:user_id>/", api.MemberDetailView.as_view(), name="room-member"),
    path("rooms/<int:pk>/messages/", api.MessageListView.as_view(), name="room-messages"),
    path("rooms/<int:pk>/messages/<int:message_id>/", api.MessageDetailView.as_view(), name="room-message"),
]
