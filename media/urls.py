from django.urls import path

from media import api, views

app_name = "media"

urlpatterns = [
    path("media/<path:path>", views.media, name="media"),
]

api_urlpatterns = [
    path("files/", api.FileListView.as_view(), name="file-list"),
    path("files/<int:pk>/", api.FileDetailView.as_view(), name="file-detail"),
]
