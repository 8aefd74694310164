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
    """Everyone the exam is for: the people named and the people of the units named (with their sub-units)."""
    units = list(exam.units.all())
    condition = Q(pk__in=exam.people.values("pk"))
    if units:
        condition |= Q(unit__in=unit_subtree(units))
    return Person.objects.filter(condition).select_related("unit").order_by("employee_no")


def is_candidate(exam: Exam, person: Person | None) -> bool:
    return person is not None and exam_candidates(exam).filter(pk=person.pk).exists()


def exams_for_candidate(user: User | None) -> list[Exam]:
    person = person_for_user(user)
    if person is None:
        return []
    exams = Exam.objects.filter(
        Q(people=person) | Q(units__in=[u.pk for u in _ancestors_and_self(person)])
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
