"""Changes to the Assessment app: the bank, papers, exams, attempts, marking and release.

Every write is a function here, atomic where it writes several rows; the ones that matter are
audited with org.services.audit_record in the same transaction. The algorithms are the engine's
(servicecoach.exams.engine): this module stores what they return.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.exams import selectors
from servicecoach.exams.codec import question_to_data
from servicecoach.exams.engine import importers, marking
from servicecoach.exams.engine.blueprint import (
    Blueprint,
    BlueprintError,
    BlueprintShortage,
    PaperPlan,
    Quota,
    candidate_seed,
)
from servicecoach.exams.engine.questions import Question as EngineQuestion
from servicecoach.exams.engine.questions import QuestionType as EngineType
from servicecoach.exams.engine.questions import _ChoiceQuestion
from servicecoach.exams.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    BlueprintQuota,
    Exam,
    ItemStatus,
    Paper,
    PaperKind,
    PaperQuestion,
    Question,
    QuestionSource,
    QuestionVersion,
)
from servicecoach.org.models import AuditAction, Person, User
from servicecoach.org.services import audit_record


def _act(event: str) -> str:
    """The audit log's action for an event of this app (the log keeps a few generic actions)."""
    return {"create": AuditAction.CREATE, "import": AuditAction.IMPORT}.get(event, AuditAction.UPDATE)


# ---------------------------------------------------------------- question bank


def _unique_key(wanted: str) -> str:
    wanted = (wanted or "q")[:56]
    if not Question.objects.filter(key=wanted).exists():
        return wanted
    n = 2
    while Question.objects.filter(key=f"{wanted}-{n}").exists():
        n += 1
    return f"{wanted}-{n}"


def _metadata_columns(q: EngineQuestion) -> dict[str, Any]:
    return {
        "qtype": q.type.value,
        "stem": q.stem,
        "topic": q.topic[:100],
        "difficulty": q.difficulty.value,
        "tags": list(q.tags),
        "points": q.points,
    }


def _duplicate_error(fingerprint: str) -> ValidationError | None:
    other = Question.objects.filter(fingerprint=fingerprint).first()
    if other is None:
        version = QuestionVersion.objects.filter(fingerprint=fingerprint).select_related("question").first()
        other = version.question if version else None
    if other is None:
        return None
    return ValidationError(
        _("The bank already holds this question (same type, text and answer): %(key)s “%(stem)s”.")
        % {"key": other.key, "stem": other.stem[:40]}
    )


@transaction.atomic
def question_create(
    *, actor: User | None, question: EngineQuestion, source: str = QuestionSource.MANUAL, audit: bool = True
) -> Question:
    """Add a validated engine question to the bank as version 1. A question with the same content
    (fingerprint) as any version in the bank is refused."""
    question.validate()
    fp = question.fingerprint()
    error = _duplicate_error(fp)
    if error is not None:
        raise error
    now = timezone.now()
    row = Question.objects.create(
        key=_unique_key(question.key), fingerprint=fp, version=1, source=source, created_by=actor,
        created_at=now, updated_at=now, **_metadata_columns(question),
    )
    QuestionVersion.objects.create(question=row, number=1, data=question_to_data(question), fingerprint=fp,
                                   created_by=actor, created_at=now)
    if audit:
        audit_record(actor=actor, action=_act("create"), obj=row, changes={"key": row.key})
    return row


