"""API shapes of programmes, classroom sessions and notices."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from servicecoach.programmes import selectors
from servicecoach.programmes.models import ClassroomSession, Notice, Programme


class PersonRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    employee_no = serializers.CharField()
    name = serializers.CharField()


class ProgrammeSerializer(serializers.ModelSerializer):
    owner = PersonRefSerializer(allow_null=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = ["id", "title", "kind", "description", "start_date", "end_date", "owner", "participants"]

    @extend_schema_field(PersonRefSerializer(many=True))
    def get_participants(self, programme) -> list[dict]:
        people = selectors.programme_participants_for(self.context["request"].user, programme)
        return PersonRefSerializer(people, many=True).data


class SessionSerializer(serializers.ModelSerializer):
    trainer = PersonRefSerializer()
    participants = serializers.SerializerMethodField()
    agenda = serializers.SerializerMethodField()

    class Meta:
        model = ClassroomSession
        fields = ["id", "programme", "title", "trainer", "start_date", "end_date", "day_start", "day_end", "venue",
                  "capacity", "status", "assessment", "what_to_bring", "notice_sent_at", "notice_override_reason",
                  "participants", "agenda"]

    def get_participants(self, session) -> list[dict]:
        enrolments = selectors.session_enrolments_for(self.context["request"].user, session)
        return [{"id": e.person_id, "employee_no": e.person.employee_no, "name": e.person.name, "kind": e.kind}
                for e in enrolments]

    def get_agenda(self, session) -> list[dict]:
        return [{"day": b.day, "start": b.start.strftime("%H:%M"), "end": b.end.strftime("%H:%M"), "kind": b.kind,
                 "title": b.title} for b in session.agenda.all()]


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "session", "subject", "body", "created_at", "read_at"]
