"""Everything under /api/v1/ (namespace ``api``): each domain registers its viewsets on this router
and adds its plain views to ``urlpatterns``."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from servicecoach.org import api as org_api

app_name = "api"

router = DefaultRouter()
router.register("units", org_api.UnitViewSet, basename="unit")
router.register("people", org_api.PersonViewSet, basename="person")

urlpatterns = [
    path("me/", org_api.MeView.as_view(), name="me"),
    path("auth/token/", org_api.TokenView.as_view(), name="auth-token"),
    *router.urls,
]