@transaction.atomic
def question_update(*, actor: User | None, question: Question, new: EngineQuestion) -> Question:
    """Save an edit as a new version (the old one stays, frozen, for the attempts that used it).
    An edit that changes nothing adds no version."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    new = dataclasses.replace(new, key=question.key, version=question.version)
    new.validate()
    data = question_to_data(new)
    current = question.versions.get(number=question.version)
    if current.data == data:
        return question
    fp = new.fingerprint()
    if fp != question.fingerprint:
        clash = Question.objects.filter(fingerprint=fp).exclude(pk=question.pk).first()
        if clash is not None:
            raise ValidationError(_("Another question of the bank has this content: %(key)s.") % {"key": clash.key})
    number = question.version + 1
    now = timezone.now()
    QuestionVersion.objects.create(question=question, number=number, data=data, fingerprint=fp,
                                   created_by=actor, created_at=now)
    for name, value in _metadata_columns(new).items():
        setattr(question, name, value)
    question.fingerprint, question.version, question.updated_at = fp, number, now
    question.save()
    audit_record(actor=actor, action=_act("update"), obj=question, changes={"version": number})
    return question


def question_set_archived(*, actor: User | None, question: Question, archived: bool) -> Question:
    question.archived = archived
    question.save(update_fields=["archived"])
    audit_record(actor=actor, action=_act("archive"), obj=question,
                 changes={"archived": archived})
    return question


@dataclass
class ImportReport:
    source: str
    created: list[Question] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (location, stem)
    problems: list[str] = field(default_factory=list)  # "row 5: reason"


IMPORT_FORMATS = ("excel", "gift", "aiken")


def bank_import(
    *, actor: User | None, fmt: str, data: bytes, filename: str = "", topic: str = ""
) -> ImportReport:
    """Import a file through the engine's reader. Bad questions are reported with their row/line
    and reason, the others are added in one transaction; questions already in the bank (any
    version, same fingerprint) or repeated in the file are skipped, so a re-import adds nothing."""
    if fmt == "excel":
        result = importers.import_excel(data)
        source = QuestionSource.EXCEL
    elif fmt in ("gift", "aiken"):
        try:
            text = importers.decode_text(data)
        except ValueError as exc:
            return ImportReport(source=filename, problems=[f"file: {exc}"])
        if fmt == "gift":
            result = importers.import_gift(text, source=filename or "upload.gift")
            source = QuestionSource.GIFT
        else:
            result = importers.import_aiken(text, source=filename or "upload.txt", topic=topic)
            source = QuestionSource.AIKEN
    else:
        raise ValidationError(_("Unknown import format %(fmt)s.") % {"fmt": fmt})
    report = ImportReport(source=filename, problems=[str(p) for p in result.problems])
    with transaction.atomic():
        existing = set(QuestionVersion.objects.values_list("fingerprint", flat=True))
        new, duplicates = result.split_new(existing)
        report.duplicates = [(iq.location, iq.question.stem) for iq in duplicates]
        for iq in new:
            report.created.append(question_create(actor=actor, question=iq.question, source=source, audit=False))
        audit_record(actor=actor, action=_act("import"), object_type="exams.question",
                     object_repr=filename[:200],
                     changes={"format": fmt, "created": len(report.created), "duplicates": len(duplicates),
                              "problems": len(report.problems)})
    return report


def bank_export(*, questions: list[Question], fmt: str) -> tuple[bytes, list[str]]:
    """The questions' current versions in a format; returns (file bytes, problems)."""
    import io

    engine_questions = [q.current.to_engine() for q in questions]
    if fmt == "excel":
        buffer = io.BytesIO()
        problems = importers.export_excel(engine_questions, buffer)
        return buffer.getvalue(), [str(p) for p in problems]
    if fmt == "gift":
        text, problems = importers.export_gift(engine_questions)
    elif fmt == "aiken":
        text, problems = importers.export_aiken(engine_questions)
    else:
        raise ValidationError(_("Unknown export format %(fmt)s.") % {"fmt": fmt})
    return text.encode("utf-8"), [str(p) for p in problems]


# ---------------------------------------------------------------- papers


@transaction.atomic
def paper_save(
    *,
    actor: User | None,
    paper: Paper | None,
    title: str,
    kind: str,
    description: str = "",
    total: int | None = None,
    fixed: list[tuple[Question, Decimal | None]] | None = None,
    quotas: list[dict[str, Any]] | None = None,
) -> Paper:
    """Create or replace a paper: its fixed questions (in order) or its blueprint rows. A
    blueprint the engine finds malformed is refused; one the bank cannot satisfy is saved
    (the bank may grow) and its shortages shown on the paper's page."""
    if kind == PaperKind.FIXED:
        fixed = fixed or []
        if not fixed:
            raise ValidationError({"questions": _("A fixed paper needs at least one question.")})
        keys = [q.pk for q, _p in fixed]
        if len(set(keys)) != len(keys):
            raise ValidationError({"questions": _("A question is listed twice.")})
    else:
        quotas = quotas or []
        try:
            blueprint_from_rows(quotas, total).validate()
        except BlueprintError as exc:
            raise ValidationError({"quotas": _("The blueprint is not valid: %(reason)s") % {"reason": exc}}) from None
    created = paper is None
    if paper is None:
        paper = Paper(created_by=actor)
    paper.title, paper.kind, paper.description = title, kind, description
    paper.total = total if kind == PaperKind.BLUEPRINT else None
    paper.save()
    paper.fixed_questions.all().delete()
    paper.quotas.all().delete()
    if kind == PaperKind.FIXED:
        PaperQuestion.objects.bulk_create(
            [PaperQuestion(paper=paper, question=q, position=i, points=p) for i, (q, p) in enumerate(fixed, 1)]
        )
    else:
        BlueprintQuota.objects.bulk_create([BlueprintQuota(paper=paper, position=i, **row)
                                            for i, row in enumerate(quotas, 1)])
    audit_record(actor=actor, action=_act("create") if created else _act("update"), obj=paper,
                 changes={"kind": kind})
    return paper


def blueprint_from_rows(rows: list[dict[str, Any]], total: int | None) -> Blueprint:
    quotas = tuple(
        Quota(count=r["count"], topic=r.get("topic") or None, difficulty=r.get("difficulty") or None,
              qtype=r.get("qtype") or None, points_each=r.get("points_each"))
        for r in rows
    )
    return Blueprint(quotas=quotas, total=total)


def paper_blueprint(paper: Paper) -> Blueprint:
    rows = [{"topic": q.topic, "difficulty": q.difficulty, "qtype": q.qtype, "count": q.count,
             "points_each": q.points_each} for q in paper.quotas.all()]
    return blueprint_from_rows(rows, paper.total)


def paper_plan(paper: Paper) -> tuple[PaperPlan, dict[str, QuestionVersion]]:
    """The engine's plan over the bank's active questions (current versions)."""
    versions = {v.question.key: v for v in selectors.current_versions()}
    plan = PaperPlan([v.to_engine() for v in versions.values()], paper_blueprint(paper))
    return plan, versions


