"""REST endpoints of the organisation: units, people, the current user and API tokens.

Thin, like the views: scoping comes from org.selectors (an object outside the user's scope answers 404),
writes go through org.services (which write the audit log).
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from servicecoach.core.api_permissions import HasRole, ReadOnly
from servicecoach.org import selectors, services
from servicecoach.org.models import AuditAction, Level, PersonStatus, Role
from servicecoach.org.receivers import client_ip
from servicecoach.org.serializers import (
    MeSerializer,
    PersonSerializer,
    PersonWriteSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UnitSerializer,
    UnitWriteSerializer,
)


def _call_service(service, **kwargs):
    """Run a service; a Django ValidationError it raises becomes a 400 naming the field."""
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc


@extend_schema_view(
    create=extend_schema(request=UnitWriteSerializer, responses={201: UnitSerializer}),
    update=extend_schema(request=UnitWriteSerializer, responses=UnitSerializer),
    partial_update=extend_schema(request=UnitWriteSerializer, responses=UnitSerializer),
)
class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Organisation units the user may see (everyone sees their own unit; supervisors the units under
    theirs; administrators and training managers all). Administrators create and change units."""

    serializer_class = UnitSerializer
    permission_classes = [IsAuthenticated & (ReadOnly | HasRole(Role.ADMIN))]

    def get_queryset(self):
        return selectors.units_visible_to(self.request.user).select_related("parent").order_by("path")

    def create(self, request, *args, **kwargs):
        data = self._validated(UnitWriteSerializer(data=request.data))
        unit = _call_service(services.unit_create, actor=request.user, name=data["name"], code=data["code"],
                             kind=data["kind"], parent=data.get("parent"))
        return Response(UnitSerializer(unit).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        unit = self.get_object()
        data = self._validated(UnitWriteSerializer(unit, data=request.data, partial=partial))
        unit = _call_service(services.unit_update, actor=request.user, unit=unit, **data)
        return Response(UnitSerializer(unit).data)

    @staticmethod
    def _validated(serializer) -> dict:
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)


PERSON_FILTERS = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="unit id: people of this unit and the units below it"),
    OpenApiParameter("role", OpenApiTypes.STR, enum=Role.values, description="people holding this role"),
    OpenApiParameter("status", OpenApiTypes.STR, enum=PersonStatus.values),
    OpenApiParameter("level", OpenApiTypes.STR, enum=Level.values),
    OpenApiParameter("search", OpenApiTypes.STR, description="part of the name or employee number"),
]


@extend_schema_view(
    list=extend_schema(parameters=PERSON_FILTERS),
    create=extend_schema(request=PersonWriteSerializer, responses={201: PersonSerializer}),
    update=extend_schema(request=PersonWriteSerializer, responses=PersonSerializer),
    partial_update=extend_schema(request=PersonWriteSerializer, responses=PersonSerializer),
)
class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """People the user may see (an agent: only themselves; a supervisor: the people of their units).
    Administrators and training managers create and change person records."""

    serializer_class = PersonSerializer
    permission_classes = [IsAuthenticated & (ReadOnly | HasRole(Role.ADMIN, Role.TRAINING_MANAGER))]

    def get_queryset(self):
        people = selectors.people_visible_to(self.request.user)
        if self.action == "list":
            people = selectors.person_list(user=self.request.user, **self._filters())
        return people.select_related("unit", "user").prefetch_related("roles").order_by("employee_no")

    def _filters(self) -> dict:
        params = self.request.query_params
        errors: dict[str, list[str]] = {}
        filters: dict = {"search": params.get("search", "")}
        for name, allowed in (("role", Role.values), ("status", PersonStatus.values), ("level", Level.values)):
            value = params.get(name, "")
            if value and value not in allowed:
                errors[name] = [f"Unknown {name} {value!r}: expected one of {', '.join(allowed)}."]
            filters[name] = value
        unit_id = params.get("unit", "")
        if unit_id:
            unit = None
            if unit_id.isdigit():
                unit = selectors.units_visible_to(self.request.user).filter(pk=int(unit_id)).first()
            if unit is None:
                errors["unit"] = [f"No unit with id {unit_id!r} that you can see."]
            filters["unit"] = unit
        if errors:
            raise serializers.ValidationError(errors)
        return filters

    def create(self, request, *args, **kwargs):
        serializer = PersonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = _call_service(services.person_create, actor=request.user, **serializer.validated_data)
        return Response(PersonSerializer(person).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial: bool = False, **kwargs):
        person = self.get_object()
        serializer = PersonWriteSerializer(person, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        fields = {k: v for k, v in serializer.validated_data.items() if k != "employee_no"}
        person = _call_service(services.person_update, actor=request.user, person=person, **fields)
        return Response(PersonSerializer(self.get_queryset().get(pk=person.pk)).data)


class MeView(APIView):
    """The signed-in user, their roles and their person record."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        person = selectors.person_for_user(user)
        if person is not None:
            person = selectors.people_visible_to(user).prefetch_related("roles").get(pk=person.pk)
        data = {"id": user.pk, "username": user.get_username(), "is_staff": user.is_staff,
                "roles": sorted(selectors.user_roles(user)), "person": person}
        return Response(MeSerializer(data).data)


class TokenView(APIView):
    """Exchange a username and password for an API token (``Authorization: Token <key>``).

    A success is written to the audit log as a login; a failure as a failed login. Failures count
    towards the login throttle like the login page's: a locked username or address answers 429."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenSerializer, 429: OpenApiTypes.OBJECT},
                   auth=[])
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, username=serializer.validated_data["username"],
                            password=serializer.validated_data["password"])
        if user is None:  # authenticate() has signalled the failed login, which the audit log records
            lock = selectors.login_lock(username=serializer.validated_data["username"],
                                        ip=client_ip(request._request))
            if lock is not None:  # the same throttle as the login page (org.backends)
                wait = max(1, int((lock.until - timezone.now()).total_seconds()))
                return Response({"detail": f"Too many failed logins: locked until {lock.until.isoformat()}."},
                                status=status.HTTP_429_TOO_MANY_REQUESTS, headers={"Retry-After": str(wait)})
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with the given username and password."]}
            )
        token, _ = Token.objects.get_or_create(user=user)
        services.audit_record(actor=user, action=AuditAction.LOGIN, obj=user, ip=client_ip(request._request),
                              changes={"via": "api token"})
        return Response(TokenSerializer({"token": token.key}).data)

