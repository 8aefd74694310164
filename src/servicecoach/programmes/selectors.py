"""Reading programmes, sessions, onboarding plans, mentoring and needs surveys, scoped to who asks.

Scope (docs/programmes.md), on top of ``org.selectors``:
- administrators and training managers ("training staff") see everything;
- a trainer sees the sessions they give (and their programmes);
- a participant sees their own sessions, notices, plan and mentoring records;
- a supervisor sees the sessions, plans and mentoring of the people they may see (read only);
- a mentor sees the new hires assigned to them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import yaml
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from servicecoach.org import calendar
from servicecoach.org.models import Person, PersonStatus, Role, User
from servicecoach.org.selectors import (
    ALL_SEEING_ROLES,
    people_visible_to,
    person_for_user,
    unit_subtree,
    user_roles,
)
from servicecoach.programmes.models import (
    Attendance,
    AttendanceStatus,
    CertificationStatus,
    CheckResult,
    ClassroomSession,
    DailyFeedback,
    MentorAssignment,
    MentorCertification,
    NeedsSurvey,
    Notice,
    OnboardingPlan,
    OneOnOne,
    PlanGoal,
    PlanTask,
    Programme,
    SessionStatus,
    ShadowingNote,
)
from servicecoach.quality.engine.rules import RuleError
from servicecoach.quality.engine.scorecard import parse_scorecard
from servicecoach.quality.models import AutoResult, ScorecardVersion

NOTICE_WORKING_DAYS = 3
FEEDBACK_LOW = 3.0  # an average rating below this is flagged in the summary


def is_training_staff(user: User | None) -> bool:
    return bool(user_roles(user) & ALL_SEEING_ROLES)


def _supervises(user: User | None) -> bool:
    return Role.SUPERVISOR in user_roles(user)


# ------------------------------------------------------------------------------------------- notice rule


def earliest_start(today: date) -> date:
    """The first day a session announced on ``today`` may start: 3 working days' notice."""
    return calendar.add_working_days(today, NOTICE_WORKING_DAYS)


def notice_deadline(start: date) -> date:
    """The last day a notice may go out for a session starting on ``start``."""
    return calendar.add_working_days(start, -NOTICE_WORKING_DAYS)


def session_days(session: ClassroomSession) -> list[date]:
    return calendar.get_calendar().working_days_in(session.start_date, session.end_date)


# ------------------------------------------------------------------------------------------- programmes


def programmes_visible_to(user: User | None) -> QuerySet[Programme]:
    programmes = Programme.objects.select_related("owner")
    if is_training_staff(user):
        return programmes
    person = person_for_user(user)
    if person is None:
        return programmes.none()
    condition = Q(owner=person) | Q(participants=person) | Q(sessions__trainer=person)
    if _supervises(user):
        condition |= Q(participants__in=people_visible_to(user))
    return programmes.filter(pk__in=Programme.objects.filter(condition).values("pk"))


def sessions_visible_to(user: User | None) -> QuerySet[ClassroomSession]:
    sessions = ClassroomSession.objects.select_related("programme", "trainer")
    if is_training_staff(user):
        return sessions
    person = person_for_user(user)
    if person is None:
        return sessions.none()
    condition = Q(trainer=person) | Q(enrolments__person=person)
    if _supervises(user):
        condition |= Q(enrolments__person__in=people_visible_to(user))
    return sessions.filter(pk__in=ClassroomSession.objects.filter(condition).values("pk"))


def programme_participants_for(user: User | None, programme: Programme) -> QuerySet[Person]:
    """The participants of a programme the user may see: all for training staff, otherwise those within
    the user's own scope (an agent: themselves; a supervisor: their people)."""
    people = programme.participants.select_related("unit")
    return people if is_training_staff(user) else people.filter(pk__in=people_visible_to(user).values("pk"))


def session_enrolments_for(user: User | None, session: ClassroomSession):
    """A session's participants as the user may see them: all for whoever manages it, otherwise in scope."""
    enrolments = session.enrolments.select_related("person", "person__unit")
    if can_manage_session(user, session):
        return enrolments
    return enrolments.filter(person__in=people_visible_to(user).values("pk"))


def can_manage_session(user: User | None, session: ClassroomSession) -> bool:
    """Training staff, and the session's own trainer: agenda, equipment, materials, attendance, notes."""
    if is_training_staff(user):
        return True
    person = person_for_user(user)
    return person is not None and session.trainer_id == person.pk


