"""Reading quality data, always through the scope of the user asking (docs/quality-web.md#scope).

- administrators and training managers: every conversation;
- QA reviewers: the units under their role's scope unit (else their own unit), so a QA reviewer
  placed at the company sees everything, unlinked conversations included;
- supervisors: the units they supervise and below;
- everyone with a person record: the conversations they handled themselves (an agent sees only those).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from servicecoach.org.models import OrgUnit, Person, Role, RoleAssignment, User
from servicecoach.org.selectors import person_for_user, supervised_units, unit_subtree, user_roles
from servicecoach.quality import scoring
from servicecoach.quality.models import (
    AutoResult,
    Conversation,
    Job,
    RuleHit,
    RuleSetVersion,
    ScorecardVersion,
    Verdict,
    VersionStatus,
)

# Who may open the QA pages at all (each sees their scope); trainers and mentors are not in the loop.
QA_VIEWERS = (Role.ADMIN, Role.TRAINING_MANAGER, Role.QA_REVIEWER, Role.SUPERVISOR, Role.AGENT)
ALL_CONVERSATIONS = frozenset({Role.ADMIN, Role.TRAINING_MANAGER})
# Who runs the inspection: rule sets, scorecards, uploads, jobs, verdicts on hits.
QA_STAFF = (Role.ADMIN, Role.QA_REVIEWER)
SORTS = {
    "started": ("-started_at", "-pk"), "-started": ("started_at", "pk"),
    "score": ("score", "-started_at"), "-score": ("-score", "-started_at"),
    "csat": ("csat", "-started_at"), "-csat": ("-csat", "-started_at"),
    "agent": ("agent_employee_no", "-started_at"),
}


def qa_reviewer_units(user: User | None) -> QuerySet[OrgUnit]:
    """The top units of a QA reviewer's scope: their role's scope units, else their own unit."""
    person = person_for_user(user)
    if person is None:
        return OrgUnit.objects.none()
    ids = {a.unit_id or person.unit_id for a in RoleAssignment.objects.filter(person=person, role=Role.QA_REVIEWER)}
    return OrgUnit.objects.filter(pk__in=ids)


def scope_condition(user: User | None) -> Q | None:
    """The filter of the conversations ``user`` may see; None means all of them."""
    roles = user_roles(user)
    if roles & ALL_CONVERSATIONS:
        return None
    condition = Q(pk__in=[])
    tops: list[OrgUnit] = []
    if Role.QA_REVIEWER in roles:
        reviewer_tops = list(qa_reviewer_units(user))
        if any(unit.parent_id is None for unit in reviewer_tops):
            return None  # placed at the company: everything, unlinked conversations included
        tops += reviewer_tops
    if Role.SUPERVISOR in roles:
        tops += list(supervised_units(user))
    if tops:
        # the unit ids as a list, not a subquery: the planner then uses the (unit, started_at) index
        condition |= Q(unit_id__in=list(unit_subtree(tops).values_list("pk", flat=True)))
    person = person_for_user(user)
    if person is not None:
        condition |= Q(agent=person)
    return condition


def conversations_visible_to(user: User | None) -> QuerySet[Conversation]:
    if not user_roles(user) & set(QA_VIEWERS):
        return Conversation.objects.none()
    condition = scope_condition(user)
    queryset = Conversation.objects.all()
    return queryset if condition is None else queryset.filter(condition)


def conversation_get(*, user: User | None, pk: int) -> Conversation:
    conversation = conversations_visible_to(user).select_related("agent", "unit", "current_result").filter(pk=pk).first()
    if conversation is None:
        raise Http404
    return conversation


def units_for_filter(user: User | None) -> QuerySet[OrgUnit]:
    """Units offered in the list's unit filter: those whose conversations the user may see."""
    condition = scope_condition(user)
    if condition is None:
        return OrgUnit.objects.all().order_by("path")
    roles = user_roles(user)
    tops: list[OrgUnit] = []
    if Role.QA_REVIEWER in roles:
        tops += list(qa_reviewer_units(user))
    if Role.SUPERVISOR in roles:
        tops += list(supervised_units(user))
    return unit_subtree(tops).order_by("path") if tops else OrgUnit.objects.none()


