"""Reading the Assessment app, scoped to who asks.

- the bank, papers and exams are managed by administrators, training managers and trainers;
- a candidate sees the exams they are a candidate of, and only their own attempts;
- a supervisor sees the attempts of the people in their units (org.selectors.people_visible_to).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from servicecoach.exams.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Exam,
    ItemStatus,
    Question,
    QuestionVersion,
)
from servicecoach.org.models import Person, Role, User
from servicecoach.org.selectors import people_visible_to, person_for_user, unit_subtree, user_has_role

MANAGERS = (Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER)
RESULT_VIEWERS = (*MANAGERS, Role.SUPERVISOR)


def can_manage(user: User | None) -> bool:
    return user_has_role(user, *MANAGERS)


def question_list(
    *, topic: str = "", difficulty: str = "", qtype: str = "", tag: str = "", search: str = "",
    archived: bool = False,
) -> QuerySet[Question]:
    questions = Question.objects.filter(archived=archived)
    if topic:
        questions = questions.filter(topic=topic)
    if difficulty:
        questions = questions.filter(difficulty=difficulty)
    if qtype:
        questions = questions.filter(qtype=qtype)
    search = search.strip()
    if search:
        questions = questions.filter(Q(stem__icontains=search) | Q(key__icontains=search))
    if tag:
        # JSON containment is not on SQLite; tags are few per question, so filter in Python.
        ids = [pk for pk, tags in questions.values_list("pk", "tags") if tag in (tags or [])]
        questions = questions.filter(pk__in=ids)
    return questions.order_by("topic", "pk")


def topics() -> list[str]:
    return sorted(t for t in Question.objects.values_list("topic", flat=True).distinct() if t)


def current_versions() -> list[QuestionVersion]:
    """The current version of every active question (the bank a blueprint draws from)."""
    versions = QuestionVersion.objects.select_related("question").filter(question__archived=False)
    return [v for v in versions if v.number == v.question.version]


def exam_candidates(exam: Exam) -> QuerySet[Person]:
    """Everyone the exam is for: the people named, the people of the units named (with their sub-units)
    and the participants of the training programmes named. Resolved whenever it is read, so someone who
    joins a programme (or a unit) later is a candidate from then on, and someone removed is no longer."""
    units = list(exam.units.all())
    condition = Q(pk__in=exam.people.values("pk"))
    if units:
        condition |= Q(unit__in=unit_subtree(units))
    programme_ids = list(exam.programmes.values_list("pk", flat=True))
    if programme_ids:
        condition |= Q(pk__in=Person.objects.filter(programmes__in=programme_ids).values("pk"))
    return Person.objects.filter(condition).select_related("unit").order_by("employee_no")


def is_candidate(exam: Exam, person: Person | None) -> bool:
    return person is not None and exam_candidates(exam).filter(pk=person.pk).exists()


def exams_for_candidate(user: User | None) -> list[Exam]:
    person = person_for_user(user)
    if person is None:
        return []
    exams = Exam.objects.filter(
        Q(people=person) | Q(units__in=[u.pk for u in _ancestors_and_self(person)])
        | Q(programmes__participants=person)
    ).distinct().select_related("paper")
    return list(exams.order_by("-opens_at"))


def _ancestors_and_self(person: Person):
    unit = person.unit
    seen = []
    while unit is not None:
        seen.append(unit)
        unit = unit.parent
    return seen


def exam_list_for_manager() -> QuerySet[Exam]:
    return Exam.objects.select_related("paper").order_by("-opens_at", "-pk")


def attempts_visible_to(user: User | None) -> QuerySet[Attempt]:
    """Managers: every attempt; supervisors: their units' people; everyone: their own."""
    attempts = Attempt.objects.select_related("exam", "person", "person__unit")
    if can_manage(user):
        return attempts
    condition = Q(pk__in=[])
    if user_has_role(user, Role.SUPERVISOR):
        condition |= Q(person__in=people_visible_to(user))
    person = person_for_user(user)
    if person is not None:
        condition |= Q(person=person)
    return attempts.filter(condition)


