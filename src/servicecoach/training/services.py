"""Changing courses and learning. Every rule of the business is written here, once.

Changes a manager makes (courses, lessons, paths, enrolments) are written to the audit log through
org.services.audit_record in the same transaction; a learner's own progress is not audited (it is its own
record).
"""

from __future__ import annotations

import datetime
import mimetypes
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.org.models import OrgUnit, Person, PersonStatus, RoleAssignment, User
from servicecoach.org.selectors import person_for_user, unit_subtree
from servicecoach.org.services import audit_record
from servicecoach.training.engine.quiz import draw_daily, mark
from servicecoach.training.engine.sanitise import sanitise_html
from servicecoach.training.models import (
    MICRO_LESSON_MINUTES,
    TOPIC_KIND,
    AttachmentKind,
    Course,
    DailyQuiz,
    Enrolment,
    EnrolmentSource,
    LearningPath,
    Lesson,
    LessonFile,
    LessonProgress,
    LessonVersion,
    Module,
    PathCourse,
    ProgressStatus,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizChoice,
    QuizQuestion,
    RereadTask,
)

DAILY_QUIZ_QUESTIONS = 5
DAILY_QUIZ_LOOKBACK_DAYS = 7
MAX_FILE_BYTES = 500 * 1024 * 1024
FILE_EXTENSIONS = {
    AttachmentKind.VIDEO: {".mp4", ".webm", ".ogv", ".mov"},
    AttachmentKind.PDF: {".pdf"},
    AttachmentKind.SLIDES: {".pptx", ".ppt", ".odp", ".pdf", ".key"},
}


def _person(actor: User | None) -> Person | None:
    return person_for_user(actor) if actor is not None else None


# ---------------------------------------------------------------- courses, modules, lessons


@transaction.atomic
def course_create(*, actor: User | None, code: str, title: str, description: str = "") -> Course:
    course = Course(code=code.strip(), title=title.strip(), description=description)
    course.full_clean()
    course.save()
    audit_record(actor=actor, action="create", obj=course, changes={"code": course.code, "title": course.title})
    return course


@transaction.atomic
def course_update(*, actor: User | None, course: Course, code: str, title: str, description: str) -> Course:
    changes = {k: [getattr(course, k), v] for k, v in {"code": code, "title": title, "description": description}.items()
               if getattr(course, k) != v}
    course.code, course.title, course.description = code.strip(), title.strip(), description
    course.full_clean()
    course.save()
    if changes:
        audit_record(actor=actor, action="update", obj=course, changes=changes)
    return course


def course_publish_problems(course: Course) -> list[str]:
    """Why a course cannot be published yet (empty: it can)."""
    problems = []
    lessons = list(Lesson.objects.filter(module__course=course).select_related("module"))
    if not lessons:
        problems.append(_("The course has no lesson yet."))
    for lesson in lessons:
        if lesson.is_micro and not QuizQuestion.objects.filter(quiz__lesson=lesson).exists():
            problems.append(_("Micro-lesson “%(lesson)s” has no quiz question: a micro-lesson ends with a "
                              "short quiz.") % {"lesson": lesson.title})
    return problems


@transaction.atomic
def course_set_published(*, actor: User | None, course: Course, published: bool) -> Course:
    if published:
        problems = course_publish_problems(course)
        if problems:
            raise ValidationError(problems)
    if course.published != published:
        course.published = published
        course.save(update_fields=["published", "updated_at"])
        audit_record(actor=actor, action="update", obj=course, changes={"published": [not published, published]})
    return course


@transaction.atomic
def module_create(*, actor: User | None, course: Course, title: str, topic: str) -> Module:
    if topic not in TOPIC_KIND:
        raise ValidationError({"topic": _("Unknown topic “%(topic)s”.") % {"topic": topic}})
    position = (course.modules.aggregate(m=Max("position"))["m"] or 0) + 1
    module = Module(course=course, title=title.strip(), topic=topic, kind=TOPIC_KIND[topic], position=position)
    module.full_clean()
    module.save()
    audit_record(actor=actor, action="create", obj=module, changes={"course": course.code, "title": module.title})
    return module


