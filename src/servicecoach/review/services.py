"""Every change to review data: sampling runs and assignment, reviews (with optimistic concurrency),
case write-ups, appeals and calibration sessions. Each change that matters is written to the audit log
(org.services.audit_record) in the same transaction."""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.org.calendar import add_working_days
from servicecoach.org.models import AuditAction, Person, User
from servicecoach.org.selectors import person_for_user
from servicecoach.org.services import audit_record
from servicecoach.quality import scoring
from servicecoach.quality.engine.scorecard import Scorecard
from servicecoach.quality.engine.sensitive import find_sensitive
from servicecoach.quality.models import AutoResult, Conversation, RuleHit, ScorecardVersion, Verdict
from servicecoach.quality.selectors import published_versions
from servicecoach.quality.services import conversation_mark_reviewed, hit_set_verdict
from servicecoach.review.models import (
    Appeal,
    AppealItem,
    AppealStatus,
    AppealStep,
    AssignMode,
    CalibrationSession,
    CaseWriteUp,
    PlanKind,
    ProblemType,
    Recurrence,
    Review,
    ReviewItem,
    ReviewKind,
    ReviewStatus,
    SamplingPlan,
    SamplingRun,
    Severity,
)
from servicecoach.review.selectors import is_qa_lead

# Deadlines in working days (servicecoach.org.calendar).
APPEAL_WINDOW_DAYS = 5  # an agent may appeal until this many working days after the review
SUPERVISOR_DAYS = 2  # the supervisor decides within
QA_LEAD_DAYS = 3  # the QA lead decides within
PASS_SCORE = 60.0


class ReviewConflict(Exception):
    """The review was saved by someone else since this copy was opened."""

    def __init__(self, review: Review):
        self.review = review
        super().__init__(f"review {review.pk} is at version {review.version}")


# ---------------------------------------------------------------------------- scorecard arithmetic


@lru_cache(maxsize=32)
def _card_from_text(text: str) -> Scorecard | None:
    try:
        return scoring.parse_scorecard_text(text)
    except scoring.YamlProblem:
        return None


def card_of(version: ScorecardVersion | None) -> Scorecard | None:
    return _card_from_text(version.yaml_text) if version is not None else None


def compute_score(items: list[ReviewItem], card: Scorecard | None) -> tuple[float | None, str, bool]:
    """The auto-QA scorecard's arithmetic (docs/qa-rules.md#scorecards) on the reviewer's marks: per
    section the earned points of applicable items over their points, a bonus item lifting the section
    only where the section allows it; a red-line item marked crossed makes the score 0."""
    lifts = {s.id: s.bonus_lifts for s in card.sections} if card else {}
    sections: dict[str, list[float]] = {}
    red = False
    for item in items:
        if item.applicable and item.red_line and item.violated:
            red = True
        if not item.applicable or item.earned is None:
            continue
        sections.setdefault(item.section, [0.0, 0.0, 0.0])
        if item.bonus:
            sections[item.section][2] += item.earned
        else:
            sections[item.section][0] += item.earned
            sections[item.section][1] += item.points
    earned = points = 0.0
    for section_id, (base_earned, base_points, bonus) in sections.items():
        value = base_earned + bonus
        if not lifts.get(section_id, False):
            value = min(value, base_points)
        earned += value
        points += base_points
    if red:
        score: float | None = 0.0
    elif points <= 0:
        score = None
    else:
        score = round(min(100.0, earned / points * 100), 2)
    grade = (card.grade(score) if card else None) or ""
    return score, grade, red


def _item_rows(result: AutoResult | None, version: ScorecardVersion) -> list[dict[str, Any]]:
    """The scorecard's items for a new review, with the automatic marks as the starting point."""
    card = card_of(version)
    names: dict[tuple[str, str], str] = {}
    flags: dict[tuple[str, str], tuple[float, bool, bool]] = {}
    order: list[tuple[str, str]] = []
    if card is not None:
        for section in card.sections:
            for item in section.items:
                names[(section.id, item.id)] = f"{item.name_zh} / {item.name_en}"
                flags[(section.id, item.id)] = (item.points, item.bonus, item.red_line)
                order.append((section.id, item.id))
    auto = {(i["section"], i["item"]): i for i in (result.items if result is not None else [])}
    if not order:
        order = list(auto)
    rows = []
    for section_id, item_id in order:
        a = auto.get((section_id, item_id))
        points, bonus, red = flags.get((section_id, item_id), (a["points"], a["bonus"], a["red_line"]) if a else
                                       (0.0, False, False))
        applicable = a["applicable"] if a and not a.get("manual") else True
        rows.append({"section": section_id, "item": item_id, "name": names.get((section_id, item_id), item_id)[:200],
                     "points": points, "bonus": bonus, "red_line": red,
                     "auto_earned": a["earned"] if a else None, "applicable": applicable,
                     "earned": a["earned"] if a and applicable else None,
                     "violated": bool(red and a and a.get("rules"))})
    return rows


