"""Reading the Performance app, scoped to who is asking (org.selectors decides the scope).

- administrators and training managers see every agent's inputs and results;
- a supervisor sees the agents of the units they supervise;
- everyone else sees only their own results (an agent's own scorecards).
"""

from __future__ import annotations

from calendar import monthrange
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from statistics import mean

import yaml
from django.db.models import QuerySet

from servicecoach.kpi.engine import scoring as engine_scoring
from servicecoach.kpi.engine.template import Template, parse_template
from servicecoach.kpi.models import (
    AgentInput,
    AgentResult,
    InputChange,
    Period,
    ScorecardTemplate,
    ScorecardVersion,
    TeamCost,
)
from servicecoach.org.models import OrgUnit, Person, Role, User
from servicecoach.org.selectors import people_visible_to, units_visible_to, user_has_role

MANAGERS = (Role.ADMIN, Role.TRAINING_MANAGER)
STAFF = (Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR)

_COMPILED: dict[int, Template] = {}


def version_template(version: ScorecardVersion) -> Template:
    """The engine's compiled template of a saved version (versions never change, so it is cached)."""
    tpl = _COMPILED.get(version.pk)
    if tpl is None:
        tpl = parse_template(yaml.safe_load(version.source), source=version.template.key)
        _COMPILED[version.pk] = tpl
    return tpl


def latest_version(template: ScorecardTemplate) -> ScorecardVersion | None:
    return template.versions.order_by("-number").first()


def template_list() -> QuerySet[ScorecardTemplate]:
    return ScorecardTemplate.objects.all()


def period_list(*, template: ScorecardTemplate | None = None) -> QuerySet[Period]:
    periods = Period.objects.select_related("template", "version", "current_run")
    if template is not None:
        periods = periods.filter(template=template)
    return periods.order_by("-month", "template__key")


def inputs_visible_to(user: User | None, period: Period) -> QuerySet[AgentInput]:
    return (AgentInput.objects.filter(period=period, person__in=people_visible_to(user))
            .select_related("person", "unit").order_by("unit__path", "person__employee_no"))


def period_teams(*, user: User | None, period: Period) -> list[dict]:
    """The teams of the period the user may see, each with its number of agents."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in inputs_visible_to(user, period).values_list("unit_id", flat=True):
        counts[unit_id] += 1
    units = units_visible_to(user).filter(pk__in=counts).order_by("path")
    return [{"unit": u, "agents": counts[u.pk]} for u in units]


def team_unit_or_none(*, user: User | None, period: Period, unit_pk: int) -> OrgUnit | None:
    """A team of the period within the user's scope, else None (the view answers 404)."""
    if not inputs_visible_to(user, period).filter(unit_id=unit_pk).exists():
        return None
    return units_visible_to(user).filter(pk=unit_pk).first()


def results_visible_to(user: User | None, period: Period) -> QuerySet[AgentResult]:
    if period.current_run_id is None:
        return AgentResult.objects.none()
    return (AgentResult.objects.filter(run_id=period.current_run_id, person__in=people_visible_to(user))
            .select_related("person", "unit").order_by("unit__path", "rank", "person__employee_no"))


def result_for(*, user: User | None, period: Period, person_pk: int) -> AgentResult | None:
    return results_visible_to(user, period).filter(person_id=person_pk).first()


def engine_results(rows) -> list[engine_scoring.AgentResult]:
    """Stored results as the engine's ``AgentResult`` objects (agent: "name (employee number)", team: unit
    name), for the engine's ranking and workbook writer."""
    out = []
    for r in rows:
        items = [engine_scoring.ItemResult(i["item"], i["section"], i["points"], i["weight"], i.get("value"),
                                           i["zh"], i["en"]) for i in r.items]
        out.append(engine_scoring.AgentResult(
            f"{r.person.name} ({r.person.employee_no})", r.unit.name, "", "", items, r.total, r.max_total,
            r.sections, [i.item for i in items if i.points is None], month=r.run.period.month,
            team_size=r.team_size, rank=r.rank, tier=r.tier or None))
    return out