def is_participant(user: User | None, session: ClassroomSession) -> bool:
    person = person_for_user(user)
    return person is not None and session.enrolments.filter(person=person).exists()


def can_get_materials(user: User | None, session: ClassroomSession) -> bool:
    return can_manage_session(user, session) or is_participant(user, session)


def session_list(*, user: User | None, upcoming_only: bool = False) -> QuerySet[ClassroomSession]:
    sessions = sessions_visible_to(user).annotate(participant_count=Count("enrolments", distinct=True))
    if upcoming_only:
        sessions = sessions.filter(end_date__gte=timezone.localdate(), status=SessionStatus.SCHEDULED)
    return sessions.order_by("-start_date", "-id")


def attendance_grid(session: ClassroomSession) -> dict[str, Any]:
    """Participants × session days, each cell the recorded status (or ""), with each person's rate:
    (present + late) / days recorded."""
    days = session_days(session)
    enrolments = list(session.enrolments.select_related("person"))
    recorded = {(a.person_id, a.day): a for a in Attendance.objects.filter(session=session)}
    rows = []
    for enrolment in enrolments:
        cells = [recorded.get((enrolment.person_id, d)) for d in days]
        marked = [c for c in cells if c is not None]
        attended = sum(1 for c in marked if c.status in (AttendanceStatus.PRESENT, AttendanceStatus.LATE))
        rows.append({"person": enrolment.person, "kind": enrolment.get_kind_display(), "cells": cells,
                     "rate": round(100 * attended / len(marked)) if marked else None})
    return {"days": days, "rows": rows}


def attendance_rate(person: Person, session: ClassroomSession | None = None) -> float | None:
    """Share of recorded session days a person attended (present or late), 0–1, or None if none recorded;
    the figure the overall-conduct part of an assessment may use."""
    records = Attendance.objects.filter(person=person)
    if session is not None:
        records = records.filter(session=session)
    total = records.count()
    if not total:
        return None
    return records.filter(status__in=[AttendanceStatus.PRESENT, AttendanceStatus.LATE]).count() / total


def feedback_summary(session: ClassroomSession) -> list[dict[str, Any]]:
    """Per day: number of answers, the average of each rating, comments; low averages flagged."""
    by_day: dict[date, list[DailyFeedback]] = defaultdict(list)
    for item in DailyFeedback.objects.filter(session=session).select_related("person"):
        by_day[item.day].append(item)
    summary = []
    for day in sorted(by_day):
        items = by_day[day]
        averages = {}
        for field in ("content_rating", "pace_rating", "relevance_rating"):
            averages[field] = round(sum(getattr(i, field) for i in items) / len(items), 1)
        summary.append({
            "day": day, "count": len(items), "averages": averages,
            "low": [f for f, v in averages.items() if v < FEEDBACK_LOW],
            "comments": [i.comment for i in items if i.comment.strip()],
        })
    return summary


# ------------------------------------------------------------------------------------------- notices


def notices_for(user: User | None) -> QuerySet[Notice]:
    person = person_for_user(user)
    if person is None:
        return Notice.objects.none()
    return Notice.objects.filter(recipient=person).select_related("session")


def home_notices(user: User | None) -> dict[str, Any]:
    notices = notices_for(user)
    return {"notices": list(notices[:5]), "unread": notices.filter(read_at__isnull=True).count()}


# ------------------------------------------------------------------------------------------- onboarding


def plans_visible_to(user: User | None) -> QuerySet[OnboardingPlan]:
    plans = OnboardingPlan.objects.select_related("person", "person__unit", "template")
    if is_training_staff(user):
        return plans
    person = person_for_user(user)
    if person is None:
        return plans.none()
    condition = Q(person=person) | Q(person__mentor_assignments__mentor=person,
                                     person__mentor_assignments__ended_on__isnull=True)
    if _supervises(user):
        condition |= Q(person__in=people_visible_to(user))
    return plans.filter(pk__in=OnboardingPlan.objects.filter(condition).values("pk"))


def can_tick_plan(user: User | None, plan: OnboardingPlan) -> bool:
    """Training staff, the new hire, and their current mentor tick tasks off; supervisors only look."""
    if is_training_staff(user):
        return True
    person = person_for_user(user)
    if person is None:
        return False
    return plan.person_id == person.pk or MentorAssignment.objects.filter(
        mentor=person, mentee_id=plan.person_id, ended_on__isnull=True).exists()