def _create_review(*, conversation: Conversation, reviewer: Person, kind: str = ReviewKind.REGULAR,
                   plan: SamplingPlan | None = None, run: SamplingRun | None = None,
                   session: CalibrationSession | None = None, is_reference: bool = False) -> Review:
    result = conversation.current_result
    if result is not None:
        version = result.scorecard
    else:
        version = published_versions()[1]
    review = Review.objects.create(
        conversation=conversation, kind=kind, reviewer=reviewer, plan=plan, run=run, session=session,
        is_reference=is_reference, auto_result=result, scorecard=version,
    )
    ReviewItem.objects.bulk_create([ReviewItem(review=review, position=n, **row)
                                    for n, row in enumerate(_item_rows(result, version))])
    return review


# ---------------------------------------------------------------------------- assignment


def _assign_order(reviewers: list[tuple[Person, int]], count: int) -> list[Person]:
    """``count`` reviewers in turn, each getting a share proportional to their weight (smooth weighted
    round robin: the same order every time for the same input)."""
    if not reviewers:
        return []
    total = sum(w for _p, w in reviewers)
    current = [0] * len(reviewers)
    out = []
    for _turn in range(count):
        for i, (_p, w) in enumerate(reviewers):
            current[i] += w
        best = max(range(len(reviewers)), key=lambda i: (current[i], -i))
        current[best] -= total
        out.append(reviewers[best][0])
    return out


@transaction.atomic
def review_assign(*, actor: User | None, conversation: Conversation, reviewer: Person) -> Review:
    """Give one conversation to a reviewer by hand (one regular review per conversation)."""
    if Review.objects.filter(conversation=conversation, kind=ReviewKind.REGULAR).exists():
        raise ValidationError(_("This conversation already has a review."))
    review = _create_review(conversation=conversation, reviewer=reviewer)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=review, changes={"reviewer": str(reviewer)})
    return review