@transaction.atomic
def module_update(*, actor: User | None, module: Module, title: str, topic: str) -> Module:
    if topic not in TOPIC_KIND:
        raise ValidationError({"topic": _("Unknown topic “%(topic)s”.") % {"topic": topic}})
    changes = {k: [getattr(module, k), v] for k, v in {"title": title.strip(), "topic": topic}.items()
               if getattr(module, k) != v}
    module.title, module.topic, module.kind = title.strip(), topic, TOPIC_KIND[topic]
    module.full_clean()
    module.save()
    if changes:
        audit_record(actor=actor, action="update", obj=module, changes=changes)
    return module


@transaction.atomic
def module_delete(*, actor: User | None, module: Module) -> None:
    """Only an empty module can go: lessons carry learners' progress."""
    if module.lessons.exists():
        raise ValidationError(_("Module “%(module)s” still has lessons; remove them first.") % {"module": module.title})
    audit_record(actor=actor, action="delete", obj=module, changes={"course": module.course.code})
    module.delete()


@transaction.atomic
def lesson_delete(*, actor: User | None, lesson: Lesson) -> None:
    """A lesson nobody has started yet can be removed; once someone has, its records must stay."""
    if LessonProgress.objects.filter(lesson=lesson).exists() or QuizAttempt.objects.filter(quiz__lesson=lesson).exists():
        raise ValidationError(_("“%(lesson)s” has learners' progress and cannot be removed; edit it instead.") % {
            "lesson": lesson.title})
    names = [(f.file.storage, f.file.name) for f in lesson.files.all()]
    audit_record(actor=actor, action="delete", obj=lesson, changes={"module": lesson.module.title})
    lesson.delete()
    for storage, name in names:
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))


