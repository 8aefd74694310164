"""Serializers of the Assessment API (read shapes; writes go through services)."""

from __future__ import annotations

from rest_framework import serializers

from servicecoach.exams.models import Attempt, Exam


class ExamSerializer(serializers.ModelSerializer):
    paper = serializers.CharField(source="paper.title")
    released = serializers.BooleanField()

    class Meta:
        model = Exam
        fields = ["id", "title", "paper", "opens_at", "closes_at", "duration_minutes", "attempts_allowed", "layout",
                  "released"]


class AttemptSerializer(serializers.ModelSerializer):
    exam = serializers.CharField(source="exam.title")
    exam_id = serializers.IntegerField()
    person = serializers.CharField(source="person.name")
    score = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Attempt
        fields = ["id", "exam_id", "exam", "person", "number", "status", "started_at", "deadline", "submitted_at",
                  "auto_submitted", "score", "max_score", "percent"]

    def _shown(self, attempt: Attempt) -> bool:
        return self.context.get("manager", False) or attempt.exam.released or \
            attempt.person.user_id != self.context["request"].user.pk

    def get_score(self, attempt: Attempt):
        return str(attempt.score) if attempt.score is not None and self._shown(attempt) else None

    def get_percent(self, attempt: Attempt):
        return str(attempt.percent) if attempt.percent is not None and self._shown(attempt) else None


class AnswerSerializer(serializers.Serializer):
    position = serializers.IntegerField(min_value=1)
    answer = serializers.JSONField(allow_null=True)
    client_time = serializers.IntegerField(min_value=0)


class AnswerResultSerializer(serializers.Serializer):
    applied = serializers.BooleanField()
    revision = serializers.IntegerField()
    answer = serializers.JSONField(allow_null=True)
    client_time = serializers.IntegerField()