@transaction.atomic
def review_reassign(*, actor: User | None, review: Review, reviewer: Person) -> Review:
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status == ReviewStatus.SUBMITTED:
        raise ValidationError(_("A submitted review cannot be given to someone else."))
    if review.kind != ReviewKind.REGULAR:
        raise ValidationError(_("Calibration reviews stay with their reviewer."))
    before = review.reviewer
    review.reviewer = reviewer
    review.version += 1
    review.updated_by = actor
    review.save(update_fields=["reviewer", "version", "updated_by", "updated_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=review, changes={"reviewer": [str(before), str(reviewer)]})
    return review


# ---------------------------------------------------------------------------- sampling


def plan_period(plan: SamplingPlan, today: date) -> tuple[date, date] | None:
    """The period a plan samples when run on ``today``: the range it names (once), or the day, week
    (Monday to Sunday) or month that ended before today."""
    if plan.recurrence == Recurrence.ONCE:
        if plan.date_from is None or plan.date_to is None:
            return None
        return plan.date_from, plan.date_to
    if plan.recurrence == Recurrence.DAILY:
        day = today - timedelta(days=1)
        return day, day
    if plan.recurrence == Recurrence.WEEKLY:
        monday = today - timedelta(days=today.weekday() + 7)
        return monday, monday + timedelta(days=6)
    first_this = today.replace(day=1)
    last_prev = first_this - timedelta(days=1)
    return last_prev.replace(day=1), last_prev


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def plan_pool(plan: SamplingPlan, start: date, end: date):
    """The conversations of the plan's unit (and below) in the period with no regular review yet."""
    reviewed = Review.objects.filter(conversation=OuterRef("pk"), kind=ReviewKind.REGULAR)
    return (Conversation.objects.filter(unit__path__startswith=plan.unit.path, started_at__gte=_day_start(start),
                                        started_at__lt=_day_start(end + timedelta(days=1)))
            .exclude(Exists(reviewed)).order_by("pk"))


def _targeted(plan: SamplingPlan, pool):
    from django.db.models import Q

    condition = Q(pk__in=[])
    targets = set(plan.targets or [])
    if "red_line" in targets:
        condition |= Q(red_line=True)
    if "low_score" in targets and plan.score_below is not None:
        condition |= Q(score__lt=plan.score_below)
    if "low_csat" in targets and plan.csat_max is not None:
        condition |= Q(csat__lte=plan.csat_max)
    if "angry" in targets:
        condition |= Q(current_result__customer_emotion__gt=plan.emotion_over if plan.emotion_over is not None
                       else 3.5)
    if "rules" in targets and plan.rule_ids:
        condition |= Q(Exists(RuleHit.objects.filter(conversation=OuterRef("pk"), is_current=True,
                                                     rule_id__in=plan.rule_ids)))
    return pool.filter(condition)


def plan_pick(plan: SamplingPlan, start: date, end: date) -> tuple[int, list[int]]:
    """(size of the pool, the conversation ids picked), the same for the same plan and period."""
    pool = plan_pool(plan, start, end)
    rng = random.Random(f"{plan.pk}:{start.isoformat()}")
    if plan.kind == PlanKind.TARGETED:
        ids = list(_targeted(plan, pool).values_list("pk", flat=True))
        size = pool.count()
        rng.shuffle(ids)
    elif plan.kind == PlanKind.PER_AGENT:
        by_agent: dict[int, list[int]] = {}
        size = 0
        for pk, agent in pool.filter(agent__isnull=False).values_list("pk", "agent_id"):
            by_agent.setdefault(agent, []).append(pk)
            size += 1
        ids = []
        for agent in sorted(by_agent):
            chosen = by_agent[agent]
            ids += rng.sample(chosen, min(plan.per_agent or 0, len(chosen)))
    else:
        all_ids = list(pool.values_list("pk", flat=True))
        size = len(all_ids)
        want = round(size * (plan.percent or 0) / 100)
        if plan.percent and size and want == 0:
            want = 1  # a small pool still gets one conversation looked at
        ids = rng.sample(all_ids, min(want, size))
    if plan.limit:
        ids = ids[:plan.limit]
    return size, sorted(ids)


@dataclass
class RunOutcome:
    run: SamplingRun
    created: bool


def plan_run(*, actor: User | None, plan: SamplingPlan, today: date | None = None) -> RunOutcome:
    """Sample the plan's due period and assign the conversations to its reviewers. Idempotent per
    period: a second call for the same period returns the first run and assigns nothing."""
    today = today or timezone.localdate()
    period = plan_period(plan, today)
    if period is None:
        raise ValidationError({"date_from": _("A one-off plan needs a date range.")})
    reviewers = [(r.reviewer, r.weight if plan.assign_mode == AssignMode.WEIGHTED else 1)
                 for r in plan.reviewers.select_related("reviewer") if r.weight > 0]
    if not reviewers:
        raise ValidationError({"reviewers": _("The plan has no reviewer to give conversations to.")})
    existing = SamplingRun.objects.filter(plan=plan, period_start=period[0]).first()
    if existing is not None:
        return RunOutcome(existing, False)
    try:
        with transaction.atomic():
            run = SamplingRun.objects.create(plan=plan, period_start=period[0], period_end=period[1],
                                             ran_by=actor if actor and actor.is_authenticated else None)
            size, ids = plan_pick(plan, *period)
            conversations = {c.pk: c for c in Conversation.objects.filter(pk__in=ids).select_related(
                "current_result", "current_result__scorecard")}
            for conversation_id, reviewer in zip(ids, _assign_order(reviewers, len(ids))):
                _create_review(conversation=conversations[conversation_id], reviewer=reviewer, plan=plan, run=run)
            run.pool, run.picked = size, len(ids)
            run.save(update_fields=["pool", "picked"])
            audit_record(actor=actor, action=AuditAction.CREATE, obj=run, object_repr=f"{plan} {period[0]}",
                         changes={"period": f"{period[0]}..{period[1]}", "pool": size, "picked": len(ids)})
    except IntegrityError:
        # another process ran the same period at the same moment: its run stands
        return RunOutcome(SamplingRun.objects.get(plan=plan, period_start=period[0]), False)
    return RunOutcome(run, True)


def plans_run_due(*, today: date | None = None) -> list[RunOutcome]:
    """Run every active recurring plan for its due period (what the scheduler calls; safe to call
    any number of times a day)."""
    out = []
    for plan in SamplingPlan.objects.filter(active=True).exclude(recurrence=Recurrence.ONCE):
        try:
            out.append(plan_run(actor=None, plan=plan, today=today))
        except ValidationError:
            continue
    return out


@transaction.atomic
def plan_save(*, actor: User | None, plan: SamplingPlan | None, fields: dict[str, Any],
              reviewers: list[tuple[Person, int]]) -> SamplingPlan:
    """Create or change a plan and its reviewers (the form has checked the fields)."""
    creating = plan is None
    plan = plan or SamplingPlan(created_by=actor if actor and actor.is_authenticated else None)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.save()
    plan.reviewers.all().delete()
    for person, weight in reviewers:
        plan.reviewers.create(reviewer=person, weight=weight)
    audit_record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, obj=plan,
                 changes={"kind": plan.kind, "recurrence": plan.recurrence,
                          "reviewers": ", ".join(f"{p.name}×{w}" for p, w in reviewers)})
    return plan


# ---------------------------------------------------------------------------- the review form


def review_open(*, review: Review, user: User | None) -> None:
    """The reviewer opened the form: the start of the time a review takes (reviewer throughput)."""
    person = person_for_user(user)
    if review.opened_at is None and person is not None and person.pk == review.reviewer_id:
        review.opened_at = timezone.now()
        Review.objects.filter(pk=review.pk, opened_at__isnull=True).update(opened_at=review.opened_at)


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(str(value).strip())
    except ValueError:
        raise ValueError from None


@transaction.atomic
def review_save(*, actor: User | None, review: Review, version: int, marks: dict[int, dict[str, Any]],
                comment: str = "", verdicts: dict[int, str] | None = None, submit: bool = False) -> Review:
    """Save the reviewer's marks (``marks`` by item position: ``na``, ``earned``, ``comment``,
    ``problem_type``, ``severity``), the overall comment and the verdicts on automatic hits; with
    ``submit`` the review is final, the score and grade worked out and the conversation marked reviewed.

    ``version`` is the version the form was opened at: if someone saved in between, ReviewConflict
    and nothing is written. Problems raise ValidationError keyed by the form's field names
    (``item-<position>-earned``...), each message naming the item."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.version != version:
        raise ReviewConflict(locked)
    if locked.status == ReviewStatus.SUBMITTED:
        raise ValidationError(_("This review has been submitted; only an accepted appeal changes it now."))
    items = list(locked.items.all())
    errors: dict[str, list[str]] = {}
    for item in items:
        mark = marks.get(item.position, {})
        key = f"item-{item.position}"
        na = bool(mark.get("na"))
        try:
            earned = _number(mark.get("earned"))
        except ValueError:
            errors[f"{key}-earned"] = [_("%(item)s: the score must be a number.") % {"item": item.label}]
            continue
        if not na and earned is not None and not 0 <= earned <= item.points:
            errors[f"{key}-earned"] = [_("%(item)s: the score must be between 0 and %(points)s.")
                                       % {"item": item.label, "points": f"{item.points:g}"}]
            continue
        violated = bool(mark.get("violated")) and item.red_line
        if item.red_line and earned is None:
            earned = item.points
        if submit and not na and earned is None:
            errors[f"{key}-earned"] = [_("%(item)s: give a score or mark the item not applicable.")
                                       % {"item": item.label}]
        problem, severity = mark.get("problem_type") or "", mark.get("severity") or ""
        if problem and problem not in ProblemType.values:
            errors[f"{key}-problem_type"] = [_("%(item)s: unknown problem type.") % {"item": item.label}]
        if severity and severity not in Severity.values:
            errors[f"{key}-severity"] = [_("%(item)s: unknown severity.") % {"item": item.label}]
        if item.red_line:
            taken = not na and violated
        else:
            taken = not na and earned is not None and earned < item.points and not item.bonus
        if submit and taken and not problem:
            errors[f"{key}-problem_type"] = [_("%(item)s: a point was taken, so name the problem type.")
                                             % {"item": item.label}]
        if submit and taken and not severity:
            errors[f"{key}-severity"] = [_("%(item)s: a point was taken, so give the severity.")
                                         % {"item": item.label}]
        item.applicable = not na
        item.earned = None if na else earned
        item.violated = violated and not na
        item.comment = (mark.get("comment") or "").strip()
        item.problem_type, item.severity = (problem, severity) if taken else ("", "")
    hits = {}
    if verdicts:
        hits = {h.pk: h for h in RuleHit.objects.filter(pk__in=list(verdicts), conversation=locked.conversation,
                                                         is_current=True)}
        for pk, verdict in verdicts.items():
            if verdict not in Verdict.values:
                errors[f"hit-{pk}"] = [_("Unknown verdict.")]
            elif pk not in hits:
                errors[f"hit-{pk}"] = [_("This automatic hit is no longer current; reload the page.")]
    if errors:
        raise ValidationError(errors)
    ReviewItem.objects.bulk_update(items, ["applicable", "earned", "violated", "comment", "problem_type", "severity"])
    locked.comment = comment.strip()
    locked.score, locked.grade, locked.red_line = compute_score(items, card_of(locked.scorecard))
    locked.version += 1
    locked.updated_by = actor if actor and actor.is_authenticated else None
    locked.status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
    if submit:
        locked.submitted_at = timezone.now()
        if locked.opened_at is None:
            locked.opened_at = locked.submitted_at
    locked.save()
    # A calibration review leaves the automatic hits and the conversation alone: it never counts.
    if locked.kind == ReviewKind.REGULAR:
        for pk, verdict in (verdicts or {}).items():
            if hits[pk].verdict != verdict:
                hit_set_verdict(actor=actor, hit=hits[pk], verdict=verdict)
        if submit:
            conversation_mark_reviewed(conversation=locked.conversation, reviewed_at=locked.submitted_at)
            from servicecoach.review.summary import refresh_conversations

            refresh_conversations([locked.conversation_id])  # the dashboard's summary counts the review
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=locked,
                 changes={"status": locked.status, "score": locked.score, "grade": locked.grade,
                          "version": locked.version})
    return locked


# ---------------------------------------------------------------------------- case write-ups


def _mask_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def mask_text(text: str, names: list[str]) -> str:
    """Personal data out of ``text``: mobile numbers keep their first 3 and last 4 digits, ID-card and
    bank-card numbers their last 4; the given names keep their first character (张三 → 张*)."""
    spans = find_sensitive(text, ("mobile", "id_card", "bank_card"))
    out, last = [], 0
    for start, end, kind in spans:
        if start < last:
            continue
        raw = text[start:end]
        digits = [c for c in raw if c.isalnum()]
        if kind == "mobile":
            core = "".join(digits)[-11:]
            masked = core[:3] + "****" + core[-4:]
        else:
            masked = "*" * (len(digits) - 4) + "".join(digits[-4:])
        out.append(text[last:start])
        out.append(masked)
        last = end
    out.append(text[last:])
    masked_text = "".join(out)
    for name in sorted({n.strip() for n in names if n and len(n.strip()) >= 2}, key=len, reverse=True):
        masked_text = masked_text.replace(name, _mask_name(name))
    return masked_text


def _names_in(conversation: Conversation) -> list[str]:
    names = [conversation.agent_name]
    if conversation.agent is not None:
        names.append(conversation.agent.name)
    customer = conversation.customer if isinstance(conversation.customer, dict) else {}
    for key in ("name", "nickname", "real_name", "contact"):
        if isinstance(customer.get(key), str):
            names.append(customer[key])
    return [n for n in names if n]


CASE_FIELDS = ("title", "outcome", "background", "problem", "handling", "result")


@transaction.atomic
def case_save(*, actor: User | None, review: Review, data: dict[str, str]) -> CaseWriteUp:
    """Create or update the write-up of a submitted regular review."""
    if review.kind != ReviewKind.REGULAR or review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("A case write-up is written about a submitted review."))
    errors = {f: [_("This field is required.")] for f in CASE_FIELDS if not (data.get(f) or "").strip()}
    if data.get("outcome") and data["outcome"] not in ("good", "bad"):
        errors["outcome"] = [_("Choose good or bad example.")]
    if errors:
        raise ValidationError(errors)
    case = CaseWriteUp.objects.filter(review=review).first()
    creating = case is None
    case = case or CaseWriteUp(review=review, author=actor if actor and actor.is_authenticated else None)
    for f in CASE_FIELDS:
        setattr(case, f, data[f].strip())
    case.save()
    audit_record(actor=actor, action=AuditAction.CREATE if creating else AuditAction.UPDATE, obj=case)
    return case


@transaction.atomic
def case_publish(*, actor: User | None, case: CaseWriteUp) -> CaseWriteUp:
    """Publish (or republish) to the case library: a masked copy of the write-up and the transcript."""
    conversation = case.review.conversation
    names = _names_in(conversation)
    copy = {f: mask_text(getattr(case, f), names) for f in ("title", "background", "problem", "handling", "result")}
    copy["transcript"] = [{"role": m.get("role", ""), "text": mask_text(m.get("text", ""), names)}
                          for m in conversation.messages]
    copy["channel"] = conversation.get_channel_display()
    case.published = copy
    case.published_at = timezone.now()
    case.save(update_fields=["published", "published_at", "updated_at"])
    _knowledge_sync(actor=actor, case=case, publish=True)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, changes={"published": case.outcome})
    return case


KNOWLEDGE_SOURCE = "quality"


def knowledge_article_for(case: CaseWriteUp):
    """The knowledge base's case article published from this write-up, if the knowledge app is there."""
    try:
        from servicecoach.knowledge.models import Article
    except ImportError:
        return None
    return Article.objects.filter(kind="case", source_system=KNOWLEDGE_SOURCE,
                                  source_id=str(case.review.conversation_id)).first()


def _knowledge_sync(*, actor: User | None, case: CaseWriteUp, publish: bool) -> None:
    """Publish the masked copy to the knowledge base as a case article (docs/knowledge.md, "For other apps"),
    or archive it there when the write-up leaves the library. Same transaction as the write-up."""
    try:
        from servicecoach.knowledge import services as knowledge
    except ImportError:
        return
    from django.urls import reverse

    article = knowledge_article_for(case)
    if not publish:
        if article is not None:
            knowledge.article_update(article=article, author=actor, status="archived",
                                     note=_("Taken out of the case library"))
        return
    copy = case.published
    fields = {"outcome": case.outcome, "background": copy["background"], "problem": copy["problem"],
              "handling": copy["handling"], "result": copy["result"]}
    url = reverse("review:case-detail", args=[case.pk])
    if article is None:
        knowledge.article_create(kind="case", title=copy["title"], fields=fields, author=actor, status="published",
                                 source_system=KNOWLEDGE_SOURCE, source_id=str(case.review.conversation_id),
                                 source_url=url, note=_("Published from a quality review"))
    else:
        knowledge.article_update(article=article, author=actor, title=copy["title"], fields=fields,
                                 status="published", source_url=url, note=_("Published again from a quality review"))


@transaction.atomic
def case_unpublish(*, actor: User | None, case: CaseWriteUp) -> CaseWriteUp:
    case.published_at = None
    case.published = {}
    case.save(update_fields=["published", "published_at", "updated_at"])
    _knowledge_sync(actor=actor, case=case, publish=False)
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=case, changes={"published": False})
    return case