def marking_queue(*, exam: Exam | None = None) -> QuerySet[AttemptItem]:
    items = AttemptItem.objects.filter(
        status__in=[ItemStatus.NEEDS_REVIEW, ItemStatus.PENDING],
        attempt__status__in=[AttemptStatus.SUBMITTED, AttemptStatus.MARKED],
    ).select_related("attempt", "attempt__exam", "attempt__person", "version", "version__question")
    if exam is not None:
        items = items.filter(attempt__exam=exam)
    return items.order_by("attempt__exam", "version__question", "attempt__person__employee_no")


def assessment_people(assessment) -> QuerySet[Person]:
    """The people named, the people of the units named (with sub-units) and the linked programme's participants."""
    units = list(assessment.units.all())
    condition = Q(pk__in=assessment.people.values("pk"))
    if units:
        condition |= Q(unit__in=unit_subtree(units))
    if assessment.programme_id:
        condition |= Q(pk__in=assessment.programme.participants.values("pk"))
    return Person.objects.filter(condition)


def programme_attendance(person: Person, programme) -> dict | None:
    """The person's attendance over all classroom sessions of the programme, from the programmes app's
    ``attendance_rate`` per session, weighted by the days recorded in each session: ``{"rate": Decimal 0..1,
    "attended": n, "days": n, "sessions": n}``, or None when no day of theirs is recorded."""
    from decimal import Decimal

    from servicecoach.programmes.models import Attendance, ClassroomSession
    from servicecoach.programmes.selectors import attendance_rate

    attended = days = sessions = 0
    for session in ClassroomSession.objects.filter(programme=programme).order_by("start_date", "pk"):
        rate = attendance_rate(person, session)
        if rate is None:
            continue
        recorded = Attendance.objects.filter(session=session, person=person).count()
        attended += round(rate * recorded)
        days += recorded
        sessions += 1
    if not days:
        return None
    return {"rate": (Decimal(attended) / Decimal(days)).quantize(Decimal("0.0001")), "attended": attended,
            "days": days, "sessions": sessions}


def assessment_candidates_visible_to(user: User | None):
    """Managers: all; supervisors: their units' people; assessors: the candidates of their panels;
    everyone: their own (shown only once results are released, decided by the view)."""
    from servicecoach.exams.models import AssessmentCandidate

    candidates = AssessmentCandidate.objects.select_related("assessment", "person", "person__unit", "card")
    if can_manage(user):
        return candidates
    condition = Q(pk__in=[])
    if user_has_role(user, Role.SUPERVISOR):
        condition |= Q(person__in=people_visible_to(user))
    person = person_for_user(user)
    if person is not None:
        condition |= Q(person=person) | Q(assessment__assessors=person)
    return candidates.filter(condition).distinct()


def feedback_due_list():
    """Results computed whose feedback has not been sent, earliest due first."""
    from servicecoach.exams.models import AssessmentCandidate

    return (AssessmentCandidate.objects.filter(feedback_sent_at__isnull=True, computed_at__isnull=False)
            .select_related("assessment", "person").order_by("feedback_due", "person__employee_no"))