def paper_problems(paper: Paper) -> list[str]:
    """Why the bank cannot give this paper (empty: it can)."""
    if paper.kind == PaperKind.FIXED:
        return [_("Question %(key)s is archived.") % {"key": pq.question.key}
                for pq in paper.fixed_questions.select_related("question") if pq.question.archived]
    try:
        plan, _versions = paper_plan(paper)
    except BlueprintError as exc:
        return [str(exc)]
    return [str(s) for s in plan.problems()]


# ---------------------------------------------------------------- exams


@transaction.atomic
def exam_save(*, actor: User | None, exam: Exam | None, people, units, programmes=(), **fields: Any) -> Exam:
    if fields["closes_at"] <= fields["opens_at"]:
        raise ValidationError({"closes_at": _("The exam must close after it opens.")})
    problems = paper_problems(fields["paper"])
    if problems:
        raise ValidationError({"paper": _("The bank cannot give this paper: %(problems)s")
                               % {"problems": "; ".join(problems)}})
    created = exam is None
    if exam is None:
        exam = Exam(created_by=actor)
    for name, value in fields.items():
        setattr(exam, name, value)
    exam.save()
    exam.people.set(people)
    exam.units.set(units)
    exam.programmes.set(programmes)
    audit_record(actor=actor, action=_act("create") if created else _act("update"), obj=exam,
                 changes={"programmes": sorted(p.pk for p in programmes)} if programmes else None)
    return exam


class ExamRefused(ValidationError):
    """A candidate may not start (not a candidate, closed, no attempts left)."""


def _engine_policy(exam: Exam) -> marking.MultipleChoicePolicy:
    return marking.MultipleChoicePolicy(exam.mc_policy)


@transaction.atomic
def attempt_start(*, exam: Exam, person: Person, now=None) -> Attempt:
    """Continue the candidate's open attempt, or draw a new paper for them (seeded by exam,
    candidate and attempt number, so the draw can be repeated for an audit)."""
    now = now or timezone.now()
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one start at a time per candidate
    attempt_close_due(exam=exam, person=person, now=now)
    current = Attempt.objects.filter(exam=exam, person=person, status=AttemptStatus.IN_PROGRESS).first()
    if current is not None:
        return current
    if not selectors.is_candidate(exam, person):
        raise ExamRefused(_("You are not a candidate of this exam."))
    if now < exam.opens_at:
        raise ExamRefused(_("The exam has not opened yet."))
    if now >= exam.closes_at:
        raise ExamRefused(_("The exam has closed."))
    done = Attempt.objects.filter(exam=exam, person=person).count()
    if done >= exam.attempts_allowed:
        raise ExamRefused(_("You have used all %(n)s attempt(s) of this exam.") % {"n": exam.attempts_allowed})
    number = done + 1
    seed = candidate_seed(f"exam-{exam.pk}", f"person-{person.pk}-attempt-{number}")
    paper = exam.paper
    if paper.kind == PaperKind.FIXED:
        items, method = _fixed_items(exam, paper, seed)
    else:
        plan, versions = paper_plan(paper)
        try:
            drawn = plan.draw(seed=seed, shuffle_questions=exam.shuffle_questions,
                              shuffle_options=exam.shuffle_options)
        except BlueprintShortage as exc:
            raise ExamRefused(_("The question bank cannot give this paper: %(reason)s") % {"reason": exc}) from None
        items = [(versions[i.question_key], i.points, list(i.option_order)) for i in drawn.items]
        method = drawn.method
    deadline = min(now + timedelta(minutes=exam.duration_minutes), exam.closes_at)
    attempt = Attempt.objects.create(
        exam=exam, person=person, number=number, seed=str(seed), method=method, started_at=now, deadline=deadline,
        max_score=sum((p for _v, p, _o in items), Decimal(0)),
    )
    AttemptItem.objects.bulk_create([
        AttemptItem(attempt=attempt, position=i, version=v, points=p, option_order=o)
        for i, (v, p, o) in enumerate(items, 1)
    ])
    return attempt


def _fixed_items(exam: Exam, paper: Paper, seed: int):
    import random

    from servicecoach.exams.engine.blueprint import OptionShuffle

    rows = list(paper.fixed_questions.select_related("question"))
    if exam.shuffle_questions:
        random.Random(seed).shuffle(rows)
    items = []
    for row in rows:
        version = row.question.versions.get(number=row.question.version)
        q = version.to_engine()
        order: list[str] = []
        if isinstance(q, _ChoiceQuestion):
            order = list(OptionShuffle.for_question(q, seed=seed, shuffle=exam.shuffle_options).order)
        items.append((version, row.points or q.points, order))
    return items, "fixed"


class AnswerRefused(ValidationError):
    pass


class AttemptNotFound(Exception):
    """The attempt does not exist or is not the person's own (the view answers 404)."""