def _move(item, siblings, direction: str) -> bool:
    """Swap ``item`` with its neighbour among ``siblings`` (ordered by position, id); positions are renumbered
    1..n first so that equal or missing positions cannot block a move. False when already at that end."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Move up or down."))
    ordered = list(siblings)
    for number, sibling in enumerate(ordered, start=1):
        if sibling.position != number:
            sibling.position = number
            sibling.save(update_fields=["position"])
    index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(ordered):
        return False
    first, second = ordered[index], ordered[other]
    first.position, second.position = second.position, first.position
    first.save(update_fields=["position"])
    second.save(update_fields=["position"])
    return True


@transaction.atomic
def module_move(*, actor: User | None, module: Module, direction: str) -> bool:
    siblings = Module.objects.select_for_update().filter(course_id=module.course_id).order_by("position", "id")
    moved = _move(module, siblings, direction)
    if moved:
        audit_record(actor=actor, action="update", obj=module, changes={"moved": direction})
    return moved


@transaction.atomic
def lesson_move(*, actor: User | None, lesson: Lesson, direction: str) -> bool:
    siblings = Lesson.objects.select_for_update().filter(module_id=lesson.module_id).order_by("position", "id")
    moved = _move(lesson, siblings, direction)
    if moved:
        audit_record(actor=actor, action="update", obj=lesson, changes={"moved": direction})
    return moved


def _validate_lesson(*, minutes: int, is_micro: bool) -> None:
    low, high = MICRO_LESSON_MINUTES
    if is_micro and not low <= minutes <= high:
        raise ValidationError({"minutes": _("A micro-lesson lasts %(low)s to %(high)s minutes; this one says "
                                            "%(minutes)s.") % {"low": low, "high": high, "minutes": minutes}})
    if minutes < 1:
        raise ValidationError({"minutes": _("A lesson lasts at least one minute.")})


@transaction.atomic
def lesson_create(*, actor: User | None, module: Module, title: str, body: str, minutes: int,
                  is_micro: bool = False, standard_code: str = "") -> Lesson:
    _validate_lesson(minutes=minutes, is_micro=is_micro)
    position = (module.lessons.aggregate(m=Max("position"))["m"] or 0) + 1
    lesson = Lesson(module=module, title=title.strip(), body=sanitise_html(body), minutes=minutes,
                    is_micro=is_micro, standard_code=standard_code.strip(), position=position, version=1)
    lesson.full_clean()
    lesson.save()
    LessonVersion.objects.create(lesson=lesson, number=1, title=lesson.title, body=lesson.body,
                                 created_by=_person(actor))
    audit_record(actor=actor, action="create", obj=lesson, changes={"module": module.title, "title": lesson.title})
    return lesson


@transaction.atomic
def lesson_update(*, actor: User | None, lesson: Lesson, title: str, body: str, minutes: int, is_micro: bool,
                  standard_code: str = "", material_change: bool = False, note: str = "") -> int:
    """Save a new version of the lesson. A material change asks everyone who completed the lesson to read it
    again and pass its quiz again; returns how many re-read tasks were created."""
    _validate_lesson(minutes=minutes, is_micro=is_micro)
    if material_change and not note.strip():
        raise ValidationError({"note": _("Say what changed: the people asked to re-read the lesson see it.")})
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    lesson.title, lesson.body, lesson.minutes = title.strip(), sanitise_html(body), minutes
    lesson.is_micro, lesson.standard_code = is_micro, standard_code.strip()
    lesson.version += 1
    lesson.full_clean()
    lesson.save()
    LessonVersion.objects.create(lesson=lesson, number=lesson.version, title=lesson.title, body=lesson.body,
                                 material_change=material_change, note=note.strip(), created_by=_person(actor))
    created = 0
    if material_change:
        completed = LessonProgress.objects.filter(lesson=lesson, status=ProgressStatus.COMPLETED,
                                                  person__status=PersonStatus.ACTIVE)
        tasks = [RereadTask(person_id=person_id, lesson=lesson, version=lesson.version)
                 for person_id in completed.values_list("person_id", flat=True)]
        created = len(RereadTask.objects.bulk_create(tasks, ignore_conflicts=True))
    audit_record(actor=actor, action="update", obj=lesson,
                 changes={"version": lesson.version, "material_change": material_change, "note": note,
                          "reread_tasks": created})
    return created


@transaction.atomic
def lesson_file_add(*, actor: User | None, lesson: Lesson, kind: str, title: str, upload) -> LessonFile:
    """Store an uploaded video, PDF or slide deck; the extension must fit the kind."""
    name = PurePath(upload.name).name
    extension = PurePath(name).suffix.lower()
    allowed = FILE_EXTENSIONS.get(kind)
    if allowed is None:
        raise ValidationError({"kind": _("Unknown kind of file.")})
    if extension not in allowed:
        raise ValidationError({"upload": _("%(name)s: a %(kind)s file must end in %(allowed)s.") % {
            "name": name, "kind": AttachmentKind(kind).label, "allowed": ", ".join(sorted(allowed))}})
    if upload.size > MAX_FILE_BYTES:
        raise ValidationError({"upload": _("%(name)s is larger than %(limit)s MB.") % {
            "name": name, "limit": MAX_FILE_BYTES // (1024 * 1024)}})
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    item = LessonFile(lesson=lesson, kind=kind, title=title.strip() or name, content_type=content_type,
                      size=upload.size)
    item.file.save(name, upload, save=False)
    try:  # if the row cannot be written, the stored file must not stay behind as an orphan
        item.full_clean()
        item.save()
    except Exception:
        item.file.delete(save=False)
        raise
    audit_record(actor=actor, action="create", obj=item, changes={"lesson": lesson.title, "file": name})
    return item


@transaction.atomic
def lesson_file_delete(*, actor: User | None, item: LessonFile) -> None:
    storage, name = item.file.storage, item.file.name
    audit_record(actor=actor, action="delete", obj=item, changes={"lesson": item.lesson.title})
    item.delete()
    transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------- lesson quizzes


@transaction.atomic
def quiz_question_add(*, actor: User | None, lesson: Lesson, kind: str, text: str,
                      choices: list[tuple[str, bool]], explanation: str = "",
                      pass_mark: int | None = None) -> QuizQuestion:
    """Add a question to the lesson's quiz (created on first use). ``choices`` are (text, correct) pairs;
    a true/false question takes one pair whose flag says whether the statement is true."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write the question.")})
    if kind == QuestionKind.TRUE_FALSE:
        is_true = bool(choices and choices[0][1])
        choices = [(_("True"), is_true), (_("False"), not is_true)]
    elif kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = [(c.strip(), correct) for c, correct in choices if c.strip()]
        if len(choices) < 2:
            raise ValidationError({"choices": _("Give at least two answers, one a line.")})
        right = sum(1 for _c, correct in choices if correct)
        if kind == QuestionKind.SINGLE and right != 1:
            raise ValidationError({"choices": _("A single-choice question has exactly one correct answer (mark it "
                                                "with * at the start of its line); %(n)s are marked.") % {"n": right}})
        if kind == QuestionKind.MULTIPLE and right < 1:
            raise ValidationError({"choices": _("Mark at least one correct answer with * at the start of its "
                                                "line.")})
    else:
        raise ValidationError({"kind": _("Unknown kind of question.")})
    quiz, _created = Quiz.objects.get_or_create(lesson=lesson)
    if pass_mark is not None:
        if not 1 <= pass_mark <= 100:
            raise ValidationError({"pass_mark": _("The pass mark is a percentage from 1 to 100.")})
        quiz.pass_mark = pass_mark
        quiz.save(update_fields=["pass_mark"])
    position = (quiz.questions.aggregate(m=Max("position"))["m"] or 0) + 1
    question = QuizQuestion.objects.create(quiz=quiz, kind=kind, text=text, explanation=explanation.strip(),
                                           position=position)
    QuizChoice.objects.bulk_create([QuizChoice(question=question, text=c[:300], correct=correct, position=i)
                                    for i, (c, correct) in enumerate(choices, start=1)])
    audit_record(actor=actor, action="create", obj=question, changes={"lesson": lesson.title, "kind": kind})
    return question


