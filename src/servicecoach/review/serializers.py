"""REST representations of reviews and appeals (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from servicecoach.review.models import Appeal, AppealStep, Review, ReviewItem


class ReviewItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewItem
        fields = ["id", "section", "item", "name", "points", "bonus", "red_line", "auto_earned", "applicable",
                  "earned", "violated", "problem_type", "severity", "comment"]


class ReviewSerializer(serializers.ModelSerializer):
    conversation = serializers.IntegerField(source="conversation_id")
    conversation_id = serializers.CharField(source="conversation.external_id")
    agent = serializers.CharField(source="conversation.agent_employee_no")
    reviewer = serializers.CharField(source="reviewer.employee_no")

    class Meta:
        model = Review
        fields = ["id", "conversation", "conversation_id", "agent", "reviewer", "kind", "status", "score", "grade",
                  "red_line", "comment", "version", "assigned_at", "submitted_at"]


class ReviewDetailSerializer(ReviewSerializer):
    items = ReviewItemSerializer(many=True, read_only=True)

    class Meta(ReviewSerializer.Meta):
        fields = [*ReviewSerializer.Meta.fields, "items"]


class AppealStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppealStep
        fields = ["stage", "action", "actor_name", "comment", "at"]


class AppealSerializer(serializers.ModelSerializer):
    agent = serializers.CharField(source="agent.employee_no")
    items = serializers.SerializerMethodField()
    steps = AppealStepSerializer(many=True, read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "review", "agent", "comment", "status", "created_at", "due_on", "decided_at",
                  "score_before", "score_after", "items", "steps"]

    def get_items(self, obj) -> list[dict]:
        return [{"item": e.review_item.item, "section": e.review_item.section, "earned_before": e.earned_before,
                 "earned_after": e.earned_after} for e in obj.items.all()]
