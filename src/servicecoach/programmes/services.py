"""Changing programmes, sessions, onboarding plans, mentoring records and needs surveys.

Every function writes in one transaction; changes that matter (a session scheduled, a short notice
allowed, a notice sent, a mentor certified, a plan started) are written to the audit log.
"""

from __future__ import annotations

import secrets
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicecoach.org import calendar
from servicecoach.org.models import AuditAction, OrgUnit, Person, PersonStatus, Role, User
from servicecoach.org.selectors import person_for_user, user_has_role
from servicecoach.org.services import audit_record, role_grant
from servicecoach.programmes import agenda as agenda_engine
from servicecoach.programmes.models import (
    AgendaBlock,
    Attendance,
    AttendanceCode,
    AttendanceStatus,
    CertificationStatus,
    CheckResult,
    ClassroomSession,
    CoachingTask,
    DailyFeedback,
    EquipmentCheck,
    EquipmentKind,
    GroupExercise,
    MentorAssignment,
    MentorCertification,
    NeedsResponse,
    NeedsSource,
    NeedsSurvey,
    Notice,
    OnboardingPlan,
    OnboardingTemplate,
    OneOnOne,
    ParticipationNote,
    PlanGoal,
    PlanTask,
    Programme,
    SessionMaterial,
    SessionParticipant,
    SessionStatus,
    ShadowingNote,
    TaskKind,
    TemplateGoal,
    TemplateTask,
)
from servicecoach.programmes.selectors import (
    EXAM_LOOKBACK_DAYS,
    NOTICE_WORKING_DAYS,
    QA_LOOKBACK_DAYS,
    earliest_start,
    exam_weak_topics,
    is_certified_mentor,
    needs_report,
    notice_deadline,
    qa_weak_points,
    session_days,
)

OVERRIDERS = (Role.ADMIN, Role.TRAINING_MANAGER)

MENTOR_CRITERIA = {
    "tenure": gettext_lazy("At least one year in the job"),
    "quality": gettext_lazy("Quality scores at or above the team average for the last three months"),
    "training": gettext_lazy("Has completed the mentor training"),
    "recommendation": gettext_lazy("Recommended by their supervisor"),
}


def _today(today: date | None) -> date:
    return today or timezone.localdate()


# ------------------------------------------------------------------------------------------- programmes


@transaction.atomic
def programme_create(*, actor: User | None, title: str, kind: str, start_date: date, end_date: date,
                     owner: Person | None = None, description: str = "",
                     participants: list[Person] | None = None) -> Programme:
    if end_date < start_date:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    programme = Programme(title=title, kind=kind, start_date=start_date, end_date=end_date, owner=owner,
                          description=description)
    programme.full_clean()
    programme.save()
    programme.participants.set(participants or [])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=programme,
                 changes={"title": title, "kind": kind, "start_date": start_date, "end_date": end_date,
                          "participants": len(participants or [])})
    return programme


@transaction.atomic
def programme_update(*, actor: User | None, programme: Programme, participants: list[Person] | None = None,
                     **fields: Any) -> Programme:
    start, end = fields.get("start_date", programme.start_date), fields.get("end_date", programme.end_date)
    if end < start:
        raise ValidationError({"end_date": _("The end date is before the start date.")})
    changes = {k: [str(getattr(programme, k)), str(v)] for k, v in fields.items() if getattr(programme, k) != v}
    for name, value in fields.items():
        setattr(programme, name, value)
    programme.full_clean()
    programme.save()
    if participants is not None:
        before = set(programme.participants.values_list("pk", flat=True))
        programme.participants.set(participants)
        if before != {p.pk for p in participants}:
            changes["participants"] = [len(before), len(participants)]
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=programme, changes=changes)
    return programme


# ------------------------------------------------------------------------------------------- sessions


def _check_session_fields(*, start_date: date, end_date: date, day_start: time, day_end: time, capacity: int,
                          participants: list[tuple[Person, str]]) -> None:
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors["end_date"] = [_("The last day is before the first day.")]
    elif not calendar.get_calendar().working_days_in(start_date, end_date):
        errors["end_date"] = [_("There is no working day between the first and the last day.")]
    if day_end <= day_start:
        errors["day_end"] = [_("The daily end time must be after the start time.")]
    if len(participants) > capacity:
        errors["capacity"] = [_("%(count)d participants do not fit a capacity of %(capacity)d.")
                              % {"count": len(participants), "capacity": capacity}]
    people = [p.pk for p, _kind in participants]
    if len(people) != len(set(people)):
        errors["participants"] = [_("Someone is listed both as a new hire and as a re-trainee.")]
    if errors:
        raise ValidationError(errors)


def _check_notice(*, actor: User | None, start_date: date, override_reason: str, today: date) -> bool:
    """True when the start is closer than the notice allows and a training manager's reason lets it through;
    ValidationError when it is too close without one."""
    earliest = earliest_start(today)
    if start_date >= earliest:
        return False
    if not override_reason.strip():
        raise ValidationError({"start_date": [_(
            "A session needs %(days)d working days' notice: announced today (%(today)s), it can start on "
            "%(earliest)s at the earliest. A training manager may allow a shorter notice with a reason."
        ) % {"days": NOTICE_WORKING_DAYS, "today": today.isoformat(), "earliest": earliest.isoformat()}]})
    if not user_has_role(actor, *OVERRIDERS):
        raise PermissionDenied(_("Only a training manager may allow a shorter notice."))
    return True