def _clean_answer(qtype: str, item: AttemptItem, raw: Any) -> Any:
    """The answer in the stored shape, or AnswerRefused naming the rule."""
    if raw is None or raw == "" or raw == []:
        return None
    if qtype == EngineType.SINGLE_CHOICE:
        if not isinstance(raw, str) or raw not in item.option_order:
            raise AnswerRefused(_("Question %(n)s: choose one of the options.") % {"n": item.position})
        return raw
    if qtype == EngineType.MULTIPLE_CHOICE:
        if not isinstance(raw, list) or any(not isinstance(x, str) or x not in item.option_order for x in raw):
            raise AnswerRefused(_("Question %(n)s: choose among the options.") % {"n": item.position})
        return sorted(set(raw))
    if qtype == EngineType.TRUE_FALSE:
        if raw in (True, "true"):
            return True
        if raw in (False, "false"):
            return False
        raise AnswerRefused(_("Question %(n)s: answer true or false.") % {"n": item.position})
    if qtype == EngineType.FILL_IN_BLANK:
        if not isinstance(raw, list) or any(not isinstance(x, str) for x in raw):
            raise AnswerRefused(_("Question %(n)s: one text per blank.") % {"n": item.position})
        return [x[:500] for x in raw]
    if not isinstance(raw, str):
        raise AnswerRefused(_("Question %(n)s: the answer must be text.") % {"n": item.position})
    return raw[:20000]


SAVE_GRACE = timedelta(seconds=30)  # a save sent just before the deadline may arrive a little later


@dataclass
class SaveResult:
    applied: bool
    revision: int
    answer: Any
    client_time: int


def answer_save(*, attempt: Attempt | int, position: int, answer: Any, client_time: int, now=None,
                person: Person | None = None, user_id: int | None = None) -> SaveResult:
    """Store one answer. Two tabs or a re-sent queue may race: the attempt row is locked, and the
    answer edited last (by the candidate's clock) wins; an older edit arriving later is not applied
    and the current answer is returned so the page can show it. ``person``, when given, must own
    the attempt (else AttemptNotFound); so must the login ``user_id`` (the page's hot path: no
    separate query for the person).

    Lock order: every writer of an attempt's items (this, submission, marking) locks the attempt
    row first, so they queue instead of deadlocking."""
    now = now or timezone.now()
    attempt_id = attempt if isinstance(attempt, int) else attempt.pk
    with transaction.atomic():
        attempts = Attempt.objects.select_for_update(of=("self",)).filter(pk=attempt_id).only("status", "deadline")
        if person is not None:
            attempts = attempts.filter(person=person)
        if user_id is not None:
            attempts = attempts.filter(person__user_id=user_id)
        locked = attempts.first()
        if locked is None:
            raise AttemptNotFound
        if locked.status != AttemptStatus.IN_PROGRESS:
            raise AnswerRefused(_("This attempt has been submitted; answers can no longer change."))
        if now > locked.deadline + SAVE_GRACE:
            raise AnswerRefused(_("Time is up; answers can no longer change."))
        item = AttemptItem.objects.select_related("version").filter(attempt_id=attempt_id, position=position).first()
        if item is None:
            raise AnswerRefused(_("Question %(n)s is not on this paper.") % {"n": position})
        value = _clean_answer(item.version.data["type"], item, answer)
        if client_time < item.client_time:
            return SaveResult(False, item.revision, item.answer, item.client_time)
        item.answer, item.client_time, item.answered_at = value, client_time, now
        item.revision += 1
        item.save(update_fields=["answer", "client_time", "answered_at", "revision"])
        return SaveResult(True, item.revision, item.answer, item.client_time)


def _engine_answer(item: AttemptItem, qtype: str) -> Any:
    a = item.answer
    if qtype == EngineType.MULTIPLE_CHOICE and a is not None:
        return frozenset(a)
    return a


def _mark_items(attempt: Attempt) -> None:
    policy = _engine_policy(attempt.exam)
    for item in attempt.items.select_related("version", "version__question"):
        q = item.version.to_engine()
        result = marking.mark(q, _engine_answer(item, q.type), policy=policy, points=item.points)
        item.status = result.status.value
        item.score, item.auto_score = result.score, result.auto_score
        item.explanation = list(result.explanation)
        item.save(update_fields=["status", "score", "auto_score", "explanation"])
    _attempt_total(attempt)


def _attempt_total(attempt: Attempt) -> None:
    items = list(attempt.items.all())
    waiting = any(i.status in (ItemStatus.NEEDS_REVIEW, ItemStatus.PENDING) for i in items)
    attempt.score = sum((i.score for i in items if i.status == ItemStatus.MARKED and i.score is not None), Decimal(0))
    attempt.status = AttemptStatus.SUBMITTED if waiting else AttemptStatus.MARKED
    attempt.save(update_fields=["score", "status"])