BANK_KINDS = {"single_choice": QuestionKind.SINGLE, "multiple_choice": QuestionKind.MULTIPLE,
              "true_false": QuestionKind.TRUE_FALSE}


@transaction.atomic
def quiz_questions_from_bank(*, actor: User | None, lesson: Lesson, versions) -> tuple[int, list[str]]:
    """Copy question-bank questions (exams app: the current ``QuestionVersion`` of each) into the lesson's quiz.

    Only single choice, multiple choice and true/false fit a lesson quiz; a question already copied into this
    lesson is not copied twice. Returns how many were added and, for each one left out, why."""
    already = set(QuizQuestion.objects.filter(quiz__lesson=lesson).exclude(bank_key="")
                  .values_list("bank_key", flat=True))
    added, skipped = 0, []
    for version in versions:
        key = version.question.key
        engine_question = version.to_engine()
        kind = BANK_KINDS.get(str(engine_question.type))
        if kind is None:
            skipped.append(_("%(key)s: a %(type)s question does not fit a lesson quiz.") % {
                "key": key, "type": version.question.get_qtype_display()})
            continue
        if key in already:
            skipped.append(_("%(key)s: already in this lesson's quiz.") % {"key": key})
            continue
        if kind == QuestionKind.TRUE_FALSE:
            choices = [("", bool(engine_question.answer))]
        else:
            choices = [(option.text, bool(option.correct)) for option in engine_question.options]
        question = quiz_question_add(actor=actor, lesson=lesson, kind=kind, text=engine_question.stem,
                                     choices=choices, explanation=engine_question.explanation)
        question.bank_key = key
        question.save(update_fields=["bank_key"])
        already.add(key)
        added += 1
    return added, skipped


@transaction.atomic
def quiz_question_delete(*, actor: User | None, question: QuizQuestion) -> None:
    audit_record(actor=actor, action="delete", obj=question, changes={"lesson": question.quiz.lesson.title})
    question.delete()


def _correct_answers(questions) -> dict[int, frozenset[int]]:
    return {q.pk: frozenset(c.pk for c in q.choices.all() if c.correct) for q in questions}