@transaction.atomic
def session_schedule(*, actor: User | None, programme: Programme, title: str, trainer: Person, start_date: date,
                     end_date: date, day_start: time, day_end: time, venue: str, capacity: int,
                     assessment: str = "", what_to_bring: str = "",
                     participants: list[tuple[Person, str]] | None = None,
                     override_reason: str = "", today: date | None = None) -> ClassroomSession:
    """Schedule a classroom session; refused when it starts sooner than 3 working days from today unless a
    training manager gives a reason (recorded on the session and in the audit log)."""
    participants = participants or []
    today = _today(today)
    _check_session_fields(start_date=start_date, end_date=end_date, day_start=day_start, day_end=day_end,
                          capacity=capacity, participants=participants)
    overridden = _check_notice(actor=actor, start_date=start_date, override_reason=override_reason, today=today)
    session = ClassroomSession(
        programme=programme, title=title, trainer=trainer, start_date=start_date, end_date=end_date,
        day_start=day_start, day_end=day_end, venue=venue, capacity=capacity, assessment=assessment,
        what_to_bring=what_to_bring, created_by=actor if actor and actor.is_authenticated else None,
    )
    if overridden:
        session.notice_override_reason = override_reason.strip()
        session.notice_override_by = actor
    session.full_clean()
    session.save()
    SessionParticipant.objects.bulk_create(
        [SessionParticipant(session=session, person=p, kind=kind) for p, kind in participants])
    # A session's participants belong to its programme (the exams app picks candidates from there).
    programme.participants.add(*[p for p, _kind in participants])
    EquipmentCheck.objects.bulk_create([EquipmentCheck(session=session, item=item) for item in EquipmentKind.values])
    changes: dict[str, Any] = {"title": title, "programme": programme, "trainer": trainer, "start_date": start_date,
                               "end_date": end_date, "venue": venue, "capacity": capacity,
                               "participants": len(participants)}
    if overridden:
        changes["notice_override_reason"] = session.notice_override_reason
    audit_record(actor=actor, action=AuditAction.CREATE, obj=session, changes=changes)
    return session


SESSION_FIELDS = ("title", "trainer", "start_date", "end_date", "day_start", "day_end", "venue", "capacity",
                  "assessment", "what_to_bring")


@transaction.atomic
def session_update(*, actor: User | None, session: ClassroomSession, participants: list[tuple[Person, str]],
                   override_reason: str = "", today: date | None = None, **fields: Any) -> ClassroomSession:
    """Change a session. Moving its start earlier is held to the same notice rule."""
    today = _today(today)
    merged = {name: fields.get(name, getattr(session, name)) for name in SESSION_FIELDS}
    _check_session_fields(start_date=merged["start_date"], end_date=merged["end_date"],
                          day_start=merged["day_start"], day_end=merged["day_end"], capacity=merged["capacity"],
                          participants=participants)
    changes = {k: [str(getattr(session, k)), str(v)] for k, v in merged.items() if getattr(session, k) != v}
    if merged["start_date"] != session.start_date and _check_notice(
            actor=actor, start_date=merged["start_date"], override_reason=override_reason, today=today):
        session.notice_override_reason = override_reason.strip()
        session.notice_override_by = actor
        changes["notice_override_reason"] = session.notice_override_reason
    for name, value in merged.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    wanted = {p.pk: kind for p, kind in participants}
    current = {e.person_id: e for e in session.enrolments.all()}
    session.enrolments.exclude(person_id__in=wanted).delete()
    for person, kind in participants:
        enrolment = current.get(person.pk)
        if enrolment is None:
            SessionParticipant.objects.create(session=session, person=person, kind=kind)
        elif enrolment.kind != kind:
            enrolment.kind = kind
            enrolment.save(update_fields=["kind"])
    if set(current) != set(wanted):
        changes["participants"] = [len(current), len(wanted)]
        session.programme.participants.add(*[p for p, _kind in participants])
    if {"start_date", "end_date"} & set(changes):
        # Blocks on days the session no longer has would never show; the trainer rebuilds the agenda.
        session.agenda.exclude(day__in=session_days(session)).delete()
    if changes:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=session, changes=changes)
    return session