def attempt_submit(*, attempt: Attempt, by_server: bool = False, now=None) -> Attempt:
    """Close the attempt with what was saved and mark it (objective types at once; short answers
    that need review and essays go to the marking queue). Submitting twice does nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        attempt = Attempt.objects.select_for_update().select_related("exam").get(pk=attempt.pk)
        if attempt.status != AttemptStatus.IN_PROGRESS:
            return attempt
        attempt.submitted_at = min(now, attempt.deadline) if by_server else now
        attempt.auto_submitted = by_server
        attempt.status = AttemptStatus.SUBMITTED
        attempt.save(update_fields=["submitted_at", "auto_submitted", "status"])
        _mark_items(attempt)
    return attempt


def attempt_close_due(*, exam: Exam | None = None, person: Person | None = None, now=None) -> int:
    """Submit, with what was saved, every attempt whose deadline (plus the grace for late saves)
    has passed. Called on access and by `servicecoach manage exams_close_due` / the periodic task."""
    now = now or timezone.now()
    due = Attempt.objects.filter(status=AttemptStatus.IN_PROGRESS, deadline__lt=now - SAVE_GRACE)
    if exam is not None:
        due = due.filter(exam=exam)
    if person is not None:
        due = due.filter(person=person)
    count = 0
    for attempt in due:
        attempt_submit(attempt=attempt, by_server=True, now=now)
        count += 1
    return count


def _reviewer_name(actor: User | None) -> str:
    person = getattr(actor, "person", None) if actor is not None else None
    return person.name if person is not None else (actor.get_username() if actor else "system")


@transaction.atomic
def item_review(*, actor: User | None, item: AttemptItem, adjustment: Decimal, reason: str) -> AttemptItem:
    """A reviewer's adjustment of an automatically marked short answer (engine apply_review)."""
    Attempt.objects.select_for_update().filter(pk=item.attempt_id).first()  # the attempt first: see answer_save
    item = AttemptItem.objects.select_related("version", "attempt").get(pk=item.pk)
    if item.score is None:
        raise ValidationError(_("This answer has no automatic mark to adjust."))
    mark_ = marking.Mark(question_key=item.version.question.key, score=item.score, max_score=item.points,
                         status=marking.MarkStatus(item.status), explanation=tuple(item.explanation),
                         auto_score=item.auto_score)
    try:
        result = marking.apply_review(mark_, adjustment=adjustment, reviewer=_reviewer_name(actor), reason=reason)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    _store_mark(actor, item, result)
    return item


@transaction.atomic
def item_mark_essay(*, actor: User | None, item: AttemptItem, levels: dict[str, str]) -> AttemptItem:
    """Hand marking of an essay against its rubric (or a plain score when it has none)."""
    Attempt.objects.select_for_update().filter(pk=item.attempt_id).first()  # the attempt first: see answer_save
    item = AttemptItem.objects.select_related("version", "attempt").get(pk=item.pk)
    q = item.version.to_engine()
    try:
        result = marking.mark_essay(q, levels=levels, marker=_reviewer_name(actor), points=item.points)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError(str(exc)) from None
    _store_mark(actor, item, result)
    return item


def _store_mark(actor, item: AttemptItem, result: marking.Mark) -> None:
    item.status, item.score = result.status.value, result.score
    item.explanation = list(result.explanation)
    item.marked_by, item.marked_at = actor, timezone.now()
    item.save(update_fields=["status", "score", "explanation", "marked_by", "marked_at"])
    attempt = Attempt.objects.select_for_update().get(pk=item.attempt_id)
    _attempt_total(attempt)
    audit_record(actor=actor, action=_act("mark"), object_type="exams.attemptitem", object_id=str(item.pk),
                 object_repr=str(attempt)[:200], changes={"score": str(result.score)})


def exam_release(*, actor: User | None, exam: Exam, release: bool = True) -> Exam:
    exam.results_released_at = timezone.now() if release else None
    exam.save(update_fields=["results_released_at"])
    audit_record(actor=actor, action=_act("release"), obj=exam,
                 changes={"results_released_at": str(exam.results_released_at or "")})
    return exam



# ---------------------------------------------------------------- practical exams, conduct, composite, feedback

FEEDBACK_WORKING_DAYS = 3


def rubric_items_from_text(text: str) -> list[dict[str, Any]]:
    """The rubric page's notation, one item per line:
    ``key | title | points | level=points descriptor; level=points descriptor; ...``.
    Raises ValidationError naming the line."""
    items = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) < 3:
            raise ValidationError(_("line %(n)s: write key | title | points | levels") % {"n": n})
        key, title, points_text = parts[0], parts[1], parts[2]
        try:
            points = Decimal(points_text)
        except ArithmeticError:
            raise ValidationError(_("line %(n)s: points “%(p)s” is not a number") % {"n": n, "p": points_text}) from None
        levels = []
        for chunk in (parts[3] if len(parts) > 3 else "").replace("；", ";").split(";"):
            chunk = chunk.strip()
            if not chunk:
                continue
            label, sep, rest = chunk.partition("=")
            value, _space, descriptor = rest.strip().partition(" ")
            try:
                if not sep:
                    raise ArithmeticError
                level_points = Decimal(value)
            except ArithmeticError:
                raise ValidationError(_("line %(n)s: level “%(chunk)s” must look like 优=10 descriptor")
                                      % {"n": n, "chunk": chunk}) from None
            levels.append({"label": label.strip(), "points": format(level_points, "f"), "descriptor": descriptor.strip()})
        items.append({"key": key, "title": title, "points": format(points, "f"), "levels": levels})
    return items


def rubric_items_to_text(items: list[dict[str, Any]]) -> str:
    lines = []
    for i in items:
        levels = "; ".join(f"{lv['label']}={lv['points']} {lv.get('descriptor', '')}".strip() for lv in i["levels"])
        lines.append(f"{i['key']} | {i['title']} | {i['points']} | {levels}")
    return "\n".join(lines)