# ---------------------------------------------------------------------------- appeals


def appeal_deadline(review: Review) -> date | None:
    """The last working day on which the agent may appeal this review."""
    if review.submitted_at is None:
        return None
    return add_working_days(timezone.localdate(review.submitted_at), APPEAL_WINDOW_DAYS)


def _step(appeal: Appeal, actor: User | None, action: str, comment: str, stage: str) -> None:
    name = ""
    if actor is not None and actor.is_authenticated:
        person = person_for_user(actor)
        name = person.name if person else actor.get_username()
    AppealStep.objects.create(appeal=appeal, actor=actor if actor and actor.is_authenticated else None,
                              actor_name=name, stage=stage, action=action, comment=comment)
    audit_record(actor=actor, action=AuditAction.UPDATE if action != "submit" else AuditAction.CREATE, obj=appeal,
                 object_repr=f"appeal #{appeal.pk} {appeal.review.conversation}",
                 changes={"step": action, "status": appeal.status, "comment": comment[:200]})


@transaction.atomic
def appeal_create(*, actor: User | None, review: Review, item_ids: list[int], comment: str,
                  today: date | None = None) -> Appeal:
    """An agent disputes items of a submitted review of their own conversation, with a reason."""
    today = today or timezone.localdate()
    person = person_for_user(actor)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if person is None or review.conversation.agent_id != person.pk:
        raise ValidationError(_("Only the agent of the conversation may appeal its review."))
    if review.kind != ReviewKind.REGULAR or review.status != ReviewStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted review can be appealed."))
    if review.appeals.filter(status__in=[AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD]).exists():
        raise ValidationError(_("This review already has an open appeal."))
    deadline = appeal_deadline(review)
    if deadline is not None and today > deadline:
        raise ValidationError(_("The appeal period ended on %(date)s.") % {"date": deadline.isoformat()})
    errors: dict[str, list[str]] = {}
    items = list(review.items.filter(pk__in=item_ids))
    if not items or len(items) != len(set(item_ids)):
        errors["items"] = [_("Choose the items you dispute.")]
    if not comment.strip():
        errors["comment"] = [_("Say why you dispute these items.")]
    if errors:
        raise ValidationError(errors)
    appeal = Appeal.objects.create(review=review, agent=person, comment=comment.strip(),
                                   due_on=add_working_days(today, SUPERVISOR_DAYS), score_before=review.score)
    AppealItem.objects.bulk_create([AppealItem(appeal=appeal, review_item=i, earned_before=i.earned) for i in items])
    _step(appeal, actor, AppealStep.Action.SUBMIT, appeal.comment, "agent")
    return appeal


