"""REST endpoints of the Performance app, under /api/v1/ (namespace ``api``).

Thin like the pages: scope from kpi.selectors (built on org.selectors; an agent outside the user's scope
answers 404), writes through kpi.services (which keep the history and the audit log).

- ``kpi-periods``: the months (administrators, training managers, supervisors); ``POST .../inputs/`` sets
  one figure of one of the user's agents, ``POST .../score/`` scores the month; ``.../team-costs/`` lists
  (GET) the user's teams of the month with their labour cost and the team analysis's ratios, and sets
  (POST ``{unit, labour_cost, note}``) one team's labour cost.
- ``kpi-results``: current scorecards the user may see (an agent: their own), every item explained.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from servicecoach.core.api_permissions import HasRole
from servicecoach.kpi import selectors, services
from servicecoach.kpi.models import AgentResult, Period
from servicecoach.kpi.serializers import (
    AgentResultSerializer,
    InputSetSerializer,
    PeriodSerializer,
    ScoreRequestSerializer,
    TeamCostSetSerializer,
)
from servicecoach.org.selectors import people_visible_to


def _call_service(service, **kwargs):
    try:
        return service(**kwargs)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(serializers.as_serializer_error(exc)) from exc


class PeriodViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Performance months. Staff (administrators, training managers, supervisors) list them, set figures
    of their own agents and score a month."""

    serializer_class = PeriodSerializer
    permission_classes = [IsAuthenticated & HasRole(*selectors.STAFF)]

    def get_queryset(self):
        return selectors.period_list()

    @extend_schema(request=InputSetSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["post"])
    def inputs(self, request, pk=None, **kwargs):
        period = self.get_object()
        data = InputSetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = people_visible_to(request.user).filter(pk=data.validated_data["person"]).first()
        if person is None:
            raise Http404
        row, changed = _call_service(services.input_set, actor=request.user, period=period, person=person,
                                     figure=data.validated_data["figure"], raw=data.validated_data["value"],
                                     note=data.validated_data["note"])
        return Response({"person": person.pk, "figures": row.figures, "changed": changed})

    @extend_schema(request=TeamCostSetSerializer, responses={200: OpenApiTypes.OBJECT})
    @action(detail=True, methods=["get", "post"], url_path="team-costs")
    def team_costs(self, request, pk=None, **kwargs):
        """GET: the user's teams of the month compared (staff, labour cost, sales per agent and per yuan
        of labour cost, consultations per agent per working day...; null where a part is missing or the
        divisor is 0). POST: set one team's labour cost ("" clears it)."""
        period = self.get_object()
        if request.method == "POST":
            data = TeamCostSetSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            unit = selectors.team_unit_or_none(user=request.user, period=period, unit_pk=data.validated_data["unit"])
            if unit is None:
                raise Http404
            _call_service(services.team_cost_set, actor=request.user, period=period, unit=unit,
                          raw=data.validated_data["labour_cost"], note=data.validated_data["note"])
        teams = selectors.team_comparison(user=request.user, period=period)
        return Response([{**{k: v for k, v in t.items() if k not in ("unit", "totals")},
                          "unit": t["unit"].pk, "unit_code": t["unit"].code, "unit_name": t["unit"].name}
                         for t in teams])

    @extend_schema(request=ScoreRequestSerializer, responses={200: PeriodSerializer})
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None, **kwargs):
        period = self.get_object()
        data = ScoreRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call_service(services.period_score, actor=request.user, period=period, note=data.validated_data["note"])
        return Response(PeriodSerializer(Period.objects.get(pk=period.pk)).data)


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM: only this month"),
    OpenApiParameter("period", OpenApiTypes.INT, description="only this period (id)"),
]))
class ResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Current scorecards (the latest scoring run of each month) of the people the user may see."""

    serializer_class = AgentResultSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        current = Period.objects.filter(current_run__isnull=False)
        month = self.request.query_params.get("month", "")
        if month:
            current = current.filter(month=month)
        period = self.request.query_params.get("period", "")
        if period:
            if not period.isdigit():
                raise serializers.ValidationError({"period": [f"Not a period id: {period!r}."]})
            current = current.filter(pk=int(period))
        return (AgentResult.objects.filter(run_id__in=current.values("current_run_id"),
                                           person__in=people_visible_to(self.request.user))
                .select_related("run__period", "person", "unit").order_by("-run__period__month", "unit__path",
                                                                          "rank", "person__employee_no"))


def register(router) -> list:
    """Register this app's viewsets on the shared router; return its plain (non-viewset) URL patterns."""
    router.register("kpi-periods", PeriodViewSet, basename="kpi-period")
    router.register("kpi-results", ResultViewSet, basename="kpi-result")
    return []