@transaction.atomic
def session_cancel(*, actor: User | None, session: ClassroomSession, reason: str) -> ClassroomSession:
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the session is cancelled.")})
    session.status = SessionStatus.CANCELLED
    session.save(update_fields=["status"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session,
                 changes={"status": ["scheduled", "cancelled"], "reason": reason.strip()})
    subject = _("Cancelled: %(title)s") % {"title": session.title}
    body = _("The session “%(title)s” planned from %(start)s is cancelled. Reason: %(reason)s") % {
        "title": session.title, "start": session.start_date.isoformat(), "reason": reason.strip()}
    _notify(session=session, subject=subject, body=body)
    return session


def _notice_text(session: ClassroomSession) -> tuple[str, str]:
    days = session_days(session)
    lines = [
        _("You are expected at the classroom session “%(title)s” (programme: %(programme)s).")
        % {"title": session.title, "programme": session.programme.title},
        "",
        _("When: %(start)s to %(end)s, %(from)s–%(to)s each working day (%(days)d days).") % {
            "start": session.start_date.isoformat(), "end": session.end_date.isoformat(),
            "from": session.day_start.strftime("%H:%M"), "to": session.day_end.strftime("%H:%M"), "days": len(days)},
        _("Where: %(venue)s") % {"venue": session.venue},
        _("Trainer: %(name)s") % {"name": session.trainer.name},
        "",
        _("Agenda:"),
    ]
    blocks = list(session.agenda.all())
    if blocks:
        current = None
        for block in blocks:
            if block.day != current:
                lines.append(f"  {block.day.isoformat()}")
                current = block.day
            lines.append(f"    {block.start:%H:%M}-{block.end:%H:%M} {block.get_kind_display()}"
                         f"{' · ' + block.title if block.title else ''}")
    else:
        lines.append("  " + _("The trainer will hand out the agenda on the first day."))
    lines += ["", _("Assessment requirements:"), "  " + (session.assessment.strip() or _("none")),
              "", _("What to bring:"), "  " + (session.what_to_bring.strip() or _("nothing special"))]
    subject = _("Training notice: %(title)s, %(start)s, %(venue)s") % {
        "title": session.title, "start": session.start_date.isoformat(), "venue": session.venue}
    return subject, "\n".join(lines)


def _notify(*, session: ClassroomSession, subject: str, body: str) -> int:
    """An in-app notice to every participant and the trainer; an e-mail to those with an address."""
    recipients = [e.person for e in session.enrolments.select_related("person")]
    if session.trainer not in recipients:
        recipients.append(session.trainer)
    notices = []
    for person in recipients:
        notices.append(Notice(recipient=person, session=session, subject=subject, body=body,
                              emailed=bool(person.email)))
    Notice.objects.bulk_create(notices)
    addresses = [p.email for p in recipients if p.email]
    if addresses:
        transaction.on_commit(lambda: [send_mail(subject, body, None, [a]) for a in addresses])
    return len(notices)


@transaction.atomic
def session_send_notice(*, actor: User | None, session: ClassroomSession, today: date | None = None) -> int:
    """Send the notice (in-app and e-mail) to the participants and the trainer. Past the notice deadline
    (3 working days before the start) only a session with a recorded short-notice reason may still send."""
    today = _today(today)
    session = ClassroomSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError(_("A cancelled session sends no notice."))
    deadline = notice_deadline(session.start_date)
    if today > deadline and not session.notice_override_reason:
        raise ValidationError(_(
            "The notice had to go out by %(deadline)s (%(days)d working days before the start). Move the session, "
            "or have a training manager allow a shorter notice with a reason."
        ) % {"deadline": deadline.isoformat(), "days": NOTICE_WORKING_DAYS})
    if not session.enrolments.exists():
        raise ValidationError(_("The session has no participants yet."))
    subject, body = _notice_text(session)
    count = _notify(session=session, subject=subject, body=body)
    session.notice_sent_at = timezone.now()
    session.save(update_fields=["notice_sent_at"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session,
                 changes={"notice_sent_at": session.notice_sent_at.isoformat(timespec="seconds"),
                          "recipients": count})
    return count


@transaction.atomic
def session_allow_short_notice(*, actor: User | None, session: ClassroomSession, reason: str) -> ClassroomSession:
    if not user_has_role(actor, *OVERRIDERS):
        raise PermissionDenied(_("Only a training manager may allow a shorter notice."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the short notice.")})
    session.notice_override_reason = reason.strip()
    session.notice_override_by = actor
    session.save(update_fields=["notice_override_reason", "notice_override_by"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session,
                 changes={"notice_override_reason": session.notice_override_reason})
    return session


@transaction.atomic
def notice_mark_read(*, notice: Notice) -> Notice:
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    return notice


# ------------------------------------------------------------------------------------------- agenda


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _to_time(minutes: int) -> time:
    return time(minutes // 60, minutes % 60) if minutes < 24 * 60 else time(23, 59)


@transaction.atomic
def agenda_save(*, actor: User | None, session: ClassroomSession, blocks: list[agenda_engine.Block],
                lines: list[int] | None = None) -> list[AgendaBlock]:
    """Replace the agenda; refused with every broken rule (and its line) when it breaks any."""
    days = session_days(session)
    problems = agenda_engine.check_agenda(blocks, days=len(days), day_start=_minutes(session.day_start),
                                          day_end=_minutes(session.day_end), lines=lines)
    if problems:
        raise agenda_engine.AgendaError(problems)
    session.agenda.all().delete()
    saved = AgendaBlock.objects.bulk_create([
        AgendaBlock(session=session, day=days[b.day], start=_to_time(b.start), end=_to_time(b.end), kind=b.kind,
                    title=b.title) for b in blocks])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=session, changes={"agenda_blocks": len(saved)})
    return saved


def agenda_build(*, session: ClassroomSession, topics: list[tuple[str, int]]) -> list[agenda_engine.Block]:
    return agenda_engine.build_agenda(topics, days=len(session_days(session)),
                                      day_start=_minutes(session.day_start), day_end=_minutes(session.day_end))


def agenda_text(session: ClassroomSession) -> str:
    days = session_days(session)
    blocks = [agenda_engine.Block(days.index(b.day), _minutes(b.start), _minutes(b.end), b.kind, b.title)
              for b in session.agenda.all() if b.day in days]
    return agenda_engine.format_agenda(blocks, days)


# ------------------------------------------------------------------------------------------- classroom


@transaction.atomic
def equipment_toggle(*, actor: User | None, check: EquipmentCheck) -> EquipmentCheck:
    check.checked = not check.checked
    check.checked_by = actor if check.checked else None
    check.checked_at = timezone.now() if check.checked else None
    check.save(update_fields=["checked", "checked_by", "checked_at"])
    return check


@transaction.atomic
def material_add(*, actor: User | None, session: ClassroomSession, title: str, file) -> SessionMaterial:
    material = SessionMaterial(session=session, title=title.strip() or file.name, file=file, uploaded_by=actor)
    material.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=material, changes={"session": session.title,
                                                                               "file": file.name})
    return material


def _check_day(session: ClassroomSession, day: date) -> None:
    if day not in session_days(session):
        raise ValidationError({"day": _("%(day)s is not a day of this session.") % {"day": day.isoformat()}})


@transaction.atomic
def attendance_record(*, actor: User | None, session: ClassroomSession, day: date,
                      marks: dict[int, tuple[str, str]]) -> int:
    """Record one day's attendance: {person id: (status, reason)}; an excused absence needs a reason."""
    _check_day(session, day)
    enrolled = set(session.enrolments.values_list("person_id", flat=True))
    errors = []
    for person_id, (status, reason) in marks.items():
        if person_id not in enrolled:
            errors.append(_("Person %(id)s is not a participant of this session.") % {"id": person_id})
        elif status not in AttendanceStatus.values:
            errors.append(_("Unknown attendance “%(status)s”.") % {"status": status})
        elif status == AttendanceStatus.EXCUSED and not reason.strip():
            name = Person.objects.get(pk=person_id).name
            errors.append(_("%(name)s: an excused absence needs a reason.") % {"name": name})
    if errors:
        raise ValidationError(errors)
    for person_id, (status, reason) in marks.items():
        Attendance.objects.update_or_create(session=session, person_id=person_id, day=day,
                                            defaults={"status": status, "reason": reason.strip(),
                                                      "recorded_by": actor})
    return len(marks)


LATE_AFTER_MINUTES = 10  # signing in later than this after the daily start counts as late


@transaction.atomic
def attendance_code_for(*, session: ClassroomSession, day: date) -> AttendanceCode:
    """The day's sign-in code, made on first request: six digits, different for every session day."""
    _check_day(session, day)
    code = AttendanceCode.objects.filter(session=session, day=day).first()
    if code is None:
        code = AttendanceCode.objects.create(session=session, day=day, code=f"{secrets.randbelow(10**6):06d}")
    return code


@transaction.atomic
def attendance_sign_in(*, person: Person, session: ClassroomSession, code: str,
                       now: datetime | None = None) -> Attendance:
    """A participant signs in with the code shown in the room. The code is valid on its own day only (an
    earlier day's code has expired); signing in twice, or after the trainer recorded the day, is refused."""
    now = timezone.localtime(now or timezone.now())
    today = now.date()
    if not session.enrolments.filter(person=person).exists():
        raise PermissionDenied
    if session.status != SessionStatus.SCHEDULED:
        raise ValidationError({"code": _("The session is cancelled.")})
    if today not in session_days(session):
        raise ValidationError({"code": _("There is no class of this session today.")})
    entered = code.strip()
    current = AttendanceCode.objects.filter(session=session, day=today).first()
    if current is None or entered != current.code:
        if AttendanceCode.objects.filter(session=session, code=entered).exclude(day=today).exists():
            raise ValidationError({"code": _("This code was for an earlier day and has expired.")})
        raise ValidationError({"code": _("This is not today's code. Check the code shown in the room.")})
    existing = Attendance.objects.select_for_update().filter(session=session, person=person, day=today).first()
    if existing is not None:
        raise ValidationError({"code": _("You are already signed in for today (%(status)s).")
                               % {"status": existing.get_status_display()}})
    start = timezone.make_aware(datetime.combine(today, session.day_start), now.tzinfo)
    late = (now - start).total_seconds() > LATE_AFTER_MINUTES * 60
    return Attendance.objects.create(session=session, person=person, day=today, signed_in_at=now,
                                     status=AttendanceStatus.LATE if late else AttendanceStatus.PRESENT)


@transaction.atomic
def participation_note_add(*, actor: User | None, session: ClassroomSession, person: Person, day: date,
                           times_spoken: int, note: str) -> ParticipationNote:
    _check_day(session, day)
    if not session.enrolments.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not a participant of the session.")})
    return ParticipationNote.objects.create(session=session, person=person, day=day, times_spoken=times_spoken,
                                            note=note.strip(), author=actor)


GROUP_SIZE = (3, 5)


@transaction.atomic
def group_exercise_add(*, actor: User | None, session: ClassroomSession, day: date, task: str,
                       members: list[Person], remarks: str = "") -> GroupExercise:
    _check_day(session, day)
    low, high = GROUP_SIZE
    if not low <= len(members) <= high:
        raise ValidationError({"members": _("A group has %(low)d to %(high)d participants; %(count)d chosen.")
                               % {"low": low, "high": high, "count": len(members)}})
    enrolled = set(session.enrolments.values_list("person_id", flat=True))
    strangers = [p.name for p in members if p.pk not in enrolled]
    if strangers:
        raise ValidationError({"members": _("Not participants of this session: %(names)s")
                               % {"names": ", ".join(strangers)}})
    exercise = GroupExercise.objects.create(session=session, day=day, task=task.strip(), remarks=remarks.strip(),
                                            author=actor if actor and actor.is_authenticated else None)
    exercise.members.set(members)
    return exercise


@transaction.atomic
def coaching_task_assign(*, actor: User | None, session: ClassroomSession, person: Person, reason: str, task: str,
                         due_on: date, today: date | None = None) -> CoachingTask:
    """Flag a participant as falling behind with a remedial coaching task; they (and their current mentor)
    are told in-app."""
    if not session.enrolments.filter(person=person).exists():
        raise ValidationError({"person": _("This person is not a participant of the session.")})
    if due_on < _today(today):
        raise ValidationError({"due_on": _("The due date has passed already.")})
    coaching = CoachingTask.objects.create(session=session, person=person, reason=reason.strip(), task=task.strip(),
                                           due_on=due_on, assigned_by=actor if actor and actor.is_authenticated
                                           else None)
    subject = _("Coaching task: %(session)s") % {"session": session.title}
    body = _("%(name)s, a remedial coaching task from the session “%(session)s”, due %(due)s:\n%(task)s\n\n"
             "Why: %(reason)s") % {"name": person.name, "session": session.title, "due": due_on.isoformat(),
                                   "task": coaching.task, "reason": coaching.reason}
    recipients = [person]
    mentor = MentorAssignment.objects.filter(mentee=person, ended_on__isnull=True).select_related("mentor").first()
    if mentor is not None:
        recipients.append(mentor.mentor)
    Notice.objects.bulk_create([Notice(recipient=r, session=session, subject=subject, body=body) for r in recipients])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=coaching,
                 changes={"person": person, "session": session.title, "due_on": due_on})
    return coaching


@transaction.atomic
def coaching_task_done(*, actor: User | None, coaching: CoachingTask, outcome: str) -> CoachingTask:
    if not outcome.strip():
        raise ValidationError({"outcome": _("Note how the coaching went.")})
    coaching.done_at = timezone.now()
    coaching.outcome = outcome.strip()
    coaching.save(update_fields=["done_at", "outcome"])
    return coaching


@transaction.atomic
def feedback_submit(*, person: Person, session: ClassroomSession, day: date, content_rating: int,
                    pace_rating: int, relevance_rating: int, comment: str = "",
                    today: date | None = None) -> DailyFeedback:
    _check_day(session, day)
    if day > _today(today):
        raise ValidationError({"day": _("Feedback on a day that has not happened yet is not possible.")})
    if not session.enrolments.filter(person=person).exists():
        raise PermissionDenied
    for field, value in (("content_rating", content_rating), ("pace_rating", pace_rating),
                         ("relevance_rating", relevance_rating)):
        if not 1 <= value <= 5:
            raise ValidationError({field: _("Give a rating from 1 to 5.")})
    if DailyFeedback.objects.filter(session=session, person=person, day=day).exists():
        raise ValidationError({"day": _("You have already given feedback on %(day)s.") % {"day": day.isoformat()}})
    return DailyFeedback.objects.create(session=session, person=person, day=day, content_rating=content_rating,
                                        pace_rating=pace_rating, relevance_rating=relevance_rating,
                                        comment=comment.strip())


# ------------------------------------------------------------------------------------------- onboarding


@transaction.atomic
def onboarding_template_save(*, actor: User | None, name: str, description: str, text: str,
                             template: OnboardingTemplate | None = None) -> OnboardingTemplate:
    """Create or replace a template from its text (see ``parse_template_text``)."""
    goals = parse_template_text(text)
    created = template is None
    if created:
        template = OnboardingTemplate(name=name, description=description)
    else:
        template.name, template.description = name, description
    template.full_clean()
    template.save()
    template.goals.all().delete()
    for week, title, tasks in goals:
        goal = TemplateGoal.objects.create(template=template, week=week, title=title)
        TemplateTask.objects.bulk_create([
            TemplateTask(goal=goal, kind=k, title=t, lesson=_lesson_titled(t) if k == TaskKind.LESSON else None)
            for k, t in tasks])
    audit_record(actor=actor, action=AuditAction.CREATE if created else AuditAction.UPDATE, obj=template,
                 changes={"name": name, "goals": len(goals)})
    return template


def parse_template_text(text: str) -> list[tuple[int, str, list[tuple[str, str]]]]:
    """Weekly goals and their tasks, one a line::

        week 1: Learn the process and tools
        - task: Read the service process handbook
        - lesson: Ticketing system basics
        - check: Process quiz passed

    Raises ValidationError naming each line it cannot read.
    """
    goals: list[tuple[int, str, list[tuple[str, str]]]] = []
    errors = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        head, sep, rest = line.partition(":")
        head_words = head.lower().split()
        if sep and len(head_words) == 2 and head_words[0] in ("week", "第", "周") and head_words[1].isdigit():
            week = int(head_words[1])
            if not rest.strip():
                errors.append(_("Line %(line)d: the goal of week %(week)d has no title.") % {"line": number,
                                                                                          "week": week})
            elif goals and week <= goals[-1][0]:
                errors.append(_("Line %(line)d: week %(week)d comes after week %(previous)d; weeks go up.")
                              % {"line": number, "week": week, "previous": goals[-1][0]})
            elif week < 1:
                errors.append(_("Line %(line)d: weeks start at 1.") % {"line": number})
            else:
                goals.append((week, rest.strip(), []))
            continue
        if line.startswith("-") and sep:
            kind = head.lstrip("-").strip().lower()
            if kind not in TaskKind.values:
                errors.append(_("Line %(line)d: “%(kind)s” is not a task kind (task, lesson or check).")
                              % {"line": number, "kind": kind})
            elif not rest.strip():
                errors.append(_("Line %(line)d: the task has no title.") % {"line": number})
            elif not goals:
                errors.append(_("Line %(line)d: a task before the first week's goal.") % {"line": number})
            else:
                goals[-1][2].append((kind, rest.strip()))
            continue
        errors.append(_("Line %(line)d: cannot read “%(text)s” (expected “week N: goal” or “- task: title”).")
                      % {"line": number, "text": line})
    if not errors and not goals:
        errors.append(_("Give at least one weekly goal."))
    if errors:
        raise ValidationError({"text": errors})
    return goals


def _lesson_titled(title: str):
    """The training app's lesson of exactly this title, if there is exactly one."""
    from servicecoach.training.models import Lesson

    lessons = list(Lesson.objects.filter(title=title)[:2])
    return lessons[0] if len(lessons) == 1 else None


def template_text(template: OnboardingTemplate) -> str:
    lines = []
    for goal in template.goals.prefetch_related("tasks"):
        lines.append(f"week {goal.week}: {goal.title}")
        lines += [f"- {task.kind}: {task.title}" for task in goal.tasks.all()]
    return "\n".join(lines)


def goal_dates(start_date: date, week: int) -> tuple[date, date]:
    """Week N of a plan: its first and last working day, counting 5 working days a week from the start
    (the start itself counts when it is a working day)."""
    cal = calendar.get_calendar()
    first = start_date if cal.is_working_day(start_date) else cal.add_working_days(start_date, 1)
    starts = cal.add_working_days(first, 5 * (week - 1)) if week > 1 else first
    return starts, cal.add_working_days(starts, 4)


@transaction.atomic
def onboarding_start(*, actor: User | None, template: OnboardingTemplate, person: Person,
                     start_date: date) -> OnboardingPlan:
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError({"person": _("%(name)s has left; no plan can start.") % {"name": person.name}})
    if OnboardingPlan.objects.filter(person=person, template=template).exists():
        raise ValidationError({"person": _("%(name)s is already on this plan.") % {"name": person.name}})
    plan = OnboardingPlan.objects.create(template=template, person=person, start_date=start_date,
                                         started_by=actor if actor and actor.is_authenticated else None)
    for goal in template.goals.prefetch_related("tasks"):
        starts, due = goal_dates(start_date, goal.week)
        plan_goal = PlanGoal.objects.create(plan=plan, week=goal.week, title=goal.title, starts_on=starts, due_on=due)
        PlanTask.objects.bulk_create([PlanTask(goal=plan_goal, kind=t.kind, title=t.title, lesson_id=t.lesson_id)
                                 for t in goal.tasks.all()])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=plan,
                 changes={"person": person, "template": template, "start_date": start_date})
    return plan


@transaction.atomic
def plan_task_tick(*, actor: User | None, task: PlanTask, done: bool, evidence: str = "",
                   result: str = "") -> PlanTask:
    """Tick a task off (or undo it). A check needs its result (passed or failed) when ticked."""
    if done and task.kind == TaskKind.CHECK and result not in CheckResult.values:
        raise ValidationError({"result": _("Say whether the check was passed or failed.")})
    if done and not evidence.strip() and task.kind != TaskKind.LESSON:
        raise ValidationError({"evidence": _("Note what shows the task is done.")})
    task.done_at = timezone.now() if done else None
    task.done_by = actor if done else None
    task.evidence = evidence.strip() if done else task.evidence
    task.result = result if done and task.kind == TaskKind.CHECK else ""
    task.save(update_fields=["done_at", "done_by", "evidence", "result"])
    return task


# ------------------------------------------------------------------------------------------- mentoring


@transaction.atomic
def certification_request(*, actor: User | None, person: Person, criteria_met: list[str],
                          note: str = "") -> MentorCertification:
    unknown = set(criteria_met) - set(MENTOR_CRITERIA)
    if unknown:
        raise ValidationError({"criteria_met": _("Unknown criteria: %(names)s") % {"names": ", ".join(sorted(unknown))}})
    if MentorCertification.objects.filter(person=person, status=CertificationStatus.PENDING).exists():
        raise ValidationError({"person": _("%(name)s already waits for a decision.") % {"name": person.name}})
    cert = MentorCertification.objects.create(person=person, criteria_met=sorted(criteria_met), note=note.strip(),
                                              requested_by=actor if actor and actor.is_authenticated else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=cert, changes={"criteria_met": cert.criteria_met})
    return cert


@transaction.atomic
def certification_decide(*, actor: User | None, certification: MentorCertification, approve: bool,
                         note: str = "") -> MentorCertification:
    """A training manager approves (every criterion must be met) or rejects (with a note); audited."""
    if not user_has_role(actor, *OVERRIDERS):
        raise PermissionDenied(_("Only a training manager may certify mentors."))
    if certification.status != CertificationStatus.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if approve and set(certification.criteria_met) != set(MENTOR_CRITERIA):
        missing = [str(MENTOR_CRITERIA[k]) for k in MENTOR_CRITERIA if k not in certification.criteria_met]
        raise ValidationError(_("Not every criterion is met: %(missing)s") % {"missing": "; ".join(missing)})
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the request is rejected.")})
    certification.status = CertificationStatus.APPROVED if approve else CertificationStatus.REJECTED
    certification.decided_by = actor
    certification.decided_at = timezone.now()
    if note.strip():
        certification.note = (certification.note + "\n" + note.strip()).strip()
    certification.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=certification,
                 changes={"status": ["pending", certification.status], "note": note.strip()})
    if approve and not certification.person.roles.filter(role=Role.MENTOR).exists():
        role_grant(actor=actor, person=certification.person, role=Role.MENTOR)
    return certification


@transaction.atomic
def mentor_assign(*, actor: User | None, mentor: Person, mentee: Person, start_date: date,
                  probation_end: date) -> MentorAssignment:
    if not is_certified_mentor(mentor):
        raise ValidationError({"mentor": _("%(name)s is not a certified mentor.") % {"name": mentor.name}})
    if mentor.pk == mentee.pk:
        raise ValidationError({"mentee": _("A mentor cannot mentor themselves.")})
    if probation_end <= start_date:
        raise ValidationError({"probation_end": _("Probation must end after the start date.")})
    current = MentorAssignment.objects.filter(mentee=mentee, ended_on__isnull=True).first()
    if current is not None:
        raise ValidationError({"mentee": _("%(name)s already has a mentor: %(mentor)s.")
                               % {"name": mentee.name, "mentor": current.mentor.name}})
    assignment = MentorAssignment.objects.create(mentor=mentor, mentee=mentee, start_date=start_date,
                                                 probation_end=probation_end)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=assignment,
                 changes={"mentor": mentor, "mentee": mentee, "probation_end": probation_end})
    return assignment