def agents_for_filter(user: User | None) -> QuerySet[Person]:
    units = units_for_filter(user)
    people = Person.objects.filter(unit__in=units)
    person = person_for_user(user)
    if person is not None:
        people = Person.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=person.pk))
    return people.order_by("employee_no")


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def conversation_list(*, user: User | None, filters: dict[str, Any] | None = None) -> QuerySet[Conversation]:
    """The user's conversations, filtered and sorted. ``filters`` keys (all optional): ``unit`` (an
    OrgUnit: it and the units below), ``agent`` (a Person), ``date_from``/``date_to`` (dates,
    inclusive), ``channel``, ``score_min``/``score_max``, ``rule`` (a rule id with a current hit),
    ``red_line`` (True/False), ``csat_min``/``csat_max``, ``reviewed`` (True/False), ``q`` (conversation
    id, agent number or name), ``sort`` (a key of :data:`SORTS`)."""
    f = {k: v for k, v in (filters or {}).items() if v not in (None, "", [])}
    qs = conversations_visible_to(user)
    if "unit" in f:
        qs = qs.filter(unit_id__in=list(unit_subtree(f["unit"]).values_list("pk", flat=True)))
    if "agent" in f:
        qs = qs.filter(agent=f["agent"])
    if "date_from" in f:
        qs = qs.filter(started_at__gte=_day_start(f["date_from"]))
    if "date_to" in f:
        qs = qs.filter(started_at__lt=_day_start(f["date_to"] + timedelta(days=1)))
    if "channel" in f:
        qs = qs.filter(channel=f["channel"])
    if "score_min" in f:
        qs = qs.filter(score__gte=f["score_min"])
    if "score_max" in f:
        qs = qs.filter(score__lte=f["score_max"])
    if "rule" in f:
        qs = qs.filter(Exists(RuleHit.objects.filter(conversation=OuterRef("pk"), rule_id=f["rule"], is_current=True)))
    if "red_line" in f:
        qs = qs.filter(red_line=f["red_line"])
    if "csat_min" in f:
        qs = qs.filter(csat__gte=f["csat_min"])
    if "csat_max" in f:
        qs = qs.filter(csat__lte=f["csat_max"])
    if "reviewed" in f:
        qs = qs.filter(reviewed_at__isnull=not f["reviewed"])
    if "q" in f:
        text = f["q"].strip()
        qs = qs.filter(Q(external_id=text) | Q(agent_employee_no=text) | Q(agent_name__icontains=text)
                       | Q(agent__name__icontains=text))
    return qs.select_related("agent", "unit").order_by(*SORTS.get(f.get("sort") or "started", SORTS["started"]))


# ------------------------------------------------------------------------------- versions and rules


def published_versions() -> tuple[RuleSetVersion, ScorecardVersion]:
    """The published rule set and scorecard (the built-in Chinese pack on first use)."""
    from servicecoach.quality.services import versions_ensure_builtin

    ruleset = RuleSetVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    card = ScorecardVersion.objects.filter(status=VersionStatus.PUBLISHED).first()
    if ruleset is None or card is None:
        return versions_ensure_builtin()
    return ruleset, card


def _zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def rule_catalogue(version: RuleSetVersion) -> dict[str, dict[str, str]]:
    """Rule id -> name (in the interface language), category, severity, description."""
    try:
        ruleset = scoring.parsed_ruleset(version.yaml_text)
    except scoring.YamlProblem:
        return {}
    zh = _zh()
    return {rid: info | {"name": info["name_zh"] if zh else info["name_en"]}
            for rid, info in scoring.rule_info(ruleset).items()}


def rule_hit_stats(version: RuleSetVersion) -> list[dict[str, Any]]:
    """Each rule of a version with its current hits and the reviewers' confirmed/rejected counts (all
    hits of that rule id, whatever version made them), and the precision where verdicts exist."""
    catalogue = rule_catalogue(version)
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"current": 0, Verdict.CONFIRMED: 0, Verdict.REJECTED: 0})
    for row in (RuleHit.objects.filter(rule_id__in=list(catalogue), is_current=True)
                .values("rule_id").annotate(n=Count("conversation_id", distinct=True))):
        counts[row["rule_id"]]["current"] = row["n"]
    for row in (RuleHit.objects.filter(rule_id__in=list(catalogue)).exclude(verdict=Verdict.PENDING)
                .values("rule_id", "verdict").annotate(n=Count("id"))):
        counts[row["rule_id"]][row["verdict"]] = row["n"]
    out = []
    for rid, info in catalogue.items():
        c = counts[rid]
        judged = c[Verdict.CONFIRMED] + c[Verdict.REJECTED]
        out.append(info | {
            "id": rid, "conversations": c["current"], "confirmed": c[Verdict.CONFIRMED],
            "rejected": c[Verdict.REJECTED],
            "precision": round(100 * c[Verdict.CONFIRMED] / judged) if judged else None,
        })
    return out


