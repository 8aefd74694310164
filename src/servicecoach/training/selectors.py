"""Reading courses and learning, always scoped to who is asking.

- Course managers (administrators, training managers, trainers) see every course, draft or published.
- Supervisors and mentors see published courses (to follow their people's learning).
- Everyone else sees the published courses of the paths they are enrolled on.
Learners' records go through org.selectors.people_visible_to: an agent sees only their own, a supervisor
their units' people; managers' reports (completion, pass rates, overdue) are per unit the user can see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from servicecoach.org.models import OrgUnit, Person, PersonStatus, Role, User
from servicecoach.org.selectors import people_visible_to, person_for_user, units_visible_to, user_has_role
from servicecoach.training.models import (
    Course,
    DailyQuiz,
    Enrolment,
    LearningPath,
    Lesson,
    LessonProgress,
    PathCourse,
    ProgressStatus,
    QuizAttempt,
    RereadTask,
)

COURSE_MANAGERS = (Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER)
REPORT_VIEWERS = (Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER, Role.SUPERVISOR)
PUBLISHED_READERS = (Role.SUPERVISOR, Role.MENTOR)


def learners_visible_to(user: User | None) -> QuerySet[Person]:
    """People whose learning the user may follow: trainers teach everyone, so they see every learner (as
    administrators and training managers do); otherwise org.selectors.people_visible_to (a supervisor: their
    units' people; an agent: themselves)."""
    if user_has_role(user, Role.TRAINER):
        return Person.objects.select_related("unit", "user")
    return people_visible_to(user)


def can_manage_courses(user: User | None) -> bool:
    return user_has_role(user, *COURSE_MANAGERS)


def courses_visible_to(user: User | None) -> QuerySet[Course]:
    if can_manage_courses(user):
        return Course.objects.all()
    if user_has_role(user, *PUBLISHED_READERS):
        return Course.objects.filter(published=True)
    person = person_for_user(user)
    if person is None or person.status != PersonStatus.ACTIVE:
        return Course.objects.none()
    enrolled = PathCourse.objects.filter(path__enrolments__person=person).values("course_id")
    return Course.objects.filter(published=True, pk__in=enrolled)


def lessons_visible_to(user: User | None) -> QuerySet[Lesson]:
    return Lesson.objects.filter(module__course__in=courses_visible_to(user)).select_related("module__course")


def paths_visible_to(user: User | None) -> QuerySet[LearningPath]:
    if user_has_role(user, *COURSE_MANAGERS, *PUBLISHED_READERS):
        return LearningPath.objects.all()
    person = person_for_user(user)
    if person is None:
        return LearningPath.objects.none()
    return LearningPath.objects.filter(enrolments__person=person)


def completed_lesson_ids(person: Person) -> set[int]:
    """Lessons the person has completed (for other apps, e.g. onboarding tasks that point at a lesson)."""
    return set(LessonProgress.objects.filter(person=person, status=ProgressStatus.COMPLETED)
               .values_list("lesson_id", flat=True))


def is_enrolled_on_course(person: Person, course: Course) -> bool:
    return PathCourse.objects.filter(course=course, path__enrolments__person=person).exists()


def completed_course_ids(person: Person) -> set[int]:
    """Courses of which the person has completed every lesson (a course without lessons is never complete)."""
    totals = dict(Lesson.objects.values("module__course").annotate(n=Count("pk")).values_list("module__course", "n"))
    done = dict(
        LessonProgress.objects.filter(person=person, status=ProgressStatus.COMPLETED)
        .values("lesson__module__course").annotate(n=Count("pk")).values_list("lesson__module__course", "n")
    )
    return {course for course, n in done.items() if n and n >= totals.get(course, 0) > 0}


def locked_course_ids(person: Person) -> set[int]:
    """Courses on the person's paths whose prerequisites are not all completed on any of those paths."""
    done = completed_course_ids(person)
    steps = PathCourse.objects.filter(path__enrolments__person=person).prefetch_related("prerequisites")
    unlocked, locked = set(), set()
    for step in steps:
        if {c.pk for c in step.prerequisites.all()} <= done:
            unlocked.add(step.course_id)
        else:
            locked.add(step.course_id)
    return locked - unlocked


def missing_prerequisites(person: Person, course: Course) -> list[Course]:
    """What the person must still complete before ``course`` opens (the shortest list over their paths)."""
    done = completed_course_ids(person)
    lists = [[c for c in step.prerequisites.all() if c.pk not in done]
             for step in PathCourse.objects.filter(course=course, path__enrolments__person=person)
             .prefetch_related("prerequisites")]
    return min(lists, key=len) if lists else []


@dataclass
class CourseStatus:
    step: PathCourse
    course: Course
    lessons: int
    completed: int
    due_on: datetime.date
    locked: bool
    missing: list[Course] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return self.lessons > 0 and self.completed >= self.lessons

    @property
    def percent(self) -> int:
        return round(100 * self.completed / self.lessons) if self.lessons else 0


@dataclass
class PathStatus:
    enrolment: Enrolment
    courses: list[CourseStatus]

    @property
    def percent(self) -> int:
        total = sum(c.lessons for c in self.courses)
        return round(100 * sum(min(c.completed, c.lessons) for c in self.courses) / total) if total else 0

    def overdue(self, today: datetime.date) -> bool:
        return self.enrolment.completed_at is None and any(not c.done and c.due_on < today for c in self.courses)

    @property
    def overdue_today(self) -> bool:
        return self.overdue(timezone.localdate())


def path_status(enrolment: Enrolment) -> PathStatus:
    person = enrolment.person
    completed_lessons = dict(
        LessonProgress.objects.filter(person=person, status=ProgressStatus.COMPLETED)
        .values("lesson__module__course").annotate(n=Count("pk")).values_list("lesson__module__course", "n")
    )
    done = completed_course_ids(person)
    rows = []
    steps = enrolment.path.steps.select_related("course").prefetch_related("prerequisites").annotate(
        lesson_count=Count("course__modules__lessons"))
    for step in steps:
        missing = [c for c in step.prerequisites.all() if c.pk not in done]
        due = enrolment.enrolled_on + datetime.timedelta(days=step.due_days) if step.due_days else enrolment.due_on
        rows.append(CourseStatus(step=step, course=step.course, lessons=step.lesson_count,
                                 completed=completed_lessons.get(step.course_id, 0), due_on=due, locked=bool(missing),
                                 missing=missing))
    return PathStatus(enrolment=enrolment, courses=rows)


def path_statuses(enrolments) -> list[PathStatus]:
    """``path_status`` for many enrolments in a fixed number of queries (the report, path pages, the API).

    ``path_status`` above is the short reference; tests/training/test_selectors.py holds the two equal."""
    enrolments = list(enrolments)
    if not enrolments:
        return []
    path_ids = {e.path_id for e in enrolments}
    person_ids = {e.person_id for e in enrolments}
    steps_by_path: dict[int, list[PathCourse]] = {}
    for step in (PathCourse.objects.filter(path_id__in=path_ids).select_related("course")
                 .prefetch_related("prerequisites").order_by("path", "position", "id")):
        steps_by_path.setdefault(step.path_id, []).append(step)
    # read each step's prerequisites once: .all() builds a new manager per call, costly across thousands of rows
    prerequisites = {step.pk: list(step.prerequisites.all()) for steps in steps_by_path.values() for step in steps}
    totals = dict(Lesson.objects.values("module__course").annotate(n=Count("pk")).values_list("module__course", "n"))
    completed: dict[int, dict[int, int]] = {}
    for person_id, course_id, n in (
        LessonProgress.objects.filter(person_id__in=person_ids, status=ProgressStatus.COMPLETED)
        .values("person_id", "lesson__module__course").annotate(n=Count("pk"))
        .values_list("person_id", "lesson__module__course", "n")
    ):
        completed.setdefault(person_id, {})[course_id] = n
    statuses = []
    for enrolment in enrolments:
        mine = completed.get(enrolment.person_id, {})
        done = {course for course, n in mine.items() if n and n >= totals.get(course, 0) > 0}
        rows = []
        for step in steps_by_path.get(enrolment.path_id, []):
            missing = [c for c in prerequisites[step.pk] if c.pk not in done]
            due = (enrolment.enrolled_on + datetime.timedelta(days=step.due_days) if step.due_days
                   else enrolment.due_on)
            rows.append(CourseStatus(step=step, course=step.course, lessons=totals.get(step.course_id, 0),
                                     completed=mine.get(step.course_id, 0), due_on=due, locked=bool(missing),
                                     missing=missing))
        statuses.append(PathStatus(enrolment=enrolment, courses=rows))
    return statuses


def course_outline(course: Course, person: Person | None) -> list[dict]:
    """Modules with their lessons and, for a learner, each lesson's progress."""
    progress = {}
    if person is not None:
        progress = {p.lesson_id: p for p in LessonProgress.objects.filter(person=person, lesson__module__course=course)}
    outline = []
    for module in course.modules.prefetch_related("lessons__quiz__questions"):
        lessons = [{"lesson": lesson, "progress": progress.get(lesson.pk)} for lesson in module.lessons.all()]
        outline.append({"module": module, "lessons": lessons})
    return outline


def next_lesson(person: Person, statuses: list[PathStatus]) -> Lesson | None:
    """The first lesson not yet completed in the first unlocked, unfinished course, by due date."""
    candidates = [c for s in statuses for c in s.courses if not c.done and not c.locked]
    candidates.sort(key=lambda c: (c.due_on, c.step.position))
    completed = set(LessonProgress.objects.filter(person=person, status=ProgressStatus.COMPLETED)
                    .values_list("lesson_id", flat=True))
    for status in candidates:
        for lesson in Lesson.objects.filter(module__course=status.course):
            if lesson.pk not in completed:
                return lesson
    return None


def my_learning(person: Person, today: datetime.date | None = None) -> dict:
    today = today or timezone.localdate()
    enrolments = (Enrolment.objects.filter(person=person, path__active=True).select_related("path", "person")
                  .order_by("completed_at", "due_on"))
    statuses = path_statuses(enrolments)
    return {
        "statuses": statuses,
        "next_lesson": next_lesson(person, statuses),
        "rereads": list(RereadTask.objects.filter(person=person, done_at__isnull=True)
                        .select_related("lesson__module__course")),
        "daily_quiz": DailyQuiz.objects.filter(person=person, day=today).first(),
        "today": today,
        "recent_attempts": list(QuizAttempt.objects.filter(person=person).select_related("quiz__lesson")[:5]),
    }


# ---------------------------------------------------------------- manager report


@dataclass
class UnitRow:
    unit: OrgUnit
    learners: int = 0
    enrolments: int = 0
    completed: int = 0
    attempts: int = 0
    passed: int = 0
    overdue: list[dict] = field(default_factory=list)

    @property
    def completion_rate(self) -> float | None:
        return round(100 * self.completed / self.enrolments, 1) if self.enrolments else None

    @property
    def pass_rate(self) -> float | None:
        return round(100 * self.passed / self.attempts, 1) if self.attempts else None


def learning_report(*, user: User | None, today: datetime.date | None = None,
                    unit: OrgUnit | None = None, path: LearningPath | None = None) -> list[UnitRow]:
    """Per unit the user can see (people counted in their own unit): enrolled learners, path completion
    rate, lesson-quiz pass rate (first attempts and re-takes alike) and the overdue learners."""
    today = today or timezone.localdate()
    people = learners_visible_to(user).filter(status=PersonStatus.ACTIVE)
    units = report_units(user)
    if unit is not None:
        units = units.filter(path__startswith=unit.path)
        people = people.filter(unit__path__startswith=unit.path)
    rows = {u.pk: UnitRow(unit=u) for u in units.order_by("path")}
    enrolments = Enrolment.objects.filter(person__in=people, path__active=True).select_related("person__unit", "path")
    attempts = QuizAttempt.objects.filter(person__in=people)
    if path is not None:
        enrolments = enrolments.filter(path=path)
        attempts = attempts.filter(quiz__lesson__module__course__in=path.steps.values("course_id"),
                                   person__in=Enrolment.objects.filter(path=path).values("person_id"))
    enrolments = list(enrolments)
    learners: dict[int, set[int]] = {}
    open_statuses = {s.enrolment.pk: s for s in path_statuses(e for e in enrolments if e.completed_at is None)}
    for enrolment in enrolments:
        row = rows.get(enrolment.person.unit_id)
        if row is None:
            continue
        learners.setdefault(row.unit.pk, set()).add(enrolment.person_id)
        row.enrolments += 1
        if enrolment.completed_at is not None:
            row.completed += 1
            continue
        status = open_statuses[enrolment.pk]
        if status.overdue(today):
            late = [c for c in status.courses if not c.done and c.due_on < today]
            row.overdue.append({"person": enrolment.person, "path": enrolment.path, "percent": status.percent,
                                "due_on": min(c.due_on for c in late), "courses": [c.course for c in late]})
    attempts = attempts.values("person__unit").annotate(n=Count("pk"), ok=Count("pk", filter=Q(passed=True)))
    for item in attempts:
        row = rows.get(item["person__unit"])
        if row is not None:
            row.attempts, row.passed = item["n"], item["ok"]
    for pk, ids in learners.items():
        rows[pk].learners = len(ids)
    return [row for row in rows.values() if row.enrolments or row.attempts]


def reread_status(*, user: User | None, lesson: Lesson) -> list[RereadTask]:
    """Re-read tasks of a lesson for the people the user can see, open ones first."""
    return list(RereadTask.objects.filter(lesson=lesson, person__in=learners_visible_to(user))
                .select_related("person__unit").order_by("done_at", "person__employee_no", "-version"))


def reread_overview(*, user: User | None) -> QuerySet[Lesson]:
    """Lessons with re-read tasks among the people the user can see, with how many are open and done."""
    people = learners_visible_to(user)
    return (Lesson.objects.filter(reread_tasks__person__in=people).select_related("module__course")
            .annotate(open_tasks=Count("reread_tasks", filter=Q(reread_tasks__done_at__isnull=True,
                                                                 reread_tasks__person__in=people)),
                      done_tasks=Count("reread_tasks", filter=Q(reread_tasks__done_at__isnull=False,
                                                                 reread_tasks__person__in=people)))
            .order_by("module__course__code", "title"))


def home_my_learning(user: User | None) -> dict:
    """The home panel: paths in progress, the next lesson, open re-reads."""
    person = person_for_user(user)
    if person is None:
        return {"person": None}
    data = my_learning(person)
    data["person"] = person
    data["open_paths"] = [s for s in data["statuses"] if s.enrolment.completed_at is None]
    return data


def report_units(user: User | None) -> QuerySet[OrgUnit]:
    """Units whose learners the user may follow (trainers: all, like learners_visible_to)."""
    if user_has_role(user, Role.TRAINER):
        return OrgUnit.objects.all()
    return units_visible_to(user)
