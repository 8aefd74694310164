"""The QA metrics dashboard for a unit and a period, always within the user's scope (the quality app's
``conversation_list``). Counted in the database where it can be; durations in Python so that SQLite and
PostgreSQL give the same figures. Calibration reviews never count."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext as _

from servicecoach.org.models import OrgUnit, User
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

# A review that took longer than this (left open over lunch) counts as this long in the throughput.
MAX_REVIEW_SECONDS = 2 * 3600


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def dashboard(*, user: User | None, unit: OrgUnit | None, start: date, end: date) -> dict[str, Any]:
    conversations = quality_selectors.conversation_list(
        user=user, filters={"unit": unit, "date_from": start, "date_to": end}).order_by()
    submitted = Review.objects.filter(kind=ReviewKind.REGULAR, status=ReviewStatus.SUBMITTED)
    review_score = Subquery(submitted.filter(conversation=OuterRef("pk")).values("score")[:1])
    # the final score: the review's where there is one, else the automatic one
    convs = conversations.annotate(review_score=review_score).annotate(final=Coalesce("review_score", "score"))

    totals = convs.aggregate(
        conversations=Count("pk"), auto_score=Avg("score"), red_lines=Count("pk", filter=Q(red_line=True)),
        avg_csat=Avg("csat"), csat_n=Count("csat"), first_response=Avg("first_response_seconds"),
        handling=Avg("duration_seconds"), reviewed=Count("review_score"), avg_review=Avg("review_score"),
        passed=Count("pk", filter=Q(final__gte=PASS_SCORE)), with_final=Count("final"),
    )
    totals["pass_rate"] = _r(100 * totals["passed"] / totals["with_final"]) if totals["with_final"] else None
    for key in ("auto_score", "avg_csat", "first_response", "handling", "avg_review"):
        totals[key] = _r(totals[key])

    trend = []
    for row in (convs.annotate(day=TruncDate("started_at")).values("day")
                .annotate(n=Count("pk"), auto=Avg("score"), review=Avg("review_score"),
                          red=Count("pk", filter=Q(red_line=True)),
                          passed=Count("pk", filter=Q(final__gte=PASS_SCORE)), with_score=Count("final"))
                .order_by("day")):
        trend.append({"day": row["day"].isoformat() if row["day"] else "", "n": row["n"], "auto": _r(row["auto"]),
                      "review": _r(row["review"]), "red": row["red"],
                      "pass_rate": _r(100 * row["passed"] / row["with_score"]) if row["with_score"] else None})

    reviews = submitted.filter(conversation__in=conversations.values("pk"))
    items = ReviewItem.objects.filter(review__in=reviews, applicable=True, bonus=False)
    taken = items.filter(Q(red_line=False, earned__lt=F("points")) | Q(red_line=True, violated=True))
    failing_items = list(taken.values("section", "item", "name").annotate(n=Count("pk")).order_by("-n", "name")[:10])
    for row in failing_items:
        row["name"] = ReviewItem(name=row["name"]).label

    catalogue = quality_selectors.rule_catalogue(quality_selectors.published_versions()[0])
    rules = list(RuleHit.objects.filter(conversation__in=conversations.values("pk"), is_current=True)
                 .values("rule_id").annotate(n=Count("conversation_id", distinct=True)).order_by("-n", "rule_id")[:10])
    for row in rules:
        row["name"] = catalogue.get(row["rule_id"], {}).get("name", row["rule_id"])

    labels_type = dict(ProblemType.choices)
    labels_severity = dict(Severity.choices)
    matrix = {(r["problem_type"], r["severity"]): r["n"] for r in
              taken.values("problem_type", "severity").annotate(n=Count("pk"))}
    problems = [{"type": str(labels_type[t]), "cells": [matrix.get((t, s), 0) for s in Severity.values],
                 "total": sum(matrix.get((t, s), 0) for s in Severity.values)} for t in ProblemType.values]
    pareto = sorted(({"label": f"{labels_type.get(t, t or '?')} · {labels_severity.get(s, s or '?')}", "n": n}
                     for (t, s), n in matrix.items() if n), key=lambda r: -r["n"])
    running, total_problems = 0, sum(r["n"] for r in pareto)
    for row in pareto:
        running += row["n"]
        row["cumulative"] = round(100 * running / total_problems, 1)

    per_agent = _grouped(convs, "agent", ("agent__name", "agent__employee_no"))
    per_team = _grouped(convs, "unit", ("unit__name", "unit__code"))

    repeat = None
    with_customer = convs.exclude(customer_id="")
    contacts = with_customer.count()
    if contacts:
        customers = with_customer.values("customer_id").distinct().count()
        repeaters = with_customer.values("customer_id").annotate(n=Count("pk")).filter(n__gt=1).count()
        repeat = {"contacts": contacts, "customers": customers, "repeat_customers": repeaters,
                  "repeat_rate": _r(100 * (contacts - customers) / contacts)}

    throughput: dict[int, dict[str, Any]] = {}
    for reviewer_id, name, opened, done in reviews.values_list("reviewer_id", "reviewer__name", "opened_at",
                                                               "submitted_at"):
        row = throughput.setdefault(reviewer_id, {"name": name, "reviews": 0, "seconds": 0.0})
        row["reviews"] += 1
        if opened and done:
            row["seconds"] += min(max((done - opened).total_seconds(), 0.0), MAX_REVIEW_SECONDS)
    reviewers = []
    for row in throughput.values():
        hours = row["seconds"] / 3600
        reviewers.append({"name": row["name"], "reviews": row["reviews"], "hours": _r(hours, 2),
                          "per_hour": _r(row["reviews"] / hours) if hours > 0 else None})
    reviewers.sort(key=lambda r: -r["reviews"])

    appeals = Appeal.objects.filter(review__in=reviews)
    decided = [(a, d) for a, d in appeals.filter(decided_at__isnull=False).values_list("created_at", "decided_at")]
    review_count = reviews.count()
    appeal_stats = {
        "appeals": appeals.count(), "reviews": review_count,
        "rate": _r(100 * appeals.count() / review_count) if review_count else None,
        "accepted": appeals.filter(status=AppealStatus.ACCEPTED).count(),
        "open": appeals.filter(status__in=[AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD]).count(),
        "resolution_hours": _r(sum((d - a).total_seconds() for a, d in decided) / len(decided) / 3600)
        if decided else None,
    }
    return {"totals": totals, "trend": trend, "failing_items": failing_items, "rules": rules,
            "problems": problems, "severities": [str(labels_severity[s]) for s in Severity.values],
            "pareto": pareto, "per_agent": per_agent, "per_team": per_team, "repeat": repeat,
            "reviewers": reviewers, "appeals": appeal_stats}


def _grouped(convs, key: str, names: tuple[str, str]) -> list[dict[str, Any]]:
    rows = (convs.filter(**{f"{key}__isnull": False}).values(key, *names)
            .annotate(n=Count("pk"), auto=Avg("score"), reviewed=Count("review_score"), review=Avg("review_score"),
                      red=Count("pk", filter=Q(red_line=True)), avg_csat=Avg("csat"),
                      frt=Avg("first_response_seconds"), aht=Avg("duration_seconds"),
                      passed=Count("pk", filter=Q(final__gte=PASS_SCORE)), with_score=Count("final"))
            .order_by(names[1]))
    out = []
    for row in rows:
        out.append({"name": row[names[0]], "code": row[names[1]], "n": row["n"], "auto": _r(row["auto"]),
                    "reviewed": row["reviewed"], "review": _r(row["review"]), "red": row["red"],
                    "csat": _r(row["avg_csat"], 2), "frt": _r(row["frt"]), "aht": _r(row["aht"]),
                    "pass_rate": _r(100 * row["passed"] / row["with_score"]) if row["with_score"] else None})
    return out


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