@transaction.atomic
def mentor_assignment_end(*, actor: User | None, assignment: MentorAssignment, ended_on: date) -> MentorAssignment:
    if ended_on < assignment.start_date:
        raise ValidationError({"ended_on": _("The end is before the start of the mentoring.")})
    assignment.ended_on = ended_on
    assignment.save(update_fields=["ended_on"])
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=assignment, changes={"ended_on": ended_on})
    return assignment


@transaction.atomic
def one_on_one_log(*, actor: User | None, assignment: MentorAssignment, met_on: date, questions: str,
                   advice: str, next_steps: str) -> OneOnOne:
    if met_on < assignment.start_date:
        raise ValidationError({"met_on": _("The meeting is before the mentoring started.")})
    return OneOnOne.objects.create(assignment=assignment, met_on=met_on, questions=questions.strip(),
                                   advice=advice.strip(), next_steps=next_steps.strip(), author=actor)


@transaction.atomic
def shadowing_log(*, actor: User | None, assignment: MentorAssignment, observed_on: date,
                  senior: Person | None, observed: str, learned: str) -> ShadowingNote:
    if observed_on < assignment.start_date:
        raise ValidationError({"observed_on": _("The shadowing is before the mentoring started.")})
    return ShadowingNote.objects.create(assignment=assignment, observed_on=observed_on, senior=senior,
                                        observed=observed.strip(), learned=learned.strip(), author=actor)


