"""REST representations of the Performance app. Serializers only shape data: writes go through kpi.services."""

from __future__ import annotations

from rest_framework import serializers

from servicecoach.kpi.models import AgentResult, Period


class PeriodSerializer(serializers.ModelSerializer):
    template = serializers.CharField(source="template.key", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)
    current_run = serializers.IntegerField(source="current_run.number", read_only=True, allow_null=True,
                                           default=None)

    class Meta:
        model = Period
        fields = ["id", "template", "version", "month", "status", "current_run", "locked_at"]
        read_only_fields = fields


class ItemResultSerializer(serializers.Serializer):
    item = serializers.CharField()
    section = serializers.CharField()
    points = serializers.FloatField(allow_null=True, help_text="null: no data (left out of the total)")
    weight = serializers.FloatField()
    zh = serializers.CharField(help_text="the explanation in Chinese")
    en = serializers.CharField(help_text="the explanation in English")


class AgentResultSerializer(serializers.ModelSerializer):
    period = serializers.IntegerField(source="run.period_id", read_only=True)
    month = serializers.CharField(source="run.period.month", read_only=True)
    run = serializers.IntegerField(source="run.number", read_only=True)
    employee_no = serializers.CharField(source="person.employee_no", read_only=True)
    name = serializers.CharField(source="person.name", read_only=True)
    team = serializers.CharField(source="unit.name", read_only=True)
    items = ItemResultSerializer(many=True, read_only=True)

    class Meta:
        model = AgentResult
        fields = ["id", "period", "month", "run", "person", "employee_no", "name", "unit", "team", "total",
                  "max_total", "rank", "team_size", "tier", "complete", "sections", "items"]
        read_only_fields = fields


class InputSetSerializer(serializers.Serializer):
    """One figure of one agent's month; ``value`` as typed in the grid ("" clears it)."""

    person = serializers.IntegerField()
    figure = serializers.CharField(max_length=40)
    value = serializers.CharField(allow_blank=True, max_length=60)
    note = serializers.CharField(allow_blank=True, required=False, max_length=200, default="")


class ScoreRequestSerializer(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, required=False, max_length=200, default="")


class TeamCostSetSerializer(serializers.Serializer):
    """A team's labour cost of the month in yuan, as typed ("8000", "¥8,000"; "" clears it: no data)."""

    unit = serializers.IntegerField()
    labour_cost = serializers.CharField(allow_blank=True, max_length=40)
    note = serializers.CharField(allow_blank=True, required=False, max_length=200, default="")