def ranking_units(*, user: User | None, period: Period) -> list[OrgUnit]:
    """Units above the period's teams that the user may see (departments, the company): the units one
    can rank across."""
    team_paths = {u.path for u in OrgUnit.objects.filter(
        pk__in=results_visible_to(user, period).values("unit_id"))}
    units = units_visible_to(user).order_by("path")
    return [u for u in units if any(p.startswith(u.path) and p != u.path for p in team_paths)]


def unit_ranking(*, user: User | None, period: Period, unit: OrgUnit) -> list[dict]:
    """The results of every team under ``unit`` ranked together (the engine's ranking and incentive bands
    over the whole unit): ``[{result, rank, tier}]`` in rank order."""
    rows = list(results_visible_to(user, period).filter(unit__path__startswith=unit.path)
                .select_related("run__period"))
    template = version_template(period.version)
    by_agent = {}
    converted = engine_results(rows)
    for row, res in zip(rows, converted):
        by_agent[res.agent] = row
    ranked = engine_scoring.rank_team(template, converted)
    return [{"result": by_agent[r.agent], "rank": r.rank, "tier": r.tier or ""} for r in ranked]


def person_results(*, person: Person, template: ScorecardTemplate | None = None) -> list[AgentResult]:
    """A person's current result of every scored period, oldest month first (the trend)."""
    periods = Period.objects.filter(current_run__isnull=False)
    if template is not None:
        periods = periods.filter(template=template)
    results = (AgentResult.objects.filter(person=person, run_id__in=periods.values("current_run_id"))
               .select_related("run__period__template").order_by("run__period__month"))
    return list(results)


def input_history(*, user: User | None, period: Period, person: Person | None = None) -> QuerySet[InputChange]:
    changes = InputChange.objects.filter(period=period, person__in=people_visible_to(user))
    if person is not None:
        changes = changes.filter(person=person)
    return changes.select_related("person").order_by("-at", "-id")


def visible_person_or_none(user: User | None, pk: int) -> Person | None:
    return people_visible_to(user).filter(pk=pk).first()


def can_manage(user: User | None) -> bool:
    return user_has_role(user, *MANAGERS)


# ---------------------------------------------------------------- team analysis


@dataclass
class ItemAverage:
    item: str
    name: str
    weight: float
    average: float | None  # points
    share: float | None  # average ÷ weight × 100
    no_data: int


def result_rows(results: list[AgentResult]) -> list[dict]:
    return [{"total": r.total, "unit": r.unit.name, "items": r.items} for r in results]


def item_averages(template: Template, results: list[AgentResult], *, language: str = "zh") -> list[ItemAverage]:
    """Average points of each item over the results (items of no data left out), best-known order."""
    idx = 0 if language.startswith("zh") else 1
    points: dict[str, list[float]] = defaultdict(list)
    missing: dict[str, int] = defaultdict(int)
    for r in results:
        for it in r.items:
            if it["points"] is None:
                missing[it["item"]] += 1
            else:
                points[it["item"]].append(it["points"])
    out = []
    for it in template.items:
        avg = round(mean(points[it.id]), 2) if points[it.id] else None
        out.append(ItemAverage(it.id, it.name[idx], it.weight, avg,
                               round(avg / it.weight * 100, 1) if avg is not None else None, missing[it.id]))
    return out


def weakest_items(averages: list[ItemAverage], n: int = 5) -> list[ItemAverage]:
    """The items with the lowest average share of their weight."""
    return sorted((a for a in averages if a.share is not None), key=lambda a: (a.share, a.item))[:n]


def month_working_days(month: str) -> int:
    """Working days of a month (``YYYY-MM``) by the organisation's calendar (statute plus overrides)."""
    from servicecoach.org.calendar import get_calendar

    year, mon = int(month[:4]), int(month[5:7])
    first = date(year, mon, 1)
    last = date(year, mon, monthrange(year, mon)[1])
    return len(get_calendar().working_days_in(first, last))


