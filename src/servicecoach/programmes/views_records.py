"""A person's training record (培训档案): sessions and attendance (each day), onboarding, mentoring (and its
log), courses, learning paths, quizzes and exams, all with dates, on a page and as an Excel workbook. A learner sees their own, a supervisor their people's,
a mentor their mentees', training staff everyone's."""

from __future__ import annotations

from io import BytesIO

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from servicecoach.org.models import Person
from servicecoach.org.selectors import person_for_user
from servicecoach.programmes import selectors

MENTORING_KINDS = {"meeting": gettext_lazy("1:1 meeting"), "shadowing": gettext_lazy("Shadowing")}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _person_or_404(user, pk: int) -> Person:
    person = get_object_or_404(Person.objects.select_related("unit"), pk=pk)
    if not selectors.record_visible_to(user, person):
        raise Http404
    return person


@login_required
def record_me(request):
    person = person_for_user(request.user)
    if person is None:
        raise Http404
    return redirect("programmes:record", pk=person.pk)


@login_required
def record(request, pk: int):
    person = _person_or_404(request.user, pk)
    return render(request, "programmes/record.html", {"person": person, "record": selectors.training_record(person)})


def _date(value) -> str:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and getattr(value, "hour", None) is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def record_rows(person: Person) -> list[tuple[str, list[str], list[list]]]:
    """The record as sheets: (title, header, rows)."""
    data = selectors.training_record(person)
    yes, no = _("Yes"), _("No")
    return [
        (_("Classroom sessions"),
         [_("Programme"), _("Session"), _("First day"), _("Last day"), _("Kind"), _("Present"), _("Late"),
          _("Absent"), _("Excused"), _("Attendance rate (%)")],
         [[r["session"].programme.title, r["session"].title, _date(r["session"].start_date),
           _date(r["session"].end_date), r["kind"], r["counts"]["present"], r["counts"]["late"],
           r["counts"]["absent"], r["counts"]["excused"], r["rate"]] for r in data["sessions"]]),
        (_("Attendance"),
         [_("Session"), _("Day"), _("Attendance"), _("Signed in at"), _("Reason")],
         [[a.session.title, _date(a.day), a.get_status_display(), _date(a.signed_in_at), a.reason]
          for a in data["attendance"]]),
        (_("Onboarding"),
         [_("Template"), _("Start date"), _("Tasks done"), _("Tasks"), _("Checks passed"), _("Checks"),
          _("Overdue goals")],
         [[p["plan"].template.name, _date(p["plan"].start_date), p["done"], p["task_count"], p["checks_passed"],
           p["checks"], len(p["overdue"])] for p in data["plans"]]),
        (_("Mentoring"),
         [_("Mentor"), _("Start date"), _("End of probation"), _("Ended on"), _("1:1 meetings"),
          _("Shadowing notes"), _("Stayed past probation")],
         [[m["assignment"].mentor.name, _date(m["assignment"].start_date), _date(m["assignment"].probation_end),
           _date(m["assignment"].ended_on), m["meetings"], m["shadowing"],
           "" if m["stayed"] is None else (yes if m["stayed"] else no)] for m in data["mentoring"]]),
        (_("Mentoring log"),
         [_("Date"), _("Kind"), _("Mentor"), _("Senior agent")],
         [[_date(m["date"]), str(MENTORING_KINDS[m["kind"]]), m["mentor"].name,
           m["senior"].name if m.get("senior") else ""] for m in data["mentoring_log"]]),
        (_("Courses"),
         [_("Code"), _("Course"), _("Started"), _("Lessons completed"), _("Lessons"), _("Last lesson completed"),
          _("Completed")],
         [[c["course"].code, c["course"].title, _date(c["started_at"]), c["completed"], c["lessons"],
           _date(c["last_completed_at"]), _date(c["completed_at"])] for c in data["courses"]]),
        (_("Learning paths"),
         [_("Learning path"), _("Enrolled on"), _("Due on"), _("Completed")],
         [[e.path.title, _date(e.enrolled_on), _date(e.due_on), _date(e.completed_at)] for e in data["paths"]]),
        (_("Lesson quizzes"),
         [_("Lesson"), _("Date"), _("Score (%)"), _("Passed")],
         [[q.quiz.lesson.title, _date(q.submitted_at), q.score, yes if q.passed else no] for q in data["quizzes"]]),
        (_("Exams"),
         [_("Exam"), _("Submitted"), _("Score (%)"), _("Passed")],
         [[e["attempt"].exam.title, _date(e["attempt"].submitted_at),
           float(e["percent"]) if e["percent"] is not None else _("not released"),
           "" if e["passed"] is None else (yes if e["passed"] else no)] for e in data["exams"]]),
    ]


@login_required
def record_export(request, pk: int):
    person = _person_or_404(request.user, pk)
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in record_rows(person):
        sheet = workbook.create_sheet(title[:31])
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for index, label in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = max(12, len(str(label)) * 2 + 2)
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    filename = f"training-record-{person.employee_no}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