def _clean_answers(questions, answers: dict) -> dict[int, list[int]]:
    """Keep only choices that belong to their question (a forged id counts for nothing)."""
    cleaned = {}
    for question in questions:
        valid = {c.pk for c in question.choices.all()}
        given = answers.get(question.pk, answers.get(str(question.pk), []))
        cleaned[question.pk] = sorted({int(c) for c in given if str(c).isdigit() and int(c) in valid})
    return cleaned


# ---------------------------------------------------------------- learning


def lesson_open(*, person: Person, lesson: Lesson) -> LessonProgress:
    progress, _created = LessonProgress.objects.get_or_create(person=person, lesson=lesson)
    return progress


def lesson_has_quiz(lesson: Lesson) -> bool:
    return QuizQuestion.objects.filter(quiz__lesson=lesson).exists()


@transaction.atomic
def lesson_mark_read(*, person: Person, lesson: Lesson) -> LessonProgress:
    """The learner has read the lesson; without a quiz that completes it."""
    now = timezone.now()
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(person=person, lesson=lesson)
    progress.read_at = now
    has_quiz = lesson_has_quiz(lesson)
    if progress.status != ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.READ if has_quiz else ProgressStatus.COMPLETED
    if not has_quiz:
        progress.completed_at = progress.completed_at or now
        progress.completed_version = lesson.version
    progress.save()
    tasks = RereadTask.objects.filter(person=person, lesson=lesson, done_at__isnull=True)
    tasks.filter(read_at__isnull=True).update(read_at=now)
    if not has_quiz:
        tasks.update(done_at=now)
    _refresh_enrolments(person)
    return progress


@transaction.atomic
def quiz_submit(*, person: Person, lesson: Lesson, answers: dict) -> QuizAttempt:
    """Mark the learner's answers. Passing completes the lesson (reading it is implied by reaching its quiz)
    and closes any re-read task of this version or an older one."""
    quiz = Quiz.objects.get(lesson=lesson)
    questions = list(quiz.questions.prefetch_related("choices"))
    if not questions:
        raise ValidationError(_("This quiz has no question yet."))
    cleaned = _clean_answers(questions, answers)
    unanswered = [i for i, q in enumerate(questions, start=1) if not cleaned[q.pk]]
    if unanswered:
        raise ValidationError(_("Answer every question; still open: %(numbers)s.") % {
            "numbers": ", ".join(str(n) for n in unanswered)})
    score, _right = mark(_correct_answers(questions), cleaned)
    passed = score >= quiz.pass_mark
    attempt = QuizAttempt.objects.create(person=person, quiz=quiz, lesson_version=lesson.version,
                                         answers={str(k): v for k, v in cleaned.items()}, score=score, passed=passed)
    now = timezone.now()
    progress, _created = LessonProgress.objects.select_for_update().get_or_create(person=person, lesson=lesson)
    progress.best_score = max(progress.best_score or 0, score)
    progress.read_at = progress.read_at or now
    if passed:
        progress.status = ProgressStatus.COMPLETED
        progress.completed_at = now
        progress.completed_version = lesson.version
    elif progress.status != ProgressStatus.COMPLETED:
        progress.status = ProgressStatus.READ
    progress.save()
    if passed:
        RereadTask.objects.filter(person=person, lesson=lesson, done_at__isnull=True,
                                  version__lte=lesson.version).update(done_at=now)
        _refresh_enrolments(person)
    return attempt


# ---------------------------------------------------------------- paths and enrolment


@transaction.atomic
def path_create(*, actor: User | None, code: str, title: str, role: str = "", level: str = "",
                description: str = "", auto_enrol: bool = False, due_days: int = 30,
                units: list[OrgUnit] | tuple = ()) -> LearningPath:
    path = LearningPath(code=code.strip(), title=title.strip(), role=role, level=level, description=description,
                        auto_enrol=auto_enrol, due_days=due_days)
    path.full_clean()
    path.save()
    path.units.set(units)
    audit_record(actor=actor, action="create", obj=path,
                 changes={"code": path.code, "role": role, "level": level, "auto_enrol": auto_enrol})
    return path


PATH_FIELDS = ("code", "title", "role", "level", "description", "auto_enrol", "due_days", "active")