def plan_progress(plan: OnboardingPlan, today: date | None = None) -> dict[str, Any]:
    """Where a new hire stands: tasks done, the current week, overdue goals, check pass rate."""
    today = today or timezone.localdate()
    goals = list(plan.goals.all())  # uses plan_overview's prefetch when there is one
    tasks = [t for g in goals for t in g.tasks.all()]
    done = sum(1 for t in tasks if t.done_at)
    overdue = [g for g in goals if g.due_on < today and any(not t.done_at for t in g.tasks.all())]
    current = next((g for g in goals if g.starts_on <= today <= g.due_on), None)
    checks = [t for t in tasks if t.kind == "check" and t.result]
    passed = sum(1 for t in checks if t.result == CheckResult.PASSED)
    return {
        "plan": plan, "goals": goals, "task_count": len(tasks), "done": done,
        "percent": round(100 * done / len(tasks)) if tasks else 0,
        "overdue": overdue, "current": current,
        "checks": len(checks), "checks_passed": passed,
        "finished": bool(tasks) and done == len(tasks),
    }


def plan_overview(*, user: User | None, behind_only: bool = False, today: date | None = None) -> list[dict]:
    """Every plan the user may see with its progress; those falling behind (overdue goals) first."""
    today = today or timezone.localdate()
    plans = list(plans_visible_to(user))
    goals: dict[int, list[SimpleNamespace]] = defaultdict(list)
    by_goal: dict[int, SimpleNamespace] = {}
    # Plain rows rather than model instances: a company-wide overview reads thousands of tasks.
    for pk, plan_id, week, title, starts_on, due_on in PlanGoal.objects.filter(plan__in=[p.pk for p in plans]) \
            .order_by("week", "id").values_list("pk", "plan_id", "week", "title", "starts_on", "due_on"):
        goal = SimpleNamespace(pk=pk, plan_id=plan_id, week=week, title=title, starts_on=starts_on, due_on=due_on,
                               open=0)
        goals[plan_id].append(goal)
        by_goal[pk] = goal
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tasks, done, checks, checks passed
    for goal_id, done_at, kind, result in PlanTask.objects.filter(goal_id__in=list(by_goal)).values_list(
            "goal_id", "done_at", "kind", "result"):
        goal = by_goal[goal_id]
        row = counts[goal.plan_id]
        row[0] += 1
        if done_at:
            row[1] += 1
        else:
            goal.open += 1
        if kind == "check" and result:
            row[2] += 1
            row[3] += int(result == CheckResult.PASSED)
    rows = []
    for plan in plans:
        plan_goals = goals.get(plan.pk, [])
        total, done, checks, passed = counts.get(plan.pk, (0, 0, 0, 0))
        rows.append({
            "plan": plan, "goals": plan_goals, "task_count": total, "done": done,
            "percent": round(100 * done / total) if total else 0,
            "overdue": [g for g in plan_goals if g.due_on < today and g.open],
            "current": next((g for g in plan_goals if g.starts_on <= today <= g.due_on), None),
            "checks": checks, "checks_passed": passed, "finished": bool(total) and done == total,
        })
    if behind_only:
        rows = [r for r in rows if r["overdue"]]
    return sorted(rows, key=lambda r: (-len(r["overdue"]), r["plan"].person.name))


# ------------------------------------------------------------------------------------------- mentoring


def is_certified_mentor(person: Person) -> bool:
    return MentorCertification.objects.filter(person=person, status=CertificationStatus.APPROVED).exists()


def assignments_visible_to(user: User | None) -> QuerySet[MentorAssignment]:
    assignments = MentorAssignment.objects.select_related("mentor", "mentee", "mentee__unit")
    if is_training_staff(user):
        return assignments
    person = person_for_user(user)
    if person is None:
        return assignments.none()
    condition = Q(mentor=person) | Q(mentee=person)
    if _supervises(user):
        condition |= Q(mentee__in=people_visible_to(user))
    return assignments.filter(condition)


def can_log_mentoring(user: User | None, assignment: MentorAssignment) -> bool:
    person = person_for_user(user)
    return is_training_staff(user) or (person is not None and assignment.mentor_id == person.pk)


def stayed_past_probation(assignment: MentorAssignment, today: date | None = None) -> bool | None:
    """True: still active after probation ended (or left only after it); False: left before or on its
    end; None: probation not over yet."""
    today = today or timezone.localdate()
    mentee = assignment.mentee
    if mentee.status == PersonStatus.LEFT:
        return bool(mentee.left_on and mentee.left_on > assignment.probation_end)
    if today <= assignment.probation_end:
        return None
    return True