# ------------------------------------------------------------------------------------------- needs


def parse_skills(text: str) -> list[str]:
    skills = []
    for line in text.splitlines():
        skill = line.strip()
        if skill and skill not in skills:
            skills.append(skill)
    if not skills:
        raise ValidationError({"skills": _("List at least one skill, one a line.")})
    return skills


@transaction.atomic
def survey_create(*, actor: User | None, title: str, unit: OrgUnit, skills: list[str],
                  closes_on: date) -> NeedsSurvey:
    survey = NeedsSurvey(title=title, unit=unit, skills=skills, closes_on=closes_on,
                         created_by=actor if actor and actor.is_authenticated else None)
    survey.full_clean()
    survey.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=survey,
                 changes={"title": title, "unit": unit, "skills": len(skills)})
    # Sent to the unit: everyone in it (and below) is asked for a self-assessment.
    subject = _("Training needs survey: %(title)s") % {"title": title}
    body = _("Please rate how much training you need in each skill of “%(title)s” by %(date)s.") % {
        "title": title, "date": closes_on.isoformat()}
    url = reverse("programmes:survey-detail", args=[survey.pk])
    people = Person.objects.filter(unit__path__startswith=unit.path, status=PersonStatus.ACTIVE)
    Notice.objects.bulk_create([Notice(recipient=p, subject=subject, body=body, url=url) for p in people])
    return survey