@transaction.atomic
def appeal_supervisor_decide(*, actor: User | None, appeal: Appeal, action: str, comment: str,
                             today: date | None = None) -> Appeal:
    """The supervisor rejects (final), accepts (a recommendation to the QA lead) or forwards."""
    today = today or timezone.localdate()
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.SUPERVISOR:
        raise ValidationError(_("This appeal is no longer waiting for the supervisor."))
    if action not in ("accept", "reject", "forward"):
        raise ValidationError({"action": [_("Choose accept, reject or forward.")]})
    if action == "reject" and not comment.strip():
        raise ValidationError({"comment": [_("Say why the appeal is rejected.")]})
    if action == "reject":
        appeal.status = AppealStatus.REJECTED
        appeal.decided_at = timezone.now()
        appeal.score_after = appeal.score_before
    else:
        appeal.status = AppealStatus.QA_LEAD
        appeal.due_on = add_working_days(today, QA_LEAD_DAYS)
    appeal.save()
    _step(appeal, actor, action, comment.strip(), "supervisor")
    return appeal


@transaction.atomic
def appeal_final_decide(*, actor: User | None, appeal: Appeal, accept: bool, comment: str,
                        new_scores: dict[int, Any] | None = None) -> Appeal:
    """The QA lead's decision, final. Accepting sets the disputed items to ``new_scores`` (by appeal
    item id; an item left out gets its full points) and works out the review's score again: the only
    way a submitted review's score changes."""
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    if appeal.status != AppealStatus.QA_LEAD:
        raise ValidationError(_("This appeal is not waiting for the QA lead."))
    if not is_qa_lead(actor):
        raise ValidationError(_("Only a QA lead decides an appeal finally."))
    if not comment.strip():
        raise ValidationError({"comment": [_("Write the reason for the decision.")]})
    review = Review.objects.select_for_update().get(pk=appeal.review_id)
    if accept:
        errors: dict[str, list[str]] = {}
        changed = []
        for entry in appeal.items.select_related("review_item"):
            item = entry.review_item
            raw = (new_scores or {}).get(entry.pk, item.points)
            try:
                value = _number(raw)
            except ValueError:
                value = -1.0
            if value is None or not 0 <= value <= item.points:
                errors[f"score-{entry.pk}"] = [_("%(item)s: the score must be between 0 and %(points)s.")
                                               % {"item": item.label, "points": f"{item.points:g}"}]
                continue
            item.earned = value
            item.applicable = True
            item.violated = False  # an accepted appeal on a red line clears it
            if value >= item.points:
                item.problem_type = item.severity = ""
            entry.earned_after = value
            changed.append((item, entry))
        if errors:
            raise ValidationError(errors)
        ReviewItem.objects.bulk_update([i for i, _e in changed],
                                       ["earned", "applicable", "violated", "problem_type", "severity"])
        AppealItem.objects.bulk_update([e for _i, e in changed], ["earned_after"])
        review.score, review.grade, review.red_line = compute_score(list(review.items.all()), card_of(review.scorecard))
        review.version += 1
        review.updated_by = actor
        review.save(update_fields=["score", "grade", "red_line", "version", "updated_by", "updated_at"])
        if review.kind == ReviewKind.REGULAR:
            from servicecoach.review.summary import refresh_conversations

            refresh_conversations([review.conversation_id])  # the new score in the dashboard's summary
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=review,
                     changes={"score": [appeal.score_before, review.score], "appeal": appeal.pk})
    appeal.status = AppealStatus.ACCEPTED if accept else AppealStatus.REJECTED
    appeal.decided_at = timezone.now()
    appeal.score_after = review.score
    appeal.save()
    _step(appeal, actor, "accept" if accept else "reject", comment.strip(), "qa_lead")
    return appeal