def _ratio(numerator: float | None, denominator: float | None, digits: int) -> float | None:
    """numerator ÷ denominator, or None (shown as "—") when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, digits)


def team_costs(*, period: Period, unit_ids) -> dict[int, TeamCost]:
    return {c.unit_id: c for c in TeamCost.objects.filter(period=period, unit_id__in=list(unit_ids))}


def team_comparison(*, user: User | None, period: Period) -> list[dict]:
    """Per team of the period the user may see: staff, average total, the month's sums of the figures a
    manager compares (sales, consultations, orders, visits; None when no agent of the team has the
    figure), the labour cost, and the ratios: sales per agent and per yuan of labour cost, consultations
    per agent, per working day (team) and per agent per working day, conversion (orders ÷ visits).
    A ratio whose part is missing or whose divisor is 0 is None (the page shows "—")."""
    figures = ("sales", "consultations", "orders", "visits")
    teams: dict[int, dict] = {}
    for row in inputs_visible_to(user, period):
        t = teams.setdefault(row.unit_id, {"unit": row.unit, "staff": 0, "totals": [],
                                           **{k: None for k in figures}})
        t["staff"] += 1
        for key in figures:
            v = row.figures.get(key)
            if isinstance(v, int | float) and not isinstance(v, bool):
                t[key] = (t[key] or 0) + v
    for r in results_visible_to(user, period):
        if r.unit_id in teams:
            teams[r.unit_id]["totals"].append(r.total)
    days = month_working_days(period.month)
    costs = team_costs(period=period, unit_ids=teams)
    out = []
    for t in sorted(teams.values(), key=lambda t: t["unit"].path):
        staff = t["staff"]
        cost = costs.get(t["unit"].pk)
        labour = float(cost.labour_cost) if cost is not None else None
        per_day = _ratio(t["consultations"], days, 1)
        out.append({
            **t,
            "working_days": days,
            "labour_cost": labour,
            "average_total": round(mean(t["totals"]), 2) if t["totals"] else None,
            "sales_per_agent": _ratio(t["sales"], staff, 2),
            "consultations_per_agent": _ratio(t["consultations"], staff, 1),
            "consultations_per_day": per_day,
            "consultations_per_agent_per_day": _ratio(t["consultations"], staff * days, 1),
            "cost_per_agent": _ratio(labour, staff, 2),
            "sales_per_cost": _ratio(t["sales"], labour, 2),
            "conversion": _ratio(t["orders"] * 100 if t["orders"] is not None else None, t["visits"], 2),
        })
    return out


def team_trend(*, user: User | None, template: ScorecardTemplate, unit_ids: list[int] | None = None,
               last: int = 12) -> dict:
    """Average total per team for the template's last ``last`` scored months: ``{months, series}``."""
    periods = list(Period.objects.filter(template=template, current_run__isnull=False).order_by("-month")[:last])
    periods.reverse()
    months = [p.month for p in periods]
    per_team: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    visible = people_visible_to(user)
    results = AgentResult.objects.filter(run_id__in=[p.current_run_id for p in periods], person__in=visible)
    if unit_ids:
        results = results.filter(unit_id__in=unit_ids)
    for unit_name, month, total in results.values_list("unit__name", "run__period__month", "total"):
        per_team[unit_name][month].append(total)
    series = [{"name": name, "y": [round(mean(by[m]), 2) if by.get(m) else None for m in months]}
              for name, by in sorted(per_team.items())]
    return {"months": months, "series": series}


# ---------------------------------------------------------------- home panels


def home_my_scorecard(user: User | None) -> dict:
    """The agent's latest scorecard and the change from the month before."""
    from servicecoach.org.selectors import person_for_user

    person = person_for_user(user)
    results = person_results(person=person) if person is not None else []
    latest = results[-1] if results else None
    previous = results[-2] if len(results) > 1 else None
    change = round(latest.total - previous.total, 2) if latest and previous else None
    return {"latest": latest, "change": change}


def home_supervisor_months(user: User | None) -> dict:
    """The latest months with, for each, the user's teams (to open the grid) and whether it is scored."""
    months = []
    for period in period_list()[:2]:
        months.append({"period": period, "teams": period_teams(user=user, period=period)})
    return {"months": months}
