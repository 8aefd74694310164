"""The QA metrics dashboard for a unit and a period, always within the user's scope (the quality app's
``conversation_list``). Counted in the database where it can be; durations in Python so that SQLite and
PostgreSQL give the same figures. Calibration reviews never count."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.org.models import OrgUnit, Person, User
from servicecoach.org.selectors import unit_subtree, user_roles
from servicecoach.quality import selectors as quality_selectors
from servicecoach.quality.models import RuleHit
from servicecoach.review.models import (
    Appeal,
    AppealStatus,
    ProblemType,
    Review,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    Severity,
)
from servicecoach.review.services import PASS_SCORE
from servicecoach.review.summary import (
    CONV_SUMS,
    REVIEW_SUMS,
    SUM_FIELDS,
    TABLES,
    pending_days,
    review_seconds,
)


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _mean(total: float | None, count: int | None) -> float | None:
    """``total / count``, the total first rounded to 6 decimals: floating-point sums depend on the order
    of their terms (per day then over the days in the summary, all at once in the detailed tables), and
    the last-bit difference must not flip a rounded figure such as 88.65 → 88.6 / 88.7. The values summed
    (scores with 2 decimals, CSAT, seconds) are far coarser than 1e-6."""
    return round(total or 0.0, 6) / count if count else None


def _final(conv: dict[str, Any], rev: dict[str, Any] | None) -> tuple[int, int]:
    """(passed, scored) on the final score: the review's where there is one, else the automatic one.
    Worked out from two grouped counts (conversations; their submitted reviews) instead of a per-row
    subquery, which made the dashboard slow on large periods."""
    rev = rev or {}
    passed = conv.get("auto_passed", 0) - rev.get("auto_passed", 0) + rev.get("passed", 0)
    scored = conv.get("with_score", 0) - rev.get("auto_scored", 0) + rev.get("scored", 0)
    return passed, scored


CONV_AGG = {
    "n": Count("pk"), "score_sum": Sum("score"), "red": Count("pk", filter=Q(red_line=True)),
    "auto_passed": Count("pk", filter=Q(score__gte=PASS_SCORE)), "with_score": Count("score"),
}
def _add(target: dict[str, Any], row: dict[str, Any], rev: dict[str, Any]) -> None:
    for source in (row, rev):
        for key, value in source.items():
            if key in CONV_SUMS or key in REVIEW_SUMS:
                target[key] = target.get(key, 0) + (value or 0)


def _finish(s: dict[str, Any]) -> dict[str, Any]:
    """Averages and the pass rate from summed counts. The pass rate is on the final score: the review's
    where there is one, else the automatic one."""
    def avg(total: str, count: str, digits: int = 1) -> float | None:
        return _r(_mean(s[total], s[count]), digits) if s.get(count) else None

    passed = s.get("auto_passed", 0) - s.get("r_auto_passed", 0) + s.get("passed", 0)
    scored = s.get("with_score", 0) - s.get("auto_scored", 0) + s.get("scored", 0)
    return {"n": s.get("n", 0), "auto": avg("score_sum", "with_score"), "red": s.get("red", 0),
            "reviewed": s.get("reviewed", 0), "review": avg("review_sum", "scored"), "csat": avg("csat_sum", "csat_n", 2),
            "frt": avg("frt_sum", "frt_n"), "aht": avg("aht_sum", "aht_n"),
            "pass_rate": _r(100 * passed / scored) if scored else None}


REVIEW_AGG = {
    "reviewed": Count("pk"), "review_sum": Sum("score"), "passed": Count("pk", filter=Q(score__gte=PASS_SCORE)),
    "scored": Count("score"), "auto_passed": Count("pk", filter=Q(conversation__score__gte=PASS_SCORE)),
    "auto_scored": Count("conversation__score"),
}


def _per_day(conversations, reviews):
    """(day, conversation counts, review counts or None) for each local day of the period with conversations."""
    by_day = {row["day"]: row for row in reviews.annotate(day=TruncDate("conversation__started_at"))
              .values("day").annotate(**REVIEW_AGG)}
    for rev in by_day.values():
        rev["review"] = _mean(rev.pop("review_sum"), rev["scored"])
    for row in (conversations.annotate(day=TruncDate("started_at")).values("day").annotate(**CONV_AGG)
                .order_by("day")):
        if row["day"] is not None:
            row["auto"] = _mean(row.pop("score_sum"), row["with_score"])
            yield row["day"], row, by_day.get(row["day"])


def _summary_rows(user: User | None, unit: OrgUnit | None, start: date, end: date) -> list | None:
    """The summary tables for the user's scope, the unit (and below) and the period: the same conditions as
    ``quality_selectors.conversation_list`` (its scope condition is on ``unit`` and ``agent``, fields the
    summary tables share), or None where the summary cannot answer (another time zone active)."""
    if timezone.get_current_timezone_name() != timezone.get_default_timezone_name():
        return None
    if not user_roles(user) & set(quality_selectors.QA_VIEWERS):
        return [table.objects.none() for table in TABLES]
    condition = quality_selectors.scope_condition(user) or Q()
    condition &= Q(day__gte=start, day__lte=end)
    if unit is not None:
        condition &= Q(unit_id__in=list(unit_subtree(unit).values_list("pk", flat=True)))
    return [table.objects.filter(condition).order_by() for table in TABLES]


def _from_summary(daily, rule_rows, item_rows, reviewer_rows) -> dict[str, Any]:
    """The figures that summarise (see :func:`_detailed`) from the summary tables."""
    sums = {name: Sum(name) for name in SUM_FIELDS}
    trend = []
    for row in daily.values("day").annotate(**sums).order_by("day"):
        conv = {"n": row["n"], "red": row["red"], "auto_passed": row["auto_passed"], "with_score": row["with_score"],
                "auto": _mean(row["score_sum"], row["with_score"])}
        rev = None
        if row["reviewed"]:
            rev = {"auto_passed": row["r_auto_passed"], "passed": row["passed"], "scored": row["scored"],
                   "auto_scored": row["auto_scored"],
                   "review": _mean(row["review_sum"], row["scored"])}
        trend.append((row["day"], conv, rev))
    throughput: dict[int, dict[str, Any]] = {}
    for row in reviewer_rows.values("reviewer").annotate(reviews=Sum("reviews"), seconds=Sum("seconds")):
        throughput[row["reviewer"]] = {"reviews": row["reviews"], "seconds": row["seconds"]}
    for person in Person.objects.filter(pk__in=list(throughput)).only("name"):
        throughput[person.pk]["name"] = person.name
    return {
        "groups": list(daily.values("agent", "unit").annotate(**sums)), "days": trend,
        "rules": list(rule_rows.values("rule_id").annotate(n=Sum("n")).order_by("-n", "rule_id")[:10]),
        "failing": list(item_rows.values("section", "item", "name").annotate(n=Sum("n")).order_by("-n", "name")[:10]),
        "matrix": {(r["problem_type"], r["severity"]): r["n"] for r in
                   item_rows.values("problem_type", "severity").annotate(n=Sum("n"))},
        "throughput": throughput,
    }


def _detailed(conversations, reviews) -> dict[str, Any]:
    """Totals and tables by agent × unit, the trend per day, top rules and items, the problem matrix and the
    reviewers' throughput, from the detailed tables (a scan of the period each)."""
    review_groups = {(r["conversation__agent"], r["conversation__unit"]): r for r in
                     reviews.values("conversation__agent", "conversation__unit").annotate(**REVIEW_SUMS)}
    groups = []
    for row in conversations.values("agent", "unit").annotate(**CONV_SUMS):
        rev = review_groups.get((row["agent"], row["unit"]), {})
        groups.append(row | {k: v for k, v in rev.items() if k in REVIEW_SUMS})
    items = ReviewItem.objects.filter(review__in=reviews, applicable=True, bonus=False)
    taken = items.filter(Q(red_line=False, earned__lt=F("points")) | Q(red_line=True, violated=True))
    throughput: dict[int, dict[str, Any]] = {}
    for reviewer_id, name, opened, done in reviews.values_list("reviewer_id", "reviewer__name", "opened_at",
                                                               "submitted_at"):
        row = throughput.setdefault(reviewer_id, {"name": name, "reviews": 0, "seconds": 0.0})
        row["reviews"] += 1
        row["seconds"] += review_seconds(opened, done)
    return {
        "groups": groups, "days": list(_per_day(conversations, reviews)),
        "rules": list(RuleHit.objects.filter(conversation__in=conversations.values("pk"), is_current=True)
                      .values("rule_id").annotate(n=Count("pk")).order_by("-n", "rule_id")[:10]),
        "failing": list(taken.values("section", "item", "name").annotate(n=Count("pk")).order_by("-n", "name")[:10]),
        "matrix": {(r["problem_type"], r["severity"]): r["n"] for r in
                   taken.values("problem_type", "severity").annotate(n=Count("pk"))},
        "throughput": throughput,
    }