def mentor_overview(mentor: Person, today: date | None = None) -> dict[str, Any]:
    """A mentor's page: each mentee's plan progress, the pass rate of their checks, probation outcome."""
    today = today or timezone.localdate()
    rows = []
    checks = passed = 0
    stayed = decided = 0
    for assignment in MentorAssignment.objects.filter(mentor=mentor).select_related("mentee", "mentee__unit"):
        plan = OnboardingPlan.objects.filter(person=assignment.mentee).order_by("-start_date").first()
        progress = plan_progress(plan, today) if plan else None
        outcome = stayed_past_probation(assignment, today)
        if progress:
            checks += progress["checks"]
            passed += progress["checks_passed"]
        if outcome is not None:
            decided += 1
            stayed += int(outcome)
        rows.append({"assignment": assignment, "progress": progress, "stayed": outcome,
                     "meetings": assignment.meetings.count(), "shadowing": assignment.shadowing.count()})
    return {
        "mentor": mentor, "rows": rows,
        "certified": is_certified_mentor(mentor),
        "pass_rate": round(100 * passed / checks) if checks else None, "checks": checks,
        "retention": round(100 * stayed / decided) if decided else None, "decided": decided,
    }


def mentors_visible_to(user: User | None) -> QuerySet[Person]:
    """Mentors whose page the user may open: staff all, a mentor themselves."""
    mentors = Person.objects.filter(Q(mentee_assignments__isnull=False) | Q(mentor_certifications__isnull=False))
    if is_training_staff(user):
        return mentors.distinct()
    person = person_for_user(user)
    return mentors.filter(pk=person.pk).distinct() if person else Person.objects.none()


# ------------------------------------------------------------------------------------------- needs


def surveys_visible_to(user: User | None) -> QuerySet[NeedsSurvey]:
    """Staff see every survey; anyone else the surveys of a unit they belong to or supervise (to answer)."""
    surveys = NeedsSurvey.objects.select_related("unit")
    if is_training_staff(user):
        return surveys
    person = person_for_user(user)
    if person is None:
        return surveys.none()
    ids = [s.pk for s in surveys if person.unit.path.startswith(s.unit.path)
           or (_supervises(user) and people_visible_to(user).filter(unit__in=unit_subtree(s.unit)).exists())]
    return surveys.filter(pk__in=ids)


