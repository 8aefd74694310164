"""REST representations of conversations and their automatic results."""

from __future__ import annotations

from rest_framework import serializers

from servicecoach.quality.models import AutoResult, Conversation, RuleHit


class RuleHitSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(source="rule_id")
    message = serializers.IntegerField(source="message_index", allow_null=True)

    class Meta:
        model = RuleHit
        fields = ["id", "rule", "message", "start", "end", "text", "category", "severity", "verdict"]


class AutoResultSerializer(serializers.ModelSerializer):
    ruleset = serializers.SerializerMethodField()
    scorecard = serializers.SerializerMethodField()
    hits = RuleHitSerializer(many=True, read_only=True)

    class Meta:
        model = AutoResult
        fields = ["id", "score", "grade", "red_line", "customer_emotion", "emotion_trend", "items",
                  "not_applicable", "ruleset", "scorecard", "scored_at", "hits"]

    def get_ruleset(self, obj) -> dict:
        return {"number": obj.ruleset.number, "id": obj.ruleset.key, "version": obj.ruleset.label}

    def get_scorecard(self, obj) -> dict:
        return {"number": obj.scorecard.number, "id": obj.scorecard.key, "version": obj.scorecard.label}


class ConversationSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="external_id")
    pk = serializers.IntegerField()
    agent = serializers.CharField(source="agent_employee_no")
    agent_person = serializers.IntegerField(source="agent_id", allow_null=True)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)

    class Meta:
        model = Conversation
        fields = ["pk", "id", "source", "channel", "started_at", "ended_at", "agent", "agent_person", "unit",
                  "customer_id", "labels", "csat", "message_count", "first_response_seconds", "duration_seconds",
                  "score", "grade", "red_line", "reviewed_at"]


class ConversationDetailSerializer(ConversationSerializer):
    result = AutoResultSerializer(source="current_result", read_only=True, allow_null=True)

    class Meta(ConversationSerializer.Meta):
        fields = [*ConversationSerializer.Meta.fields, "messages", "result"]


class BatchResultSerializer(serializers.Serializer):
    """The answer to a batch: counts, one line per stored record, one per skipped record."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    records = serializers.ListField(child=serializers.DictField())
    errors = serializers.ListField(child=serializers.DictField())