def assessment_report(assessment) -> dict:
    """The training-effectiveness report (培训效果分析报告): distribution, bands, pass rate, the
    cohort's common weak points (engine), item statistics of the theory exam (engine), and earlier
    cohorts assessed with the same rubric."""
    from decimal import Decimal

    from servicecoach.exams.engine.advice import AreaKind, cohort_weak_points
    from servicecoach.exams.engine.composite import DEFAULT_BANDS
    from servicecoach.exams.models import Assessment

    candidates = list(assessment.candidates.select_related("person", "person__unit"))
    scored = [c for c in candidates if c.composite_score is not None]
    bands = [{"code": b.code, "label": b.label_zh, "label_en": b.label_en,
              "count": sum(c.band_code == b.code for c in scored)} for b in DEFAULT_BANDS]
    passed = sum(c.band_code != "fail" for c in scored)
    cohort = [{(AreaKind(k), key): Decimal(p) for k, key, _name, p in c.areas} for c in candidates if c.areas]
    names = {(k, key): name for c in candidates for k, key, name, _p in c.areas}
    weak = [{"kind": w.kind.value, "name": names.get((w.kind.value, w.key), w.key), "mean": w.mean_percent,
             "below": w.below_threshold, "candidates": w.candidates}
            for w in cohort_weak_points(cohort, limit=8)]
    stats = exam_item_statistics(assessment.theory_exam) if assessment.theory_exam_id else None
    earlier = []
    for other in (Assessment.objects.filter(rubric=assessment.rubric, held_on__lt=assessment.held_on)
                  .order_by("-held_on")[:5]):
        done = [c.composite_score for c in other.candidates.all() if c.composite_score is not None]
        if done:
            earlier.append({"assessment": other, "n": len(done), "mean": sum(done) / len(done),
                            "pass_rate": 100 * sum(1 for c in other.candidates.all()
                                                   if c.band_code and c.band_code != "fail") / len(done)})
    mean = sum(c.composite_score for c in scored) / len(scored) if scored else None
    return {"candidates": candidates, "scored": scored, "bands": bands, "passed": passed,
            "pass_rate": (Decimal(100) * passed / len(scored)).quantize(Decimal("0.1")) if scored else None,
            "mean": mean, "weak": weak, "stats": stats, "earlier": earlier,
            "scores": [float(c.composite_score) for c in scored]}


def exam_item_statistics(exam) -> list[dict] | None:
    """Moodle's question statistics (engine) over the exam's marked attempts, each question over the
    attempts whose paper held it; None with fewer than two marked attempts."""
    from servicecoach.exams.engine.statistics import question_statistics

    rows, labels = [], {}
    items = AttemptItem.objects.filter(attempt__exam=exam, attempt__status=AttemptStatus.MARKED).select_related(
        "version", "version__question").order_by("attempt_id")
    by_attempt: dict[int, dict] = {}
    for item in items:
        key = item.version.question.key
        labels[key] = item.version.data["stem"]
        by_attempt.setdefault(item.attempt_id, {})[key] = (float(item.score or 0), float(item.points))
    rows = list(by_attempt.values())
    if len(rows) < 2:
        return None
    return [{"key": s.key, "stem": labels.get(s.key, ""), "s": s, "flags": [(flag_label(f), f) for f in s.flags]}
            for s in question_statistics(rows).values()]


def flag_label(flag: str) -> str:
    """A short, translated name for one of the engine's review flags (its full English text is kept as a tooltip)."""
    from django.utils.translation import gettext as _

    if flag.startswith("discriminative efficiency"):
        return _("low discriminative efficiency")
    if flag.startswith("discrimination index") and "negative" in flag:
        return _("negative discrimination: stronger candidates do worse")
    if flag.startswith("discrimination index"):
        return _("low discrimination")
    if flag.startswith("facility") and "below" in flag:
        return _("too hard: almost nobody gets it")
    if flag.startswith("facility"):
        return _("too easy: almost everybody gets it")
    return flag


def home_candidate(user: User | None) -> dict:
    """The candidate's home panel: exams open now (to start or continue) and released results."""
    from django.utils import timezone

    person = person_for_user(user)
    if person is None:
        return {"open": [], "results": []}
    now = timezone.now()
    open_exams = []
    for exam in exams_for_candidate(user):
        if not exam.opens_at <= now < exam.closes_at:
            continue
        attempts = list(Attempt.objects.filter(exam=exam, person=person))
        current = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
        if current is not None or len(attempts) < exam.attempts_allowed:
            open_exams.append({"exam": exam, "attempt": current})
    results = list(Attempt.objects.filter(person=person, exam__results_released_at__isnull=False)
                   .exclude(status=AttemptStatus.IN_PROGRESS).select_related("exam").order_by("-submitted_at")[:3])
    return {"open": open_exams, "results": results}


def home_manager(user: User | None) -> dict:
    """The trainer's home panel: answers to mark, feedback due and overdue."""
    from django.utils import timezone

    due = feedback_due_list()
    today = timezone.localdate()
    return {"to_mark": marking_queue().count(), "feedback_due": due.count(),
            "feedback_overdue": due.filter(feedback_due__lt=today).count()}
