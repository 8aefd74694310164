"""Pages of programmes, classroom sessions and notices. Thin: scope through programmes.selectors,
write through programmes.services, render."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors
from servicecoach.core.permissions import role_required
from servicecoach.org import calendar
from servicecoach.org.models import Role
from servicecoach.org.selectors import person_for_user
from servicecoach.programmes import qr, selectors, services
from servicecoach.programmes.agenda import AgendaError, parse_agenda, parse_topics
from servicecoach.programmes.forms import (
    AgendaTextForm,
    AgendaTopicsForm,
    AttendanceDayForm,
    CoachingTaskForm,
    FeedbackForm,
    GroupExerciseForm,
    MaterialForm,
    OutcomeForm,
    ParticipationNoteForm,
    ProgrammeForm,
    ReasonForm,
    SessionForm,
    SignInForm,
)
from servicecoach.programmes.models import Attendance, CoachingTask, EquipmentCheck, Notice, SessionMaterial
from servicecoach.training.models import Course

STAFF = (Role.ADMIN, Role.TRAINING_MANAGER)

AGENDA_MESSAGES = {
    "ends_before_start": gettext_lazy("the block ends before it starts"),
    "outside_day": gettext_lazy("the block is outside the day (%(start)s–%(end)s)"),
    "teaching_too_long": gettext_lazy("a teaching block of %(minutes)d minutes; at most %(max)d"),
    "not_a_session_day": gettext_lazy("not a day of this session"),
    "overlap": gettext_lazy("the block at %(start)s overlaps the one before"),
    "break_missing": gettext_lazy("two teaching blocks need a break of at least %(minutes)d minutes between them"),
    "wrap_up_missing": gettext_lazy("day %(day)d needs a %(minutes)d-minute wrap-up ending at %(end)s"),
    "opening_missing": gettext_lazy("the first day needs a %(minutes)d-minute opening"),
    "bad_date": gettext_lazy("“%(text)s” is not a date"),
    "unreadable": gettext_lazy("cannot read “%(text)s”"),
    "bad_time": gettext_lazy("a time in “%(text)s” does not exist"),
    "bad_kind": gettext_lazy("“%(kind)s” is not a kind of block (%(kinds)s)"),
    "no_day": gettext_lazy("a block before the first date line"),
    "bad_topic": gettext_lazy("“%(text)s” is not “title | minutes”"),
    "no_topics": gettext_lazy("give at least one topic"),
    "too_long": gettext_lazy("the topics do not fit the session's days: %(missing)d minutes left over"),
    "day_too_short": gettext_lazy("the day is too short for an opening, a teaching block and the wrap-up"),
}


def agenda_error_messages(error: AgendaError) -> list[str]:
    out = []
    for line, code, params in error.problems:
        text = str(AGENDA_MESSAGES.get(code, code)) % params
        out.append(_("Line %(line)d: %(problem)s") % {"line": line, "problem": text} if line else text)
    return out


def _session_or_404(user, pk: int):
    session = selectors.sessions_visible_to(user).filter(pk=pk).first()
    if session is None:
        raise Http404
    return session


def _managed_session_or_404(user, pk: int):
    session = _session_or_404(user, pk)
    if not selectors.can_manage_session(user, session):
        raise PermissionDenied
    return session


# ------------------------------------------------------------------------------------------- programmes


@login_required
def programme_list(request):
    return render(request, "programmes/programme_list.html", {
        "programmes": selectors.programmes_visible_to(request.user).order_by("-start_date", "-id"),
        "can_create": selectors.is_training_staff(request.user),
    })


@role_required(*STAFF)
def programme_create(request):
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Programme “%(title)s” created.") % {"title": programme.title})
            return redirect("programmes:programme-detail", pk=programme.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("New programme"), "cancel": reverse("programmes:programme-list"),
        "crumbs": [(reverse("programmes:programme-list"), _("Programmes"))]})


@login_required
def programme_detail(request, pk: int):
    programme = selectors.programmes_visible_to(request.user).filter(pk=pk).first()
    if programme is None:
        raise Http404
    return render(request, "programmes/programme_detail.html", {
        "programme": programme,
        "sessions": selectors.sessions_visible_to(request.user).filter(programme=programme),
        "participants": selectors.programme_participants_for(request.user, programme),
        "can_edit": selectors.is_training_staff(request.user),
    })


@role_required(*STAFF)
def programme_update(request, pk: int):
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=pk)
    initial = {f: getattr(programme, f) for f in ("title", "kind", "start_date", "end_date", "owner", "description")}
    initial["participants"] = list(programme.participants.all())
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        participants = list(data.pop("participants"))
        try:
            services.programme_update(actor=request.user, programme=programme, participants=participants, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Programme saved."))
            return redirect("programmes:programme-detail", pk=programme.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Edit programme"), "cancel": reverse("programmes:programme-detail", args=[pk]),
        "crumbs": [(reverse("programmes:programme-list"), _("Programmes")),
                   (reverse("programmes:programme-detail", args=[pk]), programme.title)]})


# ------------------------------------------------------------------------------------------- sessions


@login_required
def session_list(request):
    upcoming = request.GET.get("upcoming") == "1"
    return render(request, "programmes/session_list.html", {
        "sessions": selectors.session_list(user=request.user, upcoming_only=upcoming), "upcoming": upcoming,
        "can_create": selectors.is_training_staff(request.user),
    })


@role_required(*STAFF)
def session_create(request, programme_pk: int):
    programme = get_object_or_404(selectors.programmes_visible_to(request.user), pk=programme_pk)
    today = timezone.localdate()
    earliest = selectors.earliest_start(today)
    form = SessionForm(request.POST or None, initial={"start_date": earliest, "end_date": earliest,
                                                      "day_start": "09:00", "day_end": "17:30"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        participants = form.participants()
        for name in ("new_hires", "retrainees"):
            data.pop(name)
        try:
            session = services.session_schedule(actor=request.user, programme=programme,
                                                participants=participants, today=today, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("override_reason", str(error))
        else:
            messages.success(request, _("Session “%(title)s” scheduled. Build its agenda, then send the notice.")
                             % {"title": session.title})
            return redirect("programmes:session-detail", pk=session.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Schedule a session"),
        "intro": _("Announced today, a session can start on %(date)s at the earliest (3 working days' notice).")
        % {"date": selectors.earliest_start(today).isoformat()},
        "cancel": reverse("programmes:programme-detail", args=[programme.pk]),
        "crumbs": [(reverse("programmes:programme-list"), _("Programmes")),
                   (reverse("programmes:programme-detail", args=[programme.pk]), programme.title)]})


@role_required(*STAFF)
def session_update(request, pk: int):
    session = _session_or_404(request.user, pk)
    enrolments = list(session.enrolments.select_related("person"))
    initial = {f: getattr(session, f) for f in services.SESSION_FIELDS}
    initial["new_hires"] = [e.person for e in enrolments if e.kind == "new_hire"]
    initial["retrainees"] = [e.person for e in enrolments if e.kind == "retrainee"]
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        participants = form.participants()
        for name in ("new_hires", "retrainees"):
            data.pop(name)
        try:
            services.session_update(actor=request.user, session=session, participants=participants, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("override_reason", str(error))
        else:
            messages.success(request, _("Session saved."))
            return redirect("programmes:session-detail", pk=session.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Edit session"), "cancel": reverse("programmes:session-detail", args=[pk]),
        "crumbs": [(reverse("programmes:session-list"), _("Classroom sessions")),
                   (reverse("programmes:session-detail", args=[pk]), session.title)]})


@login_required
def session_detail(request, pk: int):
    session = _session_or_404(request.user, pk)
    manage = selectors.can_manage_session(request.user, session)
    person = person_for_user(request.user)
    participant = selectors.is_participant(request.user, session)
    today = timezone.localdate()
    context = {
        "session": session,
        "days": selectors.session_days(session),
        "agenda": list(session.agenda.all()),
        "enrolments": selectors.session_enrolments_for(request.user, session),
        "enrolled": session.enrolments.count(),
        "equipment": session.equipment.all(),
        "materials": session.materials.all() if selectors.can_get_materials(request.user, session) else None,
        "manage": manage,
        "staff": selectors.is_training_staff(request.user),
        "participant": participant,
        "notice_deadline": selectors.notice_deadline(session.start_date),
        "notice_late": today > selectors.notice_deadline(session.start_date),
        "material_form": MaterialForm() if manage else None,
        "reason_form": ReasonForm(),
        "my_feedback": session.feedback.filter(person=person) if participant else None,
        "class_today": today in selectors.session_days(session) and session.status == "scheduled",
        "coaching": [c for c in session.coaching_tasks.select_related("person")
                     if manage or c.person_id == getattr(person, "pk", None)],
        "outcome_form": OutcomeForm(),
    }
    return render(request, "programmes/session_detail.html", context)


@role_required(*STAFF)
@require_POST
def session_send_notice(request, pk: int):
    session = _session_or_404(request.user, pk)
    try:
        count = services.session_send_notice(actor=request.user, session=session)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Notice sent to %(count)d people.") % {"count": count})
    return redirect("programmes:session-detail", pk=pk)


@role_required(*STAFF)
@require_POST
def session_short_notice(request, pk: int):
    session = _session_or_404(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.session_allow_short_notice(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        messages.success(request, _("Short notice allowed; the reason is recorded."))
    else:
        messages.error(request, _("Give the reason for the short notice."))
    return redirect("programmes:session-detail", pk=pk)


@role_required(*STAFF)
@require_POST
def session_cancel(request, pk: int):
    session = _session_or_404(request.user, pk)
    form = ReasonForm(request.POST)
    if form.is_valid():
        services.session_cancel(actor=request.user, session=session, reason=form.cleaned_data["reason"])
        messages.success(request, _("Session cancelled; participants are told."))
    else:
        messages.error(request, _("Say why the session is cancelled."))
    return redirect("programmes:session-detail", pk=pk)


@login_required
def session_agenda(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    days = selectors.session_days(session)
    courses = Course.objects.filter(published=True).order_by("code")
    course = courses.filter(pk=request.GET["course"]).first() if request.GET.get("course", "").isdigit() else None
    topics_form = AgendaTopicsForm(prefix="build", initial={"topics": selectors.course_topics(course)} if course
                                   else None)
    text_form = AgendaTextForm(prefix="edit", initial={"text": services.agenda_text(session)})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "build":
                topics_form = AgendaTopicsForm(request.POST, prefix="build")
                if topics_form.is_valid():
                    blocks = services.agenda_build(session=session, topics=parse_topics(topics_form.cleaned_data["topics"]))
                    services.agenda_save(actor=request.user, session=session, blocks=blocks)
                    messages.success(request, _("Agenda built: %(count)d blocks.") % {"count": len(blocks)})
                    return redirect("programmes:session-agenda", pk=pk)
            else:
                text_form = AgendaTextForm(request.POST, prefix="edit")
                if text_form.is_valid():
                    blocks, lines = parse_agenda(text_form.cleaned_data["text"], days)
                    services.agenda_save(actor=request.user, session=session, blocks=blocks, lines=lines)
                    messages.success(request, _("Agenda saved."))
                    return redirect("programmes:session-agenda", pk=pk)
        except AgendaError as error:
            form = topics_form if request.POST.get("action") == "build" else text_form
            for text in agenda_error_messages(error):
                form.add_error(None, text)
    return render(request, "programmes/session_agenda.html", {
        "session": session, "topics_form": topics_form, "text_form": text_form, "agenda": list(session.agenda.all()),
        "courses": courses, "course": course,
    })


@login_required
@require_POST
def equipment_toggle(request, pk: int, check_pk: int):
    session = _managed_session_or_404(request.user, pk)
    check = get_object_or_404(EquipmentCheck, pk=check_pk, session=session)
    services.equipment_toggle(actor=request.user, check=check)
    if request.htmx:
        return render(request, "programmes/equipment_item.html", {"check": check, "session": session, "manage": True})
    return redirect("programmes:session-detail", pk=pk)


@login_required
@require_POST
def material_upload(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        services.material_add(actor=request.user, session=session, title=form.cleaned_data["title"],
                              file=form.cleaned_data["file"])
        messages.success(request, _("Material added."))
    else:
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, text)
    return redirect("programmes:session-detail", pk=pk)


@login_required
def material_download(request, pk: int, material_pk: int):
    session = _session_or_404(request.user, pk)
    if not selectors.can_get_materials(request.user, session):
        raise Http404
    material = get_object_or_404(SessionMaterial, pk=material_pk, session=session)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])


def _parse_day(value: str | None, days: list[date], default: date) -> date:
    try:
        day = date.fromisoformat(value or "")
    except ValueError:
        return default
    return day if day in days else default


@login_required
def session_attendance(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    days = selectors.session_days(session)
    today = timezone.localdate()
    default = today if today in days else days[0]
    day = _parse_day(request.POST.get("day") or request.GET.get("day"), days, default)
    enrolments = list(session.enrolments.select_related("person"))
    marks = {a.person_id: a for a in Attendance.objects.filter(session=session, day=day)}
    form = AttendanceDayForm(request.POST or None, enrolments=enrolments, initial_marks=marks)
    note_form = ParticipationNoteForm(session=session, initial={"day": day})
    if request.method == "POST" and form.is_valid():
        try:
            count = services.attendance_record(actor=request.user, session=session, day=day, marks=form.marks())
        except ValidationError as error:
            for text in error.messages:
                form.add_error(None, text)
        else:
            messages.success(request, _("Attendance of %(day)s saved (%(count)d people).")
                             % {"day": day.isoformat(), "count": count})
            return redirect(f"{reverse('programmes:session-attendance', args=[pk])}?day={day.isoformat()}")
    return render(request, "programmes/session_attendance.html", {
        "session": session, "days": days, "day": day, "form": form, "grid": selectors.attendance_grid(session),
        "note_form": note_form, "notes": session.participation_notes.select_related("person"),
        "group_form": GroupExerciseForm(session=session, initial={"day": day}),
        "groups": session.group_exercises.prefetch_related("members"),
        "coaching_form": CoachingTaskForm(session=session, initial={"due_on": calendar.add_working_days(day, 3)}),
        "coaching": session.coaching_tasks.select_related("person"),
    })


@login_required
def session_code(request, pk: int):
    """Today's sign-in code, large, for the screen in the room."""
    session = _managed_session_or_404(request.user, pk)
    today = timezone.localdate()
    code = services.attendance_code_for(session=session, day=today) if today in selectors.session_days(session) \
        else None
    url = qr.sign_in_url(request, session.pk, code.code) if code else ""
    return render(request, "programmes/session_code.html", {
        "session": session, "code": code, "today": today, "sign_in_url": url,
        "qr": qr.qr_svg(url, title=_("Scan to sign in")) if code else ""})


