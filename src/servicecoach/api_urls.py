"""Everything under /api/v1/ (namespace ``api``): each domain's ``api.register(router)`` puts its viewsets
on the shared router and returns its plain views' URL patterns."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from servicecoach.exams import api as exams_api
from servicecoach.knowledge import api as knowledge_api
from servicecoach.kpi import api as kpi_api
from servicecoach.org import api as org_api
from servicecoach.programmes import api as programmes_api
from servicecoach.quality import api as quality_api
from servicecoach.review import api as review_api
from servicecoach.training import api as training_api

app_name = "api"

router = DefaultRouter()
router.register("units", org_api.UnitViewSet, basename="unit")
router.register("people", org_api.PersonViewSet, basename="person")

urlpatterns = [
    path("me/", org_api.MeView.as_view(), name="me"),
    path("auth/token/", org_api.TokenView.as_view(), name="auth-token"),
]
for domain in (training_api, programmes_api, exams_api, quality_api, review_api, kpi_api, knowledge_api):
    urlpatterns += domain.register(router)
urlpatterns += router.urls