@transaction.atomic
def path_update(*, actor: User | None, path: LearningPath, units: list[OrgUnit] | tuple | None = None,
                **fields) -> LearningPath:
    """Change a path's settings. Existing enrolments keep their dates; a shorter ``due_days`` applies to new ones."""
    unknown = set(fields) - set(PATH_FIELDS)
    if unknown:
        raise ValueError(f"path_update: unknown fields {sorted(unknown)}")
    changes = {k: [getattr(path, k), v] for k, v in fields.items() if getattr(path, k) != v}
    for name, value in fields.items():
        setattr(path, name, value.strip() if isinstance(value, str) and name in ("code", "title") else value)
    longest = max((s.due_days or 0 for s in path.steps.all()), default=0)
    if path.due_days < longest:
        raise ValidationError({"due_days": _("A course of this path is due after %(days)s days; the path cannot "
                                             "end sooner.") % {"days": longest}})
    path.full_clean()
    path.save()
    if units is not None:
        before = set(path.units.values_list("pk", flat=True))
        path.units.set(units)
        if before != {u.pk for u in units}:
            changes["units"] = [sorted(before), sorted(u.pk for u in units)]
    if changes:
        audit_record(actor=actor, action="update", obj=path, changes=changes)
    return path


@transaction.atomic
def path_course_add(*, actor: User | None, path: LearningPath, course: Course,
                    prerequisites: list[Course] | tuple = (), due_days: int | None = None) -> PathCourse:
    """Put a course at the end of a path. Its prerequisites must be courses already on the path."""
    steps = list(path.steps.select_related("course"))
    if any(step.course_id == course.pk for step in steps):
        raise ValidationError({"course": _("“%(course)s” is already on this path.") % {"course": course.title}})
    on_path = {step.course_id for step in steps}
    outside = [c.title for c in prerequisites if c.pk not in on_path]
    if outside:
        raise ValidationError({"prerequisites": _("Prerequisites must come earlier on the path: %(courses)s.") % {
            "courses": ", ".join(outside)}})
    if due_days is not None and due_days > path.due_days:
        raise ValidationError({"due_days": _("Due after %(days)s days, later than the path itself (%(path)s days).")
                               % {"days": due_days, "path": path.due_days}})
    step = PathCourse.objects.create(path=path, course=course, due_days=due_days,
                                     position=max((s.position for s in steps), default=0) + 1)
    step.prerequisites.set(prerequisites)
    audit_record(actor=actor, action="update", obj=path,
                 changes={"course_added": course.code, "prerequisites": [c.code for c in prerequisites]})
    return step


def enrol(*, actor: User | None, person: Person, path: LearningPath, source: str = EnrolmentSource.MANUAL,
          on: datetime.date | None = None) -> tuple[Enrolment, bool]:
    """Enrol a person on a path (idempotent: an existing enrolment is returned unchanged, created=False)."""
    existing = Enrolment.objects.filter(person=person, path=path).first()
    if existing is not None:
        return existing, False
    on = on or timezone.localdate()
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(person=person, path=path, source=source, enrolled_on=on,
                                                 due_on=on + datetime.timedelta(days=path.due_days))
            audit_record(actor=actor, action="create", obj=enrolment,
                         object_repr=f"{person.name} → {path.title}", changes={"source": source})
    except IntegrityError:  # enrolled by a concurrent request in the meantime
        return Enrolment.objects.get(person=person, path=path), False
    _refresh_enrolments(person)
    return enrolment, True


@transaction.atomic
def enrol_people(*, actor: User | None, path: LearningPath, people, source: str = EnrolmentSource.MANUAL) -> int:
    created = 0
    for person in people:
        created += enrol(actor=actor, person=person, path=path, source=source)[1]
    return created


@transaction.atomic
def enrol_unit(*, actor: User | None, path: LearningPath, unit: OrgUnit) -> int:
    """Enrol every active person of the unit and the units below it; returns how many were new."""
    people = Person.objects.filter(unit__in=unit_subtree(unit), status=PersonStatus.ACTIVE).order_by("pk")
    return enrol_people(actor=actor, path=path, people=people, source=EnrolmentSource.UNIT)