def scorecard_breakdown(result: AutoResult) -> list[dict[str, Any]]:
    """The scorecard worked out item by item: sections in order, each with its items (name in the
    interface language, points, earned, applicable, red line, bonus, manual, rules fired) and totals."""
    try:
        card = scoring.parsed_scorecard(result.scorecard.yaml_text)
    except scoring.YamlProblem:
        card = None
    zh = _zh()
    names: dict[tuple[str, str], str] = {}
    section_names: dict[str, str] = {}
    if card is not None:
        for section in card.sections:
            section_names[section.id] = section.name_zh if zh else section.name_en
            for item in section.items:
                names[(section.id, item.id)] = item.name_zh if zh else item.name_en
    rules = rule_catalogue(result.ruleset)
    sections: list[dict[str, Any]] = []
    for item in result.items:
        if not sections or sections[-1]["id"] != item["section"]:
            sections.append({"id": item["section"], "name": section_names.get(item["section"], item["section"]),
                             "items": [], "points": 0.0, "earned": 0.0})
        section = sections[-1]
        row = dict(item)
        row["name"] = names.get((item["section"], item["item"]), item["item"])
        row["fired"] = [{"id": r, "name": rules.get(r, {}).get("name", r)} for r in item.get("rules") or []]
        section["items"].append(row)
        if item["applicable"] and not item["bonus"]:
            section["points"] += item["points"]
        if item["applicable"] and item["earned"] is not None:
            section["earned"] += item["earned"]
    for section in sections:
        section["earned"] = min(section["earned"], section["points"]) if section["points"] else section["earned"]
    return sections


def _fmt_seconds(value: float | None) -> str:
    if value is None:
        return ""
    value = int(round(value))
    return f"{value // 60}:{value % 60:02d}" if value >= 60 else f"{value}s"


def transcript_rows(conversation: Conversation, result: AutoResult | None = None) -> list[dict[str, Any]]:
    """The messages with their time (clock time when the start is known, else the offset), the wait
    before an agent reply (since the customer's first unanswered message), and the automatic hits cut
    into segments so the template can highlight each span in place."""
    hits_by_message: dict[int, list[RuleHit]] = defaultdict(list)
    if result is not None:
        for hit in result.hits.all():
            if hit.message_index is not None and hit.start is not None:
                hits_by_message[hit.message_index].append(hit)
    rows = []
    waiting_since = None
    for index, m in enumerate(conversation.messages):
        t = m.get("t")
        clock = ""
        if t is not None and conversation.started_at is not None:
            clock = timezone.localtime(conversation.started_at + timedelta(seconds=t)).strftime("%H:%M:%S")
        wait = None
        if m["role"] == "customer" and waiting_since is None and t is not None:
            waiting_since = t
        elif m["role"] == "agent":
            if waiting_since is not None and t is not None:
                wait = t - waiting_since
            waiting_since = None
        rows.append({
            "index": index, "role": m["role"], "offset": _fmt_seconds(t) if t is not None else "",
            "clock": clock, "wait": _fmt_seconds(wait) if wait is not None else "", "wait_seconds": wait,
            "segments": _segments(m["text"], hits_by_message.get(index, [])),
            "hits": hits_by_message.get(index, []), "duration": _fmt_seconds(m["end"] - t)
            if m.get("end") is not None and t is not None else "",
        })
    return rows


def _segments(text: str, hits: list[RuleHit]) -> list[dict[str, Any]]:
    """Cut ``text`` at every hit boundary: each segment knows the hits covering it."""
    if not hits:
        return [{"text": text, "hits": []}]
    cuts = sorted({0, len(text)} | {min(h.start, len(text)) for h in hits} | {min(h.end, len(text)) for h in hits})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if a == b:
            continue
        covering = [h for h in hits if h.start <= a and h.end >= b]
        out.append({"text": text[a:b], "hits": covering})
    return out


