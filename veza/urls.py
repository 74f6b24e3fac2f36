from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import urls as accounts_urls
from catalog import urls as catalog_urls
from chat import urls as chat_urls
from console.dashboard import dashboard
from marketplace import urls as marketplace_urls
from media import urls as media_urls
from rooms import urls as rooms_urls
from search import urls as search_urls
from veza import views

# admin.site is the moderation console's site (console/site.py); its ModelAdmins are in console/admin/.

urlpatterns = [
    # Before "admin/": the console's own patterns end with a catch-all.
    path("admin/dashboard/", admin.site.admin_view(dashboard), name="admin_dashboard"),
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("", include(accounts_urls)),
    path("", include(marketplace_urls)),
    path("", include(catalog_urls)),
    path("", include(search_urls)),
    path("", include(media_urls)),
    path("", include(rooms_urls)),
    path("", include(chat_urls)),
    path("api/v1/", include((accounts_urls.api_urlpatterns, "accounts-api"), namespace="api-accounts")),
    path("api/v1/", include((marketplace_urls.api_urlpatterns, "marketplace-api"), namespace="api-marketplace")),
    path("api/v1/", include((media_urls.api_urlpatterns, "media-api"), namespace="api-media")),
    path("api/v1/", include((catalog_urls.api_urlpatterns, "catalog-api"), namespace="api-catalog")),
    path("api/v1/", include((search_urls.api_urlpatterns, "search-api"), namespace="api-search")),
    path("api/v1/", include((rooms_urls.api_urlpatterns, "rooms-api"), namespace="api-rooms")),
    path("api/v1/", include((chat_urls.api_urlpatterns, "chat-api"), namespace="api-chat")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The init script comes from ?script= rather than inline: the Content-Security-Policy runs no inline script.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.BENCH_BASELINE:  # the baseline of bench/api.py, off by default (console/benchmark.py)
    from console.benchmark import tracks_values

    urlpatterns.append(path("bench/tracks-values", tracks_values, name="bench-tracks-values"))

handler400 = "core.views.bad_request"
handler404 = "core.views.not_found"
handler500 = "core.views.server_error"
handler403 = "core.views.forbidden"