def auto_paths_for(person: Person) -> list[LearningPath]:
    """Active automatic paths whose role, level and units fit the person."""
    roles = set(RoleAssignment.objects.filter(person=person).values_list("role", flat=True))
    fitting = []
    for path in LearningPath.objects.filter(auto_enrol=True, active=True).prefetch_related("units"):
        if path.role and path.role not in roles:
            continue
        if path.level and path.level != person.level:
            continue
        units = list(path.units.all())
        if units and not any(person.unit.path.startswith(u.path) for u in units):
            continue
        fitting.append(path)
    return fitting


def auto_enrol(*, person: Person) -> int:
    """Enrol a person on every automatic path that fits them (called when someone joins or gains a role)."""
    if person.status != PersonStatus.ACTIVE:
        return 0
    created = 0
    for path in auto_paths_for(person):
        created += enrol(actor=None, person=person, path=path, source=EnrolmentSource.AUTO)[1]
    return created


def _refresh_enrolments(person: Person) -> None:
    """Mark the person's enrolments complete once every course of the path is completed."""
    from servicecoach.training.selectors import completed_course_ids

    open_enrolments = list(Enrolment.objects.filter(person=person, completed_at__isnull=True)
                           .prefetch_related("path__steps"))
    if not open_enrolments:
        return
    done = completed_course_ids(person)
    now = timezone.now()
    for enrolment in open_enrolments:
        courses = {step.course_id for step in enrolment.path.steps.all()}
        if courses and courses <= done:
            enrolment.completed_at = now
            enrolment.save(update_fields=["completed_at"])


# ---------------------------------------------------------------- daily quiz


def daily_quiz_pool(person: Person, day: datetime.date) -> list[int]:
    """Question ids of the lessons the person studied (opened, read or completed) in the last days."""
    since = timezone.make_aware(datetime.datetime.combine(day - datetime.timedelta(days=DAILY_QUIZ_LOOKBACK_DAYS),
                                                          datetime.time.min))
    lessons = LessonProgress.objects.filter(person=person, started_at__gte=since).values("lesson_id")
    recent_read = LessonProgress.objects.filter(person=person, read_at__gte=since).values("lesson_id")
    return list(QuizQuestion.objects.filter(quiz__lesson__in=lessons.union(recent_read))
                .values_list("pk", flat=True))


@transaction.atomic
def daily_quiz_get_or_draw(*, person: Person, day: datetime.date | None = None) -> DailyQuiz | None:
    """Today's quiz for the person, drawn on first opening; None when they studied nothing lately."""
    day = day or timezone.localdate()
    existing = DailyQuiz.objects.filter(person=person, day=day).first()
    if existing is not None:
        return existing
    ids = draw_daily(daily_quiz_pool(person, day), person_id=person.pk, day=day, count=DAILY_QUIZ_QUESTIONS)
    if not ids:
        return None
    quiz, _created = DailyQuiz.objects.get_or_create(person=person, day=day, defaults={"question_ids": ids})
    return quiz


@transaction.atomic
def daily_quiz_submit(*, daily: DailyQuiz, answers: dict) -> DailyQuiz:
    daily = DailyQuiz.objects.select_for_update().get(pk=daily.pk)
    if daily.submitted_at is not None:
        raise ValidationError(_("Today's quiz is already submitted."))
    questions = list(QuizQuestion.objects.filter(pk__in=daily.question_ids).prefetch_related("choices"))
    if not questions:
        raise ValidationError(_("The questions of this quiz no longer exist."))
    cleaned = _clean_answers(questions, answers)
    unanswered = [i for i, q in enumerate(sorted(questions, key=lambda q: q.pk), start=1) if not cleaned[q.pk]]
    if unanswered:
        raise ValidationError(_("Answer every question; still open: %(numbers)s.") % {
            "numbers": ", ".join(str(n) for n in unanswered)})
    daily.score, _right = mark(_correct_answers(questions), cleaned)
    daily.answers = {str(k): v for k, v in cleaned.items()}
    daily.submitted_at = timezone.now()
    daily.save()
    return daily
