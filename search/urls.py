from django.urls import path, re_path

from search import api, views

app_name = "search"

api_urlpatterns = [
    re_path(r"^search/?$", api.SearchView.as_view(), name="search"),
    re_path(r"^search/autocomplete/?$", api.AutocompleteView.as_view(), name="autocomplete"),
]

urlpatterns = [
    path("search", views.search, name="search"),
]