def rubric_save(*, actor: User | None, rubric, title: str, items: list[dict[str, Any]]):
    from servicecoach.exams.engine.practical import PracticalError
    from servicecoach.exams.models import PracticalRubric

    rubric = rubric or PracticalRubric()
    rubric.title, rubric.items = title, items
    try:
        rubric.to_engine().validate()
    except PracticalError as exc:
        raise ValidationError({"items": str(exc)}) from None
    rubric.save()
    audit_record(actor=actor, action=_act("save"), obj=rubric)
    return rubric


def scenario_card_save(*, actor: User | None, card, **fields: Any):
    from servicecoach.exams.models import ScenarioCard

    card = card or ScenarioCard()
    clash = ScenarioCard.objects.filter(key=fields["key"]).exclude(pk=card.pk).first()
    if clash is not None:
        raise ValidationError({"key": _("Another card has the key %(key)s.") % {"key": fields["key"]}})
    for name, value in fields.items():
        setattr(card, name, value)
    card.save()
    audit_record(actor=actor, action=_act("save"), obj=card)
    return card


def _composite_config(assessment):
    from servicecoach.exams.engine.composite import DEFAULT_BANDS, CompositeConfig, RoundingRule

    minima = {"excellent": assessment.band_excellent, "good": assessment.band_good, "pass": assessment.band_pass,
              "fail": Decimal(0)}
    def plain(value) -> Decimal:  # 80.00 from the database reads "80" in the explanation
        value = Decimal(value)
        return value.to_integral_value() if value == value.to_integral_value() else value.normalize()

    bands = tuple(dataclasses.replace(b, minimum=plain(minima[b.code])) for b in DEFAULT_BANDS)
    return CompositeConfig(theory=assessment.weight_theory, practical=assessment.weight_practical,
                           overall=assessment.weight_overall, rounding=RoundingRule(assessment.rounding), bands=bands)


@transaction.atomic
def assessment_save(*, actor: User | None, assessment, people, units, assessors, **fields: Any):
    """Create or change an assessment; its candidate list follows the people and units named
    (candidates with scores are never dropped)."""
    from servicecoach.exams.engine.composite import CompositeError
    from servicecoach.exams.models import Assessment
    from servicecoach.org.calendar import add_working_days

    assessment = assessment or Assessment(created_by=actor)
    for name, value in fields.items():
        setattr(assessment, name, value)
    try:
        _composite_config(assessment).validate()
    except CompositeError as exc:
        raise ValidationError({"band_excellent" if "band" in str(exc) else "weight_theory": str(exc)}) from None
    try:
        conduct_config(assessment).validate()
    except CompositeError as exc:
        raise ValidationError({"conduct_attendance": str(exc)}) from None
    if len(assessors) < 2:
        raise ValidationError({"assessors": _("A panel needs at least two assessors (e.g. the trainer and a supervisor).")})
    assessment.save()
    assessment.people.set(people)
    assessment.units.set(units)
    assessment.assessors.set(assessors)
    assessment_sync_candidates(assessment)
    assessment.candidates.filter(feedback_sent_at__isnull=True).update(
        feedback_due=add_working_days(assessment.held_on, FEEDBACK_WORKING_DAYS))
    audit_record(actor=actor, action=_act("save"), obj=assessment)
    return assessment


def assessment_sync_candidates(assessment) -> tuple[int, int]:
    """Make the candidate rows follow the people, units and linked programme named: new people (e.g. someone
    who joined the programme) are added, people no longer named are dropped unless they have been drawn a card
    or scored. Runs when the assessment is saved and before results are computed. Returns (added, dropped)."""
    from servicecoach.exams.models import AssessmentCandidate
    from servicecoach.org.calendar import add_working_days

    due = add_working_days(assessment.held_on, FEEDBACK_WORKING_DAYS)
    wanted = set(selectors.assessment_people(assessment).values_list("pk", flat=True))
    have = set(assessment.candidates.values_list("person_id", flat=True))
    added = AssessmentCandidate.objects.bulk_create(
        [AssessmentCandidate(assessment=assessment, person_id=pk, feedback_due=due) for pk in sorted(wanted - have)])
    dropped, _by_model = assessment.candidates.filter(person_id__in=have - wanted, panel_scores__isnull=True,
                                                      card__isnull=True).delete()
    return len(added), dropped


class PracticalRefused(ValidationError):
    pass


@transaction.atomic
def scenario_draw(*, actor: User | None, candidate):
    """Draw the candidate's scenario card once (engine draw_scenario), recording seed and pool so
    that the draw can be replayed for an audit. Cards the person had in earlier assessments are
    excluded. Drawing again returns the recorded card."""
    from servicecoach.exams.engine.practical import PracticalError, draw_scenario
    from servicecoach.exams.models import AssessmentCandidate, ScenarioCard

    candidate = AssessmentCandidate.objects.select_for_update().select_related("assessment").get(pk=candidate.pk)
    if candidate.card_id is not None:
        return candidate
    cards = {c.key: c for c in ScenarioCard.objects.filter(active=True)}
    earlier = list(AssessmentCandidate.objects.filter(person=candidate.person, card__isnull=False)
                   .exclude(pk=candidate.pk).values_list("card__key", flat=True))
    seed = candidate_seed(f"assessment-{candidate.assessment_id}", f"person-{candidate.person_id}")
    try:
        draw = draw_scenario([c.to_engine() for c in cards.values()], seed=seed,
                             tags=candidate.assessment.card_tags, exclude=earlier)
    except PracticalError as exc:
        raise PracticalRefused(str(exc)) from None
    candidate.draw_seed, candidate.draw_pool = str(draw.seed), list(draw.pool)
    candidate.card, candidate.drawn_at = cards[draw.card_key], timezone.now()
    candidate.save(update_fields=["draw_seed", "draw_pool", "card", "drawn_at"])
    audit_record(actor=actor, action=_act("draw"), obj=candidate,
                 changes={"seed": candidate.draw_seed, "pool": candidate.draw_pool, "card": draw.card_key})
    return candidate


