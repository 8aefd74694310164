"""REST endpoints of the Assessment app, under /api/v1/ (namespace ``api``).

- ``exams``: the exams a manager runs (all) or a candidate is a candidate of;
- ``exam-attempts``: attempts in the user's scope (own; a supervisor's units; managers all), scores shown to
  the candidate only once released; ``POST exam-attempts/{id}/answer/`` saves one answer of the user's own
  attempt, exactly as the exam page's autosave does (the later edit wins; refused after the deadline).
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from servicecoach.exams import selectors, services
from servicecoach.exams.models import Exam
from servicecoach.exams.serializers import (
    AnswerResultSerializer,
    AnswerSerializer,
    AttemptSerializer,
    ExamSerializer,
)
from servicecoach.org.selectors import person_for_user


class ExamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ExamSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if selectors.can_manage(self.request.user):
            return selectors.exam_list_for_manager()
        pks = [e.pk for e in selectors.exams_for_candidate(self.request.user)]
        return Exam.objects.filter(pk__in=pks).select_related("paper").order_by("-opens_at", "-pk")


class AttemptViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AttemptSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return selectors.attempts_visible_to(self.request.user).order_by("-started_at", "-pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "manager": selectors.can_manage(self.request.user)}

    @extend_schema(request=AnswerSerializer, responses={200: AnswerResultSerializer})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None, format=None):  # noqa: A002 - DRF passes the format suffix by this name
        person = person_for_user(request.user)
        attempt = self.get_queryset().filter(pk=pk, person=person).first() if person else None
        if attempt is None:
            raise NotFound
        data = AnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            result = services.answer_save(attempt=attempt, position=data.validated_data["position"],
                                          answer=data.validated_data["answer"],
                                          client_time=data.validated_data["client_time"])
        except services.AttemptNotFound:
            raise NotFound from None
        except services.AnswerRefused as error:
            return Response({"detail": " ".join(error.messages)}, status=status.HTTP_409_CONFLICT)
        return Response(AnswerResultSerializer(result).data)


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("exams", ExamViewSet, basename="exam")
    router.register("exam-attempts", AttemptViewSet, basename="exam-attempt")
    return []