@transaction.atomic
def survey_answer(*, actor: User | None, survey: NeedsSurvey, source: str, ratings: dict[str, int],
                  comment: str = "", respondent: Person | None = None, today: date | None = None) -> NeedsResponse:
    """Record (or replace) one answer: a person's self-assessment, or a supervisor's input. ``respondent``
    (for loads on someone's behalf) defaults to the person of ``actor``."""
    if _today(today) > survey.closes_on:
        raise ValidationError(_("The survey closed on %(date)s.") % {"date": survey.closes_on.isoformat()})
    if source not in NeedsSource.values:
        raise ValidationError({"source": _("Unknown source.")})
    person = None if source == NeedsSource.QA else respondent or person_for_user(actor)
    if source == NeedsSource.SUPERVISOR:
        allowed = (person is not None and person.roles.filter(role=Role.SUPERVISOR).exists()) if respondent \
            else user_has_role(actor, Role.SUPERVISOR, *OVERRIDERS)
        if not allowed:
            raise PermissionDenied
    missing = [s for s in survey.skills if s not in ratings]
    bad = [s for s, v in ratings.items() if s not in survey.skills or not 1 <= int(v) <= 5]
    if missing or bad:
        raise ValidationError(_("Rate every skill from 1 to 5 (missing or wrong: %(skills)s).")
                              % {"skills": ", ".join(missing + bad)})
    response, _created = NeedsResponse.objects.update_or_create(
        survey=survey, respondent=person, source=source,
        defaults={"ratings": {s: int(v) for s, v in ratings.items()}, "comment": comment.strip()})
    return response


