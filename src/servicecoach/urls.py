"""Top-level URLs. Each domain app brings its own ``urls.py`` (pages) and ``api.py`` (REST)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from servicecoach.core import views as core_views

handler403 = "servicecoach.core.views.error_403"
handler404 = "servicecoach.core.views.error_404"
handler500 = "servicecoach.core.views.error_500"

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("servicecoach.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
         name="api-redoc"),
    path("healthz", core_views.healthz, name="healthz"),
    path("", include("servicecoach.core.urls")),
    path("org/", include("servicecoach.org.urls")),
    path("learning/", include("servicecoach.training.urls")),
    path("programmes/", include("servicecoach.programmes.urls")),
    path("exams/", include("servicecoach.exams.urls")),
    path("qa/review/", include("servicecoach.review.urls")),
    path("qa/", include("servicecoach.quality.urls")),
    path("kpi/", include("servicecoach.kpi.urls")),
    path("kb/", include("servicecoach.knowledge.urls")),
]
