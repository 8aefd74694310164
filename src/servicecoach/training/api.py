"""REST endpoints of the Training app, under /api/v1/ (namespace ``api``).

- ``training/courses/``: the courses the user may see (course managers: all; supervisors and mentors:
  published ones; learners: the published courses of their paths), with modules and lessons (no content);
  ``training/courses/<id>/`` one of them (404 outside that scope).
- ``training/enrolments/``: enrolments of the learners the user may follow (an agent: their own; a supervisor:
  their units' people; trainers, training managers, administrators: everyone), with progress and whether they
  are overdue; filter by ``person``, ``path``, ``overdue=true``.
- ``training/my-learning/``: the signed-in learner's paths, courses, next lesson and open re-reads.
Read-only: learning happens in the pages (training.services does the writing).
"""

from __future__ import annotations

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecoach.org.selectors import person_for_user
from servicecoach.training import selectors
from servicecoach.training.models import Course, Enrolment, Lesson, Module


class LessonSummarySerializer(serializers.ModelSerializer):
    has_quiz = serializers.SerializerMethodField()

    class Meta:
        model = Lesson
        fields = ["id", "title", "position", "minutes", "is_micro", "standard_code", "version", "has_quiz"]
        read_only_fields = fields

    def get_has_quiz(self, lesson) -> bool:
        quiz = getattr(lesson, "quiz", None)
        return quiz is not None and quiz.questions.exists()


class ModuleSerializer(serializers.ModelSerializer):
    lessons = LessonSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "title", "kind", "topic", "position", "lessons"]
        read_only_fields = fields


class CourseSerializer(serializers.ModelSerializer):
    modules = ModuleSerializer(many=True, read_only=True)

    class Meta:
        model = Course
        fields = ["id", "code", "title", "description", "published", "modules"]
        read_only_fields = fields


class CourseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Courses the user may see, with their modules and lessons."""

    serializer_class = CourseSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (selectors.courses_visible_to(self.request.user)
                .prefetch_related("modules__lessons__quiz").order_by("code"))


class EnrolmentSerializer(serializers.ModelSerializer):
    person = serializers.IntegerField(source="person_id", read_only=True)
    employee_no = serializers.CharField(source="person.employee_no", read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    unit = serializers.CharField(source="person.unit.name", read_only=True)
    path = serializers.IntegerField(source="path_id", read_only=True)
    path_title = serializers.CharField(source="path.title", read_only=True)
    percent = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ["id", "person", "employee_no", "person_name", "unit", "path", "path_title", "source",
                  "enrolled_on", "due_on", "completed_at", "percent", "overdue"]
        read_only_fields = fields

    def _status(self, enrolment):
        if not hasattr(enrolment, "_status"):
            enrolment._status = selectors.path_status(enrolment)
        return enrolment._status

    def get_percent(self, enrolment) -> int:
        return 100 if enrolment.completed_at else self._status(enrolment).percent

    def get_overdue(self, enrolment) -> bool:
        return enrolment.completed_at is None and self._status(enrolment).overdue(timezone.localdate())


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("person", OpenApiTypes.INT), OpenApiParameter("path", OpenApiTypes.INT),
    OpenApiParameter("overdue", OpenApiTypes.BOOL, description="only enrolments with an overdue course"),
]))
class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Enrolments of the learners the user may follow."""

    serializer_class = EnrolmentSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        enrolments = (Enrolment.objects.filter(person__in=selectors.learners_visible_to(self.request.user))
                      .select_related("person__unit", "path").order_by("person__employee_no", "path__code"))
        params = self.request.query_params
        for name in ("person", "path"):
            value = params.get(name, "")
            if value:
                if not value.isdigit():
                    raise serializers.ValidationError({name: [f"{name} is an id (a whole number), not {value!r}."]})
                enrolments = enrolments.filter(**{f"{name}_id": int(value)})
        return enrolments

    def list(self, request, *args, **kwargs):
        overdue = request.query_params.get("overdue", "")
        if overdue not in ("", "true", "false"):
            raise serializers.ValidationError({"overdue": ["true or false."]})
        rows = list(self.get_queryset())
        if overdue:
            today, wanted = timezone.localdate(), overdue == "true"
            for status in selectors.path_statuses(rows):
                status.enrolment._status = status
            rows = [e for e in rows if (e.completed_at is None and e._status.overdue(today)) == wanted]
        page = self.paginate_queryset(rows)
        shown = page if page is not None else rows
        for status in selectors.path_statuses(e for e in shown if not hasattr(e, "_status")):
            status.enrolment._status = status
        data = self.get_serializer(shown, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class MyLearningView(APIView):
    """The signed-in learner's paths (each course with progress, due date and lock), next lesson, re-reads."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request):
        person = person_for_user(request.user)
        if person is None:
            return Response({"person": None, "paths": [], "next_lesson": None, "rereads": []})
        data = selectors.my_learning(person)
        lesson = data["next_lesson"]
        return Response({
            "person": person.pk,
            "paths": [{
                "id": s.enrolment.path_id, "title": s.enrolment.path.title, "enrolled_on": s.enrolment.enrolled_on,
                "due_on": s.enrolment.due_on, "completed_at": s.enrolment.completed_at, "percent": s.percent,
                "courses": [{"id": c.course.pk, "title": c.course.title, "lessons": c.lessons,
                             "completed": c.completed, "due_on": c.due_on, "locked": c.locked, "done": c.done}
                            for c in s.courses],
            } for s in data["statuses"]],
            "next_lesson": {"id": lesson.pk, "title": lesson.title, "minutes": lesson.minutes} if lesson else None,
            "rereads": [{"lesson": t.lesson_id, "title": t.lesson.title, "version": t.version,
                         "read_at": t.read_at} for t in data["rereads"]],
        })


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("training/courses", CourseViewSet, basename="training-course")
    router.register("training/enrolments", EnrolmentViewSet, basename="training-enrolment")
    return [path("training/my-learning/", MyLearningView.as_view(), name="training-my-learning")]