def repeat_contacts(conversations) -> dict[str, Any] | None:
    """Contacts, distinct customers, customers more than once and the repeat rate over ``conversations``
    (with a customer id). Distinct customers over a period cannot be summed from daily rows: this groups
    every conversation of the period (0.8 s at 1,000,000 on PostgreSQL), so the page loads it apart."""
    counts = (conversations.exclude(customer_id="").values("customer_id").annotate(n=Count("pk"))
              .aggregate(contacts=Sum("n"), customers=Count("customer_id"),
                         repeaters=Count("customer_id", filter=Q(n__gt=1))))
    contacts, customers, repeaters = counts["contacts"] or 0, counts["customers"], counts["repeaters"]
    if not contacts:
        return None
    return {"contacts": contacts, "customers": customers, "repeat_customers": repeaters,
            "repeat_rate": _r(100 * (contacts - customers) / contacts)}


def dashboard_conversations(*, user: User | None, unit: OrgUnit | None, start: date, end: date):
    return quality_selectors.conversation_list(
        user=user, filters={"unit": unit, "date_from": start, "date_to": end}).order_by()


def dashboard(*, user: User | None, unit: OrgUnit | None, start: date, end: date,
              summary: bool = True, with_repeat: bool = True) -> dict[str, Any]:
    """The dashboard's figures. Totals, the per-agent and per-team tables, the trend, the top rules and
    items, the problem matrix and the reviewers' throughput come from the summary tables (``review.summary``)
    unless ``summary`` is False; repeat contacts (distinct customers over the period) and appeals are
    counted from the detailed rows (``with_repeat=False`` leaves repeat contacts out: the page loads them
    apart, see :func:`repeat_contacts`)."""
    conversations = dashboard_conversations(user=user, unit=unit, start=start, end=end)
    reviews = Review.objects.filter(kind=ReviewKind.REGULAR, status=ReviewStatus.SUBMITTED,
                                    conversation__in=conversations.values("pk")).order_by()
    tables = _summary_rows(user, unit, start, end) if summary else None
    parts = _from_summary(*tables) if tables is not None else _detailed(conversations, reviews)
    groups, days, rules = parts["groups"], parts["days"], parts["rules"]

    # One pass over the period grouped by agent and unit gives the totals and both tables.
    all_rows: dict[str, Any] = {}
    by_agent: dict[int, dict[str, Any]] = defaultdict(dict)
    by_unit: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in groups:
        for target in (all_rows, by_agent[row["agent"]] if row["agent"] else None,
                       by_unit[row["unit"]] if row["unit"] else None):
            if target is not None:
                _add(target, row, {})
    totals = _finish(all_rows)
    totals.update({"conversations": totals["n"], "auto_score": totals["auto"], "red_lines": totals["red"],
                   "avg_review": totals["review"], "avg_csat": totals["csat"], "first_response": totals["frt"],
                   "handling": totals["aht"], "csat_n": all_rows.get("csat_n", 0)})

    trend = []
    for day, row, rev in days:
        passed, scored = _final(row, rev)
        trend.append({"day": day.isoformat(), "n": row["n"], "auto": _r(row["auto"]),
                      "review": _r(rev["review"]) if rev else None, "red": row["red"],
                      "pass_rate": _r(100 * passed / scored) if scored else None})

    failing_items = parts["failing"]
    for row in failing_items:
        row["name"] = ReviewItem(name=row["name"]).label

    catalogue = quality_selectors.rule_catalogue(quality_selectors.published_versions()[0])
    for row in rules:
        row["name"] = catalogue.get(row["rule_id"], {}).get("name", row["rule_id"])

    labels_type = dict(ProblemType.choices)
    labels_severity = dict(Severity.choices)
    matrix = parts["matrix"]
    problems = [{"type": str(labels_type[t]), "cells": [matrix.get((t, s), 0) for s in Severity.values],
                 "total": sum(matrix.get((t, s), 0) for s in Severity.values)} for t in ProblemType.values]
    pareto = sorted(({"label": f"{labels_type.get(t, t or '?')} · {labels_severity.get(s, s or '?')}", "n": n}
                     for (t, s), n in matrix.items() if n), key=lambda r: (-r["n"], r["label"]))
    running, total_problems = 0, sum(r["n"] for r in pareto)
    for row in pareto:
        running += row["n"]
        row["cumulative"] = round(100 * running / total_problems, 1)

    people = {p.pk: p for p in Person.objects.filter(pk__in=list(by_agent)).only("name", "employee_no")}
    units = {u.pk: u for u in OrgUnit.objects.filter(pk__in=list(by_unit)).only("name", "code")}
    per_agent = sorted(({"name": people[k].name, "code": people[k].employee_no} | _finish(v)
                        for k, v in by_agent.items() if k in people), key=lambda r: r["code"])
    per_team = sorted(({"name": units[k].name, "code": units[k].code} | _finish(v)
                       for k, v in by_unit.items() if k in units), key=lambda r: r["code"])

    repeat = repeat_contacts(conversations) if with_repeat else None

    reviewers = []
    for row in parts["throughput"].values():
        hours = row["seconds"] / 3600
        reviewers.append({"name": row["name"], "reviews": row["reviews"], "hours": _r(hours, 2),
                          "per_hour": _r(row["reviews"] / hours) if hours > 0 else None})
    reviewers.sort(key=lambda r: (-r["reviews"], r["name"]))

    appeals = Appeal.objects.filter(review__in=reviews)
    counts = appeals.aggregate(n=Count("pk"), accepted=Count("pk", filter=Q(status=AppealStatus.ACCEPTED)),
                               open=Count("pk", filter=Q(status__in=[AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD])))
    decided = list(appeals.filter(decided_at__isnull=False).values_list("created_at", "decided_at"))
    review_count = totals["reviewed"]
    appeal_stats = {
        "appeals": counts["n"], "reviews": review_count,
        "rate": _r(100 * counts["n"] / review_count) if review_count else None,
        "accepted": counts["accepted"], "open": counts["open"],
        "resolution_hours": _r(sum((d - a).total_seconds() for a, d in decided) / len(decided) / 3600)
        if decided else None,
    }
    return {"totals": totals, "trend": trend, "failing_items": failing_items, "rules": rules,
            "problems": problems, "severities": [str(labels_severity[s]) for s in Severity.values],
            "pareto": pareto, "per_agent": per_agent, "per_team": per_team, "repeat": repeat,
            "reviewers": reviewers, "appeals": appeal_stats,
            "pending_days": pending_days(start, end) if tables is not None else []}


