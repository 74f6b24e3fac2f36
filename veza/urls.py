from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts import urls as accounts_urls
from marketplace import urls as marketplace_urls
from veza import views

admin.site.site_header = "Veza moderation"
admin.site.site_title = "Veza moderation"
admin.site.index_title = "Moderation console"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include(accounts_urls)),
    path("", include(marketplace_urls)),
    path("api/v1/", include((accounts_urls.api_urlpatterns, "accounts-api"), namespace="api-accounts")),
    path("api/v1/", include((marketplace_urls.api_urlpatterns, "marketplace-api"), namespace="api-marketplace")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "veza.views.not_found"
handler500 = "veza.views.server_error"
handler403 = "veza.views.forbidden"