@login_required
def session_sign_in(request, pk: int):
    """A participant signs in with the code shown in the room."""
    session = _session_or_404(request.user, pk)
    if not selectors.is_participant(request.user, session):
        raise PermissionDenied
    # Scanning the QR code in the room opens this page with the code filled in; it is still checked on sending.
    scanned = (request.GET.get("code") or "").strip()
    form = SignInForm(request.POST or None,
                      initial={"code": scanned} if scanned.isdigit() and len(scanned) <= 12 else None)
    if request.method == "POST" and form.is_valid():
        try:
            mark = services.attendance_sign_in(person=person_for_user(request.user), session=session,
                                               code=form.cleaned_data["code"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Signed in: %(status)s.") % {"status": mark.get_status_display()})
            return redirect("programmes:session-detail", pk=pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Sign in to the session"),
        "intro": _("Enter the code shown in the room. It changes every session day."),
        "cancel": reverse("programmes:session-detail", args=[pk]),
        "crumbs": [(reverse("programmes:session-list"), _("Classroom sessions")),
                   (reverse("programmes:session-detail", args=[pk]), session.title)]})


@login_required
@require_POST
def participation_note_add(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    form = ParticipationNoteForm(request.POST, session=session)
    if form.is_valid():
        try:
            services.participation_note_add(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Note added."))
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect("programmes:session-attendance", pk=pk)


def _post_form(request, form, service, success: str, **kwargs) -> None:
    """Run a service with a small form's data; errors go to the messages, naming the field."""
    if form.is_valid():
        try:
            service(actor=request.user, **kwargs, **form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, success)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")


@login_required
@require_POST
def group_exercise_add(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    _post_form(request, GroupExerciseForm(request.POST, session=session), services.group_exercise_add,
               _("Group exercise recorded."), session=session)
    return redirect("programmes:session-attendance", pk=pk)


@login_required
@require_POST
def coaching_task_add(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    _post_form(request, CoachingTaskForm(request.POST, session=session), services.coaching_task_assign,
               _("Coaching task assigned; the participant is told."), session=session)
    return redirect("programmes:session-attendance", pk=pk)


@login_required
@require_POST
def coaching_task_done(request, pk: int, task_pk: int):
    session = _managed_session_or_404(request.user, pk)
    coaching = get_object_or_404(CoachingTask, pk=task_pk, session=session)
    _post_form(request, OutcomeForm(request.POST), lambda actor, **data: services.coaching_task_done(
        actor=actor, coaching=coaching, **data), _("Coaching task done."))
    return redirect("programmes:session-detail", pk=pk)


@login_required
def session_feedback(request, pk: int):
    """A participant's daily feedback form."""
    session = _session_or_404(request.user, pk)
    if not selectors.is_participant(request.user, session):
        raise PermissionDenied
    person = person_for_user(request.user)
    days = selectors.session_days(session)
    today = timezone.localdate()
    form = FeedbackForm(request.POST or None, initial={"day": today if today in days else days[0]})
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(person=person, session=session, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Thank you: your feedback is recorded."))
            return redirect("programmes:session-detail", pk=pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Feedback on the day"), "cancel": reverse("programmes:session-detail", args=[pk]),
        "crumbs": [(reverse("programmes:session-list"), _("Classroom sessions")),
                   (reverse("programmes:session-detail", args=[pk]), session.title)]})


@login_required
def session_feedback_summary(request, pk: int):
    session = _managed_session_or_404(request.user, pk)
    return render(request, "programmes/session_feedback.html", {
        "session": session, "summary": selectors.feedback_summary(session), "low": selectors.FEEDBACK_LOW})


# ------------------------------------------------------------------------------------------- notices


@login_required
def notice_list(request):
    return render(request, "programmes/notice_list.html", {"notices": selectors.notices_for(request.user)[:100]})


@login_required
def notice_detail(request, pk: int):
    notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)
    services.notice_mark_read(notice=notice)
    return render(request, "programmes/notice_detail.html", {"notice": notice})


@login_required
@require_POST
def notice_read(request, pk: int):
    notice: Notice = get_object_or_404(selectors.notices_for(request.user), pk=pk)
    services.notice_mark_read(notice=notice)
    return redirect("programmes:notice-list")