def conversation_page_data(conversation: Conversation) -> dict[str, Any]:
    result = conversation.current_result
    if result is not None:
        result = AutoResult.objects.select_related("ruleset", "scorecard").prefetch_related("hits").get(pk=result.pk)
    return {
        "result": result,
        "rows": transcript_rows(conversation, result),
        "sections": scorecard_breakdown(result) if result is not None else [],
        "rules": rule_catalogue(result.ruleset) if result is not None else {},
        "history": list(conversation.auto_results.select_related("ruleset", "scorecard").order_by("-scored_at")),
    }


# ------------------------------------------------------------------------------- jobs


def jobs_visible_to(user: User | None) -> QuerySet[Job]:
    """Jobs are the QA staff's (administrators and QA reviewers): they share the imports."""
    if user_roles(user) & set(QA_STAFF):
        return Job.objects.select_related("created_by")
    return Job.objects.none()


# ------------------------------------------------------------------------------- preview of a draft rule

PREVIEW_LIMIT = 20000
PREVIEW_SAMPLES = 10


def rule_preview(*, user: User | None, version: RuleSetVersion, rule_id: str, days: int) -> dict[str, Any]:
    """Run one rule of a (draft) rule set on the user's conversations of the last ``days`` days (the
    newest :data:`PREVIEW_LIMIT` of them) and report how many it fires on, how many it does not apply
    to, how that compares with the published rule of the same id, and sample hits with their text.
    Raises :class:`scoring.YamlProblem` when the draft does not parse."""
    import time as _time

    from servicecoach.quality.engine.batch import BatchRuleSet
    from servicecoach.quality.engine.fast import CompiledRuleSet
    from servicecoach.quality.engine.rules import RuleSet

    began = _time.perf_counter()
    ruleset = scoring.parse_ruleset_text(version.yaml_text)
    rule = ruleset.rule(rule_id)
    single = RuleSet(id=ruleset.id, version=ruleset.version, rules=[rule], language=ruleset.language,
                     synonyms=ruleset.synonyms)
    evaluator = BatchRuleSet(CompiledRuleSet(single))
    since = timezone.now() - timedelta(days=days)
    rows = list(conversations_visible_to(user).filter(started_at__gte=since).order_by("-started_at")
                .values_list("pk", "external_id", "source", "channel", "started_at", "labels", "messages",
                             "agent_employee_no")[:PREVIEW_LIMIT])
    convs = [scoring.engine_from_values(row) for row in rows]
    fired = not_applicable = 0
    fired_ids: set[int] = set()
    samples = []
    for start in range(0, len(convs), 2000):
        chunk = convs[start:start + 2000]
        for row, conv, outcome in zip(rows[start:start + 2000], chunk, evaluator.evaluate(chunk)):
            state = outcome.states.get(rule_id)
            if state is None:
                not_applicable += 1
            elif state:
                fired += 1
                fired_ids.add(row[0])
                if len(samples) < PREVIEW_SAMPLES:
                    hits = [h for h in outcome.hits if h[0] == rule_id]
                    samples.append({"pk": row[0], "id": row[1], "started_at": row[4], "agent": row[7],
                                    "hits": [_sample_hit(conv, h) for h in hits[:3]]})
    published_ids = set(RuleHit.objects.filter(conversation_id__in=[r[0] for r in rows], rule_id=rule_id,
                                               is_current=True).values_list("conversation_id", flat=True))
    return {
        "rule": rule, "days": days, "conversations": len(rows), "fired": fired, "not_applicable": not_applicable,
        "limited": len(rows) >= PREVIEW_LIMIT, "samples": samples,
        "published_fired": len(published_ids), "newly_fired": len(fired_ids - published_ids),
        "no_longer_fired": len(published_ids - fired_ids),
        "seconds": round(_time.perf_counter() - began, 2),
    }


def _sample_hit(conv: Any, hit: tuple) -> dict[str, Any]:
    _rule, mi, start, end, text = hit
    if mi is None:
        return {"message": None, "before": "", "text": "", "after": "", "role": ""}
    message = conv.messages[mi].text
    return {"message": mi, "role": conv.messages[mi].role, "before": message[max(0, start - 20):start],
            "text": message[start:end], "after": message[end:end + 20]}