def needs_report(survey: NeedsSurvey) -> list[dict[str, Any]]:
    """Skills by priority: the weighted mean need (supervisors' input, QA weak points and low exam topics count
    twice, self-assessment once), with the averages of each source and how many answered."""
    weights = {"supervisor": 2, "qa": 2, "exam": 2, "self": 1}
    rows = []
    responses = list(survey.responses.all())
    for skill in survey.skills:
        total = weight = 0.0
        per_source: dict[str, list[int]] = defaultdict(list)
        for response in responses:
            value = response.ratings.get(skill)
            if value is None:
                continue
            per_source[response.source].append(int(value))
            total += weights.get(response.source, 1) * int(value)
            weight += weights.get(response.source, 1)
        rows.append({
            "skill": skill,
            "score": round(total / weight, 2) if weight else None,
            "answers": sum(len(v) for v in per_source.values()),
            "sources": {k: round(sum(v) / len(v), 1) for k, v in per_source.items()},
        })
    rows.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["skill"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
        score = row["score"] or 0
        row["priority"] = "high" if score >= 4 else "medium" if score >= 3 else "low"
    return rows



# ------------------------------------------------------------------------------------------- training record


def record_visible_to(user: User | None, person: Person) -> bool:
    """A person's training record: themselves, their supervisors and training staff (people_visible_to), and
    anyone who has mentored them."""
    if people_visible_to(user).filter(pk=person.pk).exists():
        return True
    me = person_for_user(user)
    return me is not None and MentorAssignment.objects.filter(mentor=me, mentee=person).exists()


def training_record(person: Person) -> dict[str, list[dict[str, Any]]]:
    """Everything a person has done in training, with dates, oldest first in each part: classroom sessions
    with their attendance (totals, and each day), onboarding plans, mentoring (and the dates of its 1:1 meetings
    and shadowing), courses started, learning paths, lesson quizzes and exams. Kept when
    the person leaves (nothing here is deleted with them)."""
    from servicecoach.exams.models import Attempt
    from servicecoach.training.models import Enrolment, QuizAttempt

    sessions = []
    for enrolment in person.session_enrolments.select_related("session", "session__programme").order_by(
            "session__start_date"):
        session = enrolment.session
        marks = list(Attendance.objects.filter(session=session, person=person))
        counts = {status: sum(1 for m in marks if m.status == status) for status in AttendanceStatus.values}
        attended = counts["present"] + counts["late"]
        sessions.append({"session": session, "kind": enrolment.get_kind_display(), "counts": counts,
                         "rate": round(100 * attended / len(marks)) if marks else None})
    plans = [plan_progress(p) for p in person.onboarding_plans.select_related("template").order_by("start_date")]
    mentoring = [{"assignment": a, "stayed": stayed_past_probation(a), "meetings": a.meetings.count(),
                  "shadowing": a.shadowing.count()}
                 for a in person.mentor_assignments.select_related("mentor").order_by("start_date")]
    paths = list(Enrolment.objects.filter(person=person).select_related("path").order_by("enrolled_on"))
    quizzes = list(QuizAttempt.objects.filter(person=person).select_related("quiz__lesson").order_by("submitted_at"))
    exams = []
    for a in Attempt.objects.filter(person=person, submitted_at__isnull=False).select_related("exam").order_by(
            "submitted_at"):
        released = a.exam.results_released_at is not None
        percent = a.percent if released else None
        exams.append({"attempt": a, "released": released, "percent": percent,
                      "passed": None if percent is None else percent >= a.exam.pass_percent})
    attendance = list(Attendance.objects.filter(person=person).select_related("session").order_by("day", "pk"))
    mentoring_log = sorted(
        [{"date": m.met_on, "kind": "meeting", "mentor": m.assignment.mentor}
         for m in OneOnOne.objects.filter(assignment__mentee=person).select_related("assignment__mentor")]
        + [{"date": n.observed_on, "kind": "shadowing", "mentor": n.assignment.mentor, "senior": n.senior}
           for n in ShadowingNote.objects.filter(assignment__mentee=person).select_related(
               "assignment__mentor", "senior")],
        key=lambda row: (row["date"], row["kind"]))
    return {"sessions": sessions, "attendance": attendance, "plans": plans, "mentoring": mentoring,
            "mentoring_log": mentoring_log, "courses": course_progress(person), "paths": paths,
            "quizzes": quizzes, "exams": exams}


def course_progress(person: Person) -> list[dict[str, Any]]:
    """The courses a person has started (training app, read-only), oldest first: lessons completed of the
    course's lessons, when they started, when they last completed a lesson, and when the course was completed
    (the last lesson completed, once every lesson is)."""
    from servicecoach.training.models import Lesson, LessonProgress

    progress = list(LessonProgress.objects.filter(person=person).select_related("lesson__module__course"))
    by_course: dict[int, dict[str, Any]] = {}
    for item in progress:
        course = item.lesson.module.course
        row = by_course.setdefault(course.pk, {"course": course, "started_at": item.started_at, "completed": 0,
                                               "last_completed_at": None})
        row["started_at"] = min(row["started_at"], item.started_at)
        if item.status == "completed" and item.completed_at:
            row["completed"] += 1
            last = row["last_completed_at"]
            row["last_completed_at"] = item.completed_at if last is None else max(last, item.completed_at)
    totals = dict(Lesson.objects.filter(module__course_id__in=by_course).values("module__course_id")
                  .annotate(n=Count("id")).values_list("module__course_id", "n"))
    rows = []
    for course_id, row in by_course.items():
        row["lessons"] = totals.get(course_id, 0)
        row["completed_at"] = row["last_completed_at"] if row["lessons"] and row["completed"] >= row["lessons"] \
            else None
        rows.append(row)
    rows.sort(key=lambda r: (r["started_at"], r["course"].code))
    return rows


# ------------------------------------------------------------------------------------------- QA weak points

QA_LOOKBACK_DAYS = 90


def qa_weak_points(unit, *, days: int = QA_LOOKBACK_DAYS, limit: int = 5) -> list[dict[str, Any]]:
    """The scorecard items a unit's conversations lose most points on (current automatic results of the last
    ``days`` days, conversations of the unit or of its agents): item name, conversations, share of points lost."""
    since = timezone.now() - timedelta(days=days)
    results = AutoResult.objects.filter(is_current=True, scored_at__gte=since).filter(
        Q(conversation__unit__path__startswith=unit.path) | Q(conversation__agent__unit__path__startswith=unit.path)
    ).values_list("scorecard_id", "items")
    totals: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for card_id, items in results.iterator():
        for item in items or []:
            points, earned = item.get("points"), item.get("earned")
            if not item.get("applicable") or item.get("bonus") or earned is None or not points:
                continue
            total = totals[(card_id, item["item"])]
            total[0] += float(points)
            total[1] += max(0.0, min(float(points), float(earned)))
            total[2] += 1
    chinese = (get_language() or "zh-hans").startswith("zh")
    names: dict[tuple[int, str], str] = {}
    for version in ScorecardVersion.objects.filter(pk__in={key[0] for key in totals}):
        try:
            card = parse_scorecard(yaml.safe_load(version.yaml_text), source=f"scorecard v{version.number}")
        except (RuleError, yaml.YAMLError):
            continue  # a version that no longer parses: its items keep their ids
        for section in card.sections:
            for item in section.items:
                names[(version.pk, item.id)] = item.name_zh if chinese else item.name_en
    merged: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for key, (points, earned, count) in totals.items():
        row = merged[names.get(key, key[1])]
        row[0] += points
        row[1] += earned
        row[2] += count
    rows = [{"item": name, "conversations": int(count), "loss": round(1 - earned / points, 3)}
            for name, (points, earned, count) in merged.items() if points]
    rows = [r for r in rows if r["loss"] > 0]
    rows.sort(key=lambda r: (-r["loss"], -r["conversations"], r["item"]))
    return rows[:limit]


# ------------------------------------------------------------------------------------------- low exam topics

EXAM_LOOKBACK_DAYS = 180


def exam_weak_topics(unit, *, days: int = EXAM_LOOKBACK_DAYS, limit: int = 5) -> list[dict[str, Any]]:
    """The question-bank topics the unit's active people score lowest on in exams (read from the exams app,
    marked answers of attempts submitted in the last ``days`` days, the unit and the units under it): topic,
    share of points earned and lost, answers marked and people. Only topics where points were lost."""
    from django.db.models import Sum

    from servicecoach.exams.models import AttemptItem

    since = timezone.now() - timedelta(days=days)
    rows = (AttemptItem.objects
            .filter(attempt__person__unit__path__startswith=unit.path, attempt__person__status=PersonStatus.ACTIVE,
                    attempt__submitted_at__gte=since, score__isnull=False, points__gt=0)
            .exclude(version__question__topic="")
            .values("version__question__topic")
            .annotate(points=Sum("points"), earned=Sum("score"), answers=Count("id"),
                      people=Count("attempt__person", distinct=True)))
    result = []
    for row in rows:
        points, earned = float(row["points"]), max(0.0, min(float(row["points"]), float(row["earned"])))
        rate = earned / points
        if rate < 1:
            result.append({"topic": row["version__question__topic"], "rate": round(rate, 3),
                           "loss": round(1 - rate, 3), "answers": row["answers"], "people": row["people"]})
    result.sort(key=lambda r: (r["rate"], -r["answers"], r["topic"]))
    return result[:limit]


def home_falling_behind(user: User | None) -> dict[str, Any]:
    """The home panel of mentors, supervisors and training managers: new hires with overdue goals."""
    rows = plan_overview(user=user, behind_only=True)
    return {"rows": rows[:8], "total": len(rows)}


def course_topics(course) -> str:
    """A course of the training app as agenda topics: one line per module, its lessons' minutes added up."""
    lines = []
    for module in course.modules.prefetch_related("lessons"):
        minutes = sum(lesson.minutes for lesson in module.lessons.all())
        if minutes:
            lines.append(f"{module.title} | {minutes}")
    return "\n".join(lines)


def home_trainer_sessions(user: User | None) -> dict[str, Any]:
    """A trainer's sessions running now or starting within two weeks, each with the latest day's feedback
    (so the trainer reads it before the next day)."""
    person = person_for_user(user)
    if person is None:
        return {"rows": []}
    today = timezone.localdate()
    sessions = ClassroomSession.objects.filter(trainer=person, status=SessionStatus.SCHEDULED, end_date__gte=today,
                                               start_date__lte=today + timedelta(days=14)).order_by("start_date")
    rows = []
    for session in sessions[:6]:
        summary = [day for day in feedback_summary(session) if day["day"] <= today]
        rows.append({"session": session, "running": session.start_date <= today,
                     "latest_feedback": summary[-1] if summary else None})
    return {"rows": rows}
