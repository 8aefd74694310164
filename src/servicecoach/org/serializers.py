"""REST representations of the organisation. Serializers only shape data: writes go through org.services."""

from __future__ import annotations

from rest_framework import serializers

from servicecoach.org.models import Level, OrgUnit, Person, PersonStatus, Role, UnitKind


class UnitSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = OrgUnit
        fields = ["id", "name", "code", "kind", "parent", "path", "depth", "active"]
        read_only_fields = fields


class UnitWriteSerializer(serializers.Serializer):
    """Creating or changing a unit (administrators). ``parent`` is a unit id or null (a top unit)."""

    name = serializers.CharField(max_length=120)
    code = serializers.CharField(max_length=40)
    kind = serializers.ChoiceField(choices=UnitKind.choices)
    parent = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all(), allow_null=True, required=False)
    active = serializers.BooleanField(required=False)


class RoleAssignmentSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    unit = serializers.IntegerField(source="unit_id", allow_null=True)


class PersonSerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    username = serializers.SerializerMethodField()
    roles = RoleAssignmentSerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ["id", "employee_no", "name", "unit", "unit_name", "hire_date", "level", "status", "left_on",
                  "email", "phone", "username", "roles"]
        read_only_fields = fields

    def get_username(self, person: Person) -> str | None:
        return person.user.get_username() if person.user_id else None


class PersonWriteSerializer(serializers.Serializer):
    """Creating or changing a person record (administrators and training managers).
    The employee number is set at creation and cannot change afterwards."""

    employee_no = serializers.CharField(max_length=40)
    name = serializers.CharField(max_length=80)
    unit = serializers.PrimaryKeyRelatedField(queryset=OrgUnit.objects.all())
    hire_date = serializers.DateField(allow_null=True, required=False)
    level = serializers.ChoiceField(choices=Level.choices, required=False)
    status = serializers.ChoiceField(choices=PersonStatus.choices, required=False)
    left_on = serializers.DateField(allow_null=True, required=False)
    email = serializers.EmailField(allow_blank=True, required=False)
    phone = serializers.CharField(max_length=30, allow_blank=True, required=False)

    def validate_employee_no(self, value: str) -> str:
        if self.instance is not None and value != self.instance.employee_no:
            raise serializers.ValidationError("The employee number cannot be changed.")
        return value


class MeSerializer(serializers.Serializer):
    """The signed-in user: login, roles and person record (null for a login without one)."""

    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()
    roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices))
    person = PersonSerializer(allow_null=True)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