def _add_weak_points(*, actor: User | None, survey: NeedsSurvey, weak: list[dict], key: str,
                     source: str, comment: str, audit_key: str) -> NeedsResponse:
    """The weak points ``weak`` (rows with ``key``, ``loss`` and what ``comment`` names) become skills of the
    survey (if not there yet) and one answer of ``source`` rates them 1–5 from the share of points lost."""
    survey.skills = survey.skills + [row[key] for row in weak if row[key] not in survey.skills]
    survey.save(update_fields=["skills"])
    ratings = {row[key]: min(5, 1 + round(4 * row["loss"])) for row in weak}
    response, _created = NeedsResponse.objects.update_or_create(
        survey=survey, respondent=None, source=source,
        defaults={"ratings": ratings, "comment": "; ".join(comment.format(**row) for row in weak)})
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=survey, changes={audit_key: ratings})
    return response


@transaction.atomic
def survey_add_qa_input(*, actor: User | None, survey: NeedsSurvey) -> NeedsResponse:
    """Add what the QA data shows: the unit's weakest scorecard items become skills of the survey (if not
    there yet) and one "QA weak points" answer rates them 1–5 from the share of points lost."""
    weak = qa_weak_points(survey.unit)
    if not weak:
        raise ValidationError(_("No automatic QA results for %(unit)s in the last %(days)d days.")
                              % {"unit": survey.unit.name, "days": QA_LOOKBACK_DAYS})
    weak = [row | {"percent": round(100 * row["loss"])} for row in weak]
    return _add_weak_points(actor=actor, survey=survey, weak=weak, key="item", source=NeedsSource.QA,
                            comment="{item}: {percent}% ({conversations})", audit_key="qa_input")