def appeals_escalate_overdue(*, today: date | None = None) -> int:
    """Appeals the supervisor left past their deadline go to the QA lead (run daily by the scheduler)."""
    today = today or timezone.localdate()
    count = 0
    for appeal in Appeal.objects.filter(status=AppealStatus.SUPERVISOR, due_on__lt=today):
        with transaction.atomic():
            locked = Appeal.objects.select_for_update().get(pk=appeal.pk)
            if locked.status != AppealStatus.SUPERVISOR:
                continue
            locked.status = AppealStatus.QA_LEAD
            locked.due_on = add_working_days(today, QA_LEAD_DAYS)
            locked.save()
            _step(locked, None, AppealStep.Action.ESCALATE, "", "supervisor")
            count += 1
    return count


# ---------------------------------------------------------------------------- calibration


@transaction.atomic
def session_create(*, actor: User | None, title: str, expert: Person, participants: list[Person],
                   conversations: list[Conversation], due_on: date | None = None) -> CalibrationSession:
    """A calibration session: every participant and the expert get a blind calibration review of every
    conversation (the expert's is the reference)."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = [_("This field is required.")]
    others = [p for p in participants if p.pk != expert.pk]
    if len(others) < 2:
        errors["participants"] = [_("Choose at least two reviewers besides the expert.")]
    if not conversations:
        errors["conversations"] = [_("Choose at least one conversation.")]
    if errors:
        raise ValidationError(errors)
    session = CalibrationSession.objects.create(title=title.strip(), expert=expert, due_on=due_on,
                                                created_by=actor if actor and actor.is_authenticated else None)
    session.participants.set(others)
    session.conversations.set(conversations)
    for conversation in conversations:
        _create_review(conversation=conversation, reviewer=expert, kind=ReviewKind.CALIBRATION, session=session,
                       is_reference=True)
        for person in others:
            _create_review(conversation=conversation, reviewer=person, kind=ReviewKind.CALIBRATION, session=session)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=session,
                 changes={"expert": str(expert), "reviewers": len(others), "conversations": len(conversations)})
    return session


@transaction.atomic
def session_close(*, actor: User | None, session: CalibrationSession) -> CalibrationSession:
    session.closed_at = timezone.now()
    session.save(update_fields=["closed_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session, changes={"closed": True})
    return session


def calibration_report(session: CalibrationSession) -> dict[str, Any]:
    """Each reviewer's deviation from the expert per item (mean absolute difference in points, over the
    conversations both scored) and overall (mean absolute score difference), and the spread per item
    (standard deviation of the reviewers' marks, averaged over conversations). Only submitted reviews."""
    reviews = list(session.reviews.filter(status=ReviewStatus.SUBMITTED).select_related("reviewer")
                   .prefetch_related("items"))
    reference = {r.conversation_id: r for r in reviews if r.is_reference}
    others = [r for r in reviews if not r.is_reference]
    item_names: dict[tuple[str, str], str] = {}
    item_order: list[tuple[str, str]] = []
    for review in reviews:
        for item in review.items.all():
            key = (item.section, item.item)
            if key not in item_names:
                item_names[key] = item.label
                item_order.append(key)

    def marks(review: Review) -> dict[tuple[str, str], float | None]:
        return {(i.section, i.item): ((1.0 if i.violated else 0.0) if i.red_line else i.earned) if i.applicable
                else None for i in review.items.all()}

    per_reviewer: dict[int, dict[str, Any]] = {}
    for review in others:
        row = per_reviewer.setdefault(review.reviewer_id, {"reviewer": review.reviewer, "items": {}, "scores": [],
                                                            "na_mismatch": 0, "reviews": 0})
        row["reviews"] += 1
        ref = reference.get(review.conversation_id)
        if ref is None:
            continue
        if review.score is not None and ref.score is not None:
            row["scores"].append(abs(review.score - ref.score))
        mine, theirs = marks(review), marks(ref)
        for key in item_order:
            a, b = mine.get(key), theirs.get(key)
            if (a is None) != (b is None):
                row["na_mismatch"] += 1
            elif a is not None:
                row["items"].setdefault(key, []).append(abs(a - b))
    reviewers = []
    for row in per_reviewer.values():
        reviewers.append({
            "reviewer": row["reviewer"], "reviews": row["reviews"], "na_mismatch": row["na_mismatch"],
            "overall": round(statistics.fmean(row["scores"]), 2) if row["scores"] else None,
            "items": {key: round(statistics.fmean(v), 2) for key, v in row["items"].items()},
        })
    reviewers.sort(key=lambda r: (r["overall"] is None, r["overall"] or 0))
    spread = {}
    by_conv: dict[int, list[Review]] = {}
    for review in others:
        by_conv.setdefault(review.conversation_id, []).append(review)
    for key in item_order:
        deviations = []
        for group in by_conv.values():
            values = [m for m in (marks(r).get(key) for r in group) if m is not None]
            if len(values) >= 2:
                deviations.append(statistics.pstdev(values))
        spread[key] = round(statistics.fmean(deviations), 2) if deviations else None
    items = []
    for key in item_order:
        items.append({"key": key, "name": item_names[key], "spread": spread[key],
                      "deviations": [r["items"].get(key) for r in reviewers]})
    return {
        "reviewers": reviewers, "items": items,
        "submitted": len(reviews), "expected": session.reviews.count(),
        "reference_missing": [c for c in session.conversations.all() if c.pk not in reference],
    }
