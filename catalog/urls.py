from django.urls import path

from catalog import api, views
from core.api import Router

app_name = "catalog"

router = Router()
router.register("tracks", api.TrackViewSet, basename="track")
api_urlpatterns = router.urls

urlpatterns = [
    path("tracks/", views.track_list, name="tracks"),
    path("tracks/upload/", views.upload, name="upload"),
    path("tracks/mine/", views.my_uploads, name="mine"),
    path("tracks/<int:pk>/", views.track_detail, name="track"),
    path("tracks/<int:pk>/edit/", views.track_edit, name="track-edit"),
    path("tracks/<int:pk>/delete/", views.track_delete, name="track-delete"),
    path("artists/<str:artist>/", views.artist, name="artist"),
    path("artists/<str:artist>/albums/<str:album>/", views.album, name="album"),
]