def draw_verified(candidate) -> bool:
    from servicecoach.exams.engine.practical import ScenarioDraw, verify_draw

    if candidate.card is None:
        return False
    return verify_draw(ScenarioDraw(seed=int(candidate.draw_seed), pool=tuple(candidate.draw_pool),
                                    card_key=candidate.card.key))


@transaction.atomic
def panel_scores_save(*, assessor: Person, candidate, values: dict[str, str]):
    """One assessor's scores (points or level labels) for the rubric items; checked by the engine,
    which names the item and the rule. Empty values are removed (not yet scored)."""
    from servicecoach.exams.engine.practical import PracticalError, panel_score
    from servicecoach.exams.models import PanelScore

    rubric = candidate.assessment.rubric.to_engine()
    given = {k: v.strip() for k, v in values.items() if v and v.strip()}
    if given:
        # Check only the items given: an item left empty is "not scored yet", not an error.
        try:
            for key in given:
                rubric.item(key)
            scored = dataclasses.replace(rubric, items=tuple(i for i in rubric.items if i.key in given))
            panel_score(scored, {assessor.name: given})
        except PracticalError as exc:
            raise ValidationError(str(exc)) from None
    now = timezone.now()
    for item in rubric.items:
        value = given.get(item.key)
        if value is None:
            PanelScore.objects.filter(candidate=candidate, assessor=assessor, item_key=item.key).delete()
        else:
            PanelScore.objects.update_or_create(candidate=candidate, assessor=assessor, item_key=item.key,
                                                defaults={"value": value, "updated_at": now})


def conduct_config(assessment):
    """The assessment's overall-conduct formula: attendance × w_a + participation × w_p + teamwork × w_t
    (weights summing to 1, each part 0–100; default 0.4 / 0.3 / 0.3)."""
    from servicecoach.exams.engine.composite import ConductConfig

    return ConductConfig(attendance=assessment.conduct_attendance, participation=assessment.conduct_participation,
                         teamwork=assessment.conduct_teamwork)


class AttendanceUnavailable(ValidationError):
    """The programme holds no attendance for the candidate (or the assessment has no programme)."""


def programme_attendance_rate(candidate) -> Decimal:
    """The candidate's attendance rate over the linked programme's classroom sessions, or a clear refusal."""
    assessment = candidate.assessment
    if assessment.programme_id is None:
        raise AttendanceUnavailable(_("This assessment is not linked to a training programme."))
    found = selectors.programme_attendance(candidate.person, assessment.programme)
    if found is None:
        raise AttendanceUnavailable(
            _("No attendance of %(name)s is recorded in the sessions of “%(programme)s”.")
            % {"name": candidate.person.name, "programme": assessment.programme.title})
    return found["rate"]


@transaction.atomic
def conduct_save(*, actor: User | None, candidate, attendance_rate: Decimal | None, participation: list[Decimal],
                 teamwork: list[Decimal], from_programme: bool = False):
    """Overall-conduct inputs. With ``from_programme`` the attendance rate is taken from the linked
    programme's classroom attendance (and re-read whenever the result is computed); otherwise it is
    the rate entered by hand."""
    from servicecoach.exams.engine.composite import CompositeError, overall_conduct
    from servicecoach.exams.models import AttendanceSource

    if from_programme:
        attendance_rate = programme_attendance_rate(candidate)
    elif attendance_rate is None:
        raise ValidationError({"attendance_percent": _("Enter the attendance, or take it from the programme.")})
    try:
        overall_conduct(attendance_rate=attendance_rate, participation=participation, teamwork=teamwork,
                        config=conduct_config(candidate.assessment))
    except CompositeError as exc:
        raise ValidationError(str(exc)) from None
    candidate.attendance_rate = attendance_rate
    candidate.attendance_source = AttendanceSource.PROGRAMME if from_programme else AttendanceSource.MANUAL
    candidate.participation = [str(x) for x in participation]
    candidate.teamwork = [str(x) for x in teamwork]
    candidate.save(update_fields=["attendance_rate", "attendance_source", "participation", "teamwork"])
    audit_record(actor=actor, action=_act("save"), obj=candidate,
                 changes={"attendance_rate": str(attendance_rate), "attendance_source": candidate.attendance_source})
    return candidate


def practical_result(candidate):
    """The engine's panel result for the candidate, or None when nobody has scored yet."""
    from servicecoach.exams.engine.practical import PanelRules, panel_score

    scores: dict[str, dict[str, str]] = {}
    for s in candidate.panel_scores.select_related("assessor"):
        scores.setdefault(s.assessor.name, {})[s.item_key] = s.value
    if not scores:
        return None
    rules = PanelRules(margin_share=candidate.assessment.margin_share)
    return panel_score(candidate.assessment.rubric.to_engine(), scores, rules=rules)


