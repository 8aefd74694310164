"""REST endpoints of the Training programmes app, under /api/v1/ (namespace ``api``).

Read-only views of programmes and classroom sessions, scoped like the pages (programmes.selectors: an object
outside the user's scope answers 404), and the user's own notices, which they can mark read.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from servicecoach.programmes import selectors, services
from servicecoach.programmes.serializers import NoticeSerializer, ProgrammeSerializer, SessionSerializer


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    """Training programmes the user may see, with their participants (the exams app's candidates)."""

    serializer_class = ProgrammeSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.programmes_visible_to(self.request.user).order_by("-start_date", "-id")


class SessionViewSet(viewsets.ReadOnlyModelViewSet):
    """Classroom sessions the user may see (trainer, participant, supervisor of a participant, staff)."""

    serializer_class = SessionSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.sessions_visible_to(self.request.user).prefetch_related("agenda").order_by(
            "-start_date", "-id")


class NoticeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The user's own notices, newest first."""

    serializer_class = NoticeSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None, format=None):  # noqa: A002 (DRF passes the format suffix by this name)
        notice = services.notice_mark_read(notice=self.get_object())
        return Response(NoticeSerializer(notice).data)


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("programmes", ProgrammeViewSet, basename="programme")
    router.register("classroom-sessions", SessionViewSet, basename="classroom-session")
    router.register("notices", NoticeViewSet, basename="notice")
    return []