def charts(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Plotly figures (data and layout) for the template to draw with the locally served plotly.js."""
    days = [r["day"] for r in data["trend"]]
    base = {"margin": {"t": 36, "r": 16, "b": 48, "l": 48}, "height": 300, "legend": {"orientation": "h"}}
    out = [{
        "id": "chart-trend", "title": _("QA score trend"),
        "data": [{"type": "scatter", "mode": "lines+markers", "name": _("Automatic score"), "x": days,
                  "y": [r["auto"] for r in data["trend"]]},
                 {"type": "scatter", "mode": "lines+markers", "name": _("Review score"), "x": days,
                  "y": [r["review"] for r in data["trend"]]},
                 {"type": "bar", "name": _("Red lines"), "x": days, "y": [r["red"] for r in data["trend"]],
                  "yaxis": "y2", "opacity": 0.4}],
        "layout": base | {"yaxis": {"title": {"text": _("Score")}, "range": [0, 100]},
                          "yaxis2": {"overlaying": "y", "side": "right", "showgrid": False}},
    }, {
        "id": "chart-pass", "title": _("Pass rate"),
        "data": [{"type": "scatter", "mode": "lines+markers", "name": _("Pass rate (%)"), "x": days,
                  "y": [r["pass_rate"] for r in data["trend"]]}],
        "layout": base | {"yaxis": {"range": [0, 100], "ticksuffix": "%"}},
    }]
    if data["pareto"]:
        out.append({
            "id": "chart-pareto", "title": _("Problems by type and severity (Pareto)"),
            "data": [{"type": "bar", "name": _("Problems"), "x": [r["label"] for r in data["pareto"]],
                      "y": [r["n"] for r in data["pareto"]]},
                     {"type": "scatter", "mode": "lines+markers", "name": _("Cumulative %"),
                      "x": [r["label"] for r in data["pareto"]], "y": [r["cumulative"] for r in data["pareto"]],
                      "yaxis": "y2"}],
            "layout": base | {"yaxis2": {"overlaying": "y", "side": "right", "range": [0, 100], "ticksuffix": "%"}},
        })
    if data["rules"]:
        out.append({
            "id": "chart-rules", "title": _("Top rules hit"),
            "data": [{"type": "bar", "orientation": "h", "x": [r["n"] for r in data["rules"]][::-1],
                      "y": [r["name"] for r in data["rules"]][::-1]}],
            "layout": base | {"margin": {"t": 36, "r": 16, "b": 40, "l": 160}},
        })
    return out