def theory_attempt(candidate) -> Attempt | None:
    exam = candidate.assessment.theory_exam
    if exam is None:
        return None
    attempts = Attempt.objects.filter(exam=exam, person=candidate.person, status=AttemptStatus.MARKED)
    return max(attempts, key=lambda a: a.percent or Decimal(0), default=None)


@transaction.atomic
def result_compute(*, candidate) -> list[str]:
    """Theory (best marked attempt), practical (panel mean), overall conduct, composite and band,
    advice from the weakest topics and rubric items. Returns what is still missing (empty: done)."""
    from servicecoach.exams.engine.advice import AdviceTable, candidate_advice, candidate_areas
    from servicecoach.exams.engine.composite import composite, overall_conduct
    from servicecoach.exams.engine.practical import PracticalError
    from servicecoach.exams.models import AttendanceSource

    missing = []
    attempt = theory_attempt(candidate)
    by_topic = None
    if attempt is None:
        missing.append(_("no marked theory attempt"))
        candidate.theory_percent = None
    else:
        candidate.theory_percent = attempt.percent
        topics = {i.version.question.key: i.version.data.get("topic", "") for i in
                  attempt.items.select_related("version", "version__question")}
        marks = [marking.Mark(question_key=i.version.question.key, score=i.score, max_score=i.points,
                              status=marking.MarkStatus(i.status), explanation=())
                 for i in attempt.items.select_related("version", "version__question")]
        by_topic = marking.summarise_marks(marks, topics).by_topic
    try:
        practical = practical_result(candidate)
        if practical is None:
            missing.append(_("no practical scores"))
    except PracticalError as exc:
        practical = None
        missing.append(str(exc))
    if practical is None:
        candidate.practical_percent, candidate.flagged_items = None, []
    else:
        candidate.practical_percent = practical.percent
        candidate.flagged_items = practical.flagged
        if any(i.incomplete for i in practical.items):
            missing.append(_("some rubric items were scored by fewer than two assessors"))
    conduct_lines: list[str] = []
    if candidate.attendance_source == AttendanceSource.PROGRAMME:
        try:  # attendance taken from the programme follows its attendance records until the result is computed
            candidate.attendance_rate = programme_attendance_rate(candidate)
        except AttendanceUnavailable as exc:
            candidate.attendance_rate = None
            missing.append(" ".join(exc.messages))
    if candidate.attendance_rate is None or not candidate.participation or not candidate.teamwork:
        if candidate.attendance_source != AttendanceSource.PROGRAMME or candidate.attendance_rate is not None:
            missing.append(_("no overall conduct entered"))
        candidate.overall_percent = None
    else:
        conduct = overall_conduct(
            attendance_rate=candidate.attendance_rate, participation=[Decimal(x) for x in candidate.participation],
            teamwork=[Decimal(x) for x in candidate.teamwork], config=conduct_config(candidate.assessment))
        candidate.overall_percent = conduct.score
        conduct_lines = [f"overall conduct: {line}" for line in conduct.explanation]
    percentages, names = candidate_areas(by_topic=by_topic, practical=practical)
    candidate.areas = [[k.value, key, names.get((k, key), key), str(p)] for (k, key), p in sorted(percentages.items())]
    candidate.advice = [{"kind": a.kind.value, "key": names.get((a.kind, a.key), a.key), "percent": str(a.percent),
                         "zh": a.zh, "en": a.en}
                        for a in candidate_advice(percentages, table=AdviceTable(), names=names)]
    if not missing:
        result = composite(theory=candidate.theory_percent, practical=candidate.practical_percent,
                           overall=candidate.overall_percent, config=_composite_config(candidate.assessment))
        candidate.composite_score, candidate.banded_score = result.score, result.banded_score
        candidate.band_code, candidate.band_label = result.band.code, result.band.label_zh
        candidate.explanation = conduct_lines + list(result.explanation)
    else:
        candidate.composite_score = candidate.banded_score = None
        candidate.band_code = candidate.band_label = ""
        candidate.explanation = []
    candidate.computed_at = timezone.now()
    candidate.save()
    return missing


def assessment_compute(*, assessment) -> dict[int, list[str]]:
    assessment_sync_candidates(assessment)
    return {c.pk: result_compute(candidate=c) for c in assessment.candidates.select_related("person")}


def feedback_send(*, actor: User | None, candidate, text: str):
    if not text.strip():
        raise ValidationError({"feedback_text": _("Write the feedback first.")})
    candidate.feedback_text, candidate.feedback_sent_at = text.strip(), timezone.now()
    candidate.save(update_fields=["feedback_text", "feedback_sent_at"])
    audit_record(actor=actor, action=_act("send"), obj=candidate)
    return candidate


def assessment_release(*, actor: User | None, assessment, release: bool = True):
    assessment.results_released_at = timezone.now() if release else None
    assessment.save(update_fields=["results_released_at"])
    audit_record(actor=actor, action=_act("release"), obj=assessment,
                 changes={"results_released_at": str(assessment.results_released_at or "")})
    return assessment