@transaction.atomic
def survey_add_exam_input(*, actor: User | None, survey: NeedsSurvey) -> NeedsResponse:
    """Add what the exams show: the unit's lowest exam topics become skills of the survey (if not there yet)
    and one "Low exam topics" answer rates them 1–5 from the share of points lost."""
    weak = exam_weak_topics(survey.unit)
    if not weak:
        raise ValidationError(_("No marked exam answers with lost points for %(unit)s in the last %(days)d days.")
                              % {"unit": survey.unit.name, "days": EXAM_LOOKBACK_DAYS})
    weak = [row | {"percent": round(100 * row["rate"])} for row in weak]
    return _add_weak_points(actor=actor, survey=survey, weak=weak, key="topic", source=NeedsSource.EXAM,
                            comment="{topic}: {percent}% ({answers})", audit_key="exam_input")


@transaction.atomic
def programme_from_needs(*, actor: User | None, survey: NeedsSurvey, skills: list[str], start_date: date,
                         end_date: date, kind: str = "specialist") -> Programme:
    """Seed a programme from the top needs of a survey: participants are the active people of its unit."""
    if not skills:
        raise ValidationError({"skills": _("Pick at least one skill.")})
    report = {row["skill"]: row for row in needs_report(survey)}
    description = "\n".join(
        f"{report[s]['rank']}. {s} ({report[s]['score']})" for s in skills if s in report)
    people = list(Person.objects.filter(unit__path__startswith=survey.unit.path, status=PersonStatus.ACTIVE))
    title = _("%(unit)s: %(skills)s") % {"unit": survey.unit.name, "skills": ", ".join(skills)}
    intro = _("From the needs survey “%(title)s”:") % {"title": survey.title}
    return programme_create(actor=actor, title=title[:200], kind=kind, start_date=start_date, end_date=end_date,
                            owner=person_for_user(actor), description=f"{intro}\n{description}", participants=people)



NEW_HIRE_DAYS = 90  # people hired this recently join a session made from needs as new hires, the others re-train


def _needs_description(survey: NeedsSurvey, skills: list[str]) -> str:
    report = {row["skill"]: row for row in needs_report(survey)}
    lines = "\n".join(f"{report[s]['rank']}. {s} ({report[s]['score']})" for s in skills if s in report)
    intro = _("From the needs survey “%(title)s”:") % {"title": survey.title}
    return f"{intro}\n{lines}"


def _check_skills(survey: NeedsSurvey, skills: list[str]) -> None:
    if not skills:
        raise ValidationError({"skills": _("Pick at least one skill.")})
    unknown = [s for s in skills if s not in survey.skills]
    if unknown:
        raise ValidationError({"skills": _("Not a skill of this survey: %(skills)s.") % {"skills": ", ".join(unknown)}})


@transaction.atomic
def path_from_needs(*, actor: User | None, survey: NeedsSurvey, skills: list[str], code: str, title: str,
                    courses: list, due_days: int = 30, in_order: bool = True, enrol_unit: bool = False):
    """A learning path (training app) for the chosen needs in one step: the courses in the order given (each
    requiring the one before when ``in_order``), and, if asked, every active person of the survey's unit
    enrolled. All or nothing. Returns ``(path, people enrolled)``."""
    from servicecoach.training import services as training_services

    _check_skills(survey, skills)
    if not courses:
        raise ValidationError({"courses": _("Pick at least one course.")})
    path = training_services.path_create(actor=actor, code=code, title=title, due_days=due_days,
                                         description=_needs_description(survey, skills))
    previous = None
    for course in courses:
        training_services.path_course_add(actor=actor, path=path, course=course,
                                          prerequisites=[previous] if in_order and previous else [])
        previous = course
    enrolled = training_services.enrol_unit(actor=actor, path=path, unit=survey.unit) if enrol_unit else 0
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=survey,
                 changes={"learning_path": path.code, "skills": skills, "enrolled": enrolled})
    return path, enrolled


@transaction.atomic
def session_from_needs(*, actor: User | None, survey: NeedsSurvey, skills: list[str], title: str, trainer: Person,
                       start_date: date, end_date: date, day_start: time, day_end: time, venue: str, capacity: int,
                       kind: str = "specialist", override_reason: str = "",
                       today: date | None = None) -> ClassroomSession:
    """A classroom session for the chosen needs in one step: its programme (seeded as ``programme_from_needs``
    does, over the session's dates) and the session, with the survey unit's active people as participants
    (hired in the last 90 days: new hires; the others: re-trainees). The notice rule and capacity apply as
    for any session; if the session is refused, no programme is left behind."""
    _check_skills(survey, skills)
    today = _today(today)
    programme = programme_from_needs(actor=actor, survey=survey, skills=skills, start_date=start_date,
                                     end_date=end_date, kind=kind)
    recent = today.toordinal() - NEW_HIRE_DAYS
    people = Person.objects.filter(unit__path__startswith=survey.unit.path, status=PersonStatus.ACTIVE).order_by(
        "employee_no")
    participants = [(p, "new_hire" if p.hire_date and p.hire_date.toordinal() >= recent else "retrainee")
                    for p in people]
    return session_schedule(actor=actor, programme=programme, title=title, trainer=trainer, start_date=start_date,
                            end_date=end_date, day_start=day_start, day_end=day_end, venue=venue, capacity=capacity,
                            participants=participants, override_reason=override_reason, today=today)
