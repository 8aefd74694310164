"""Pages of practical exams (实操考核), overall conduct, the composite grade, feedback and the
training-effectiveness report. Managers run them; panel assessors score their candidates;
supervisors see their units' results; a candidate sees their own once released."""

from __future__ import annotations

import io
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.permissions import role_required
from servicecoach.exams import selectors, services
from servicecoach.exams.forms import AssessmentForm, ConductForm, FeedbackForm, RubricForm, ScenarioCardForm
from servicecoach.exams.models import (
    Assessment,
    AssessmentCandidate,
    AttendanceSource,
    PanelScore,
    PracticalRubric,
    ScenarioCard,
)
from servicecoach.exams.views import _apply_service_errors
from servicecoach.org.selectors import person_for_user

MANAGERS = selectors.MANAGERS


# ---------------------------------------------------------------- scenario cards and rubrics


@role_required(*MANAGERS)
def card_list(request):
    return render(request, "exams/card_list.html", {"cards": ScenarioCard.objects.all()})


def _card_form(request, card):
    initial = None
    if card is not None and request.method != "POST":
        initial = {"key": card.key, "title": card.title, "situation": card.situation,
                   "customer_role": card.customer_role, "expected_handling": card.expected_handling,
                   "tags": ", ".join(card.tags), "active": card.active}
    form = ScenarioCardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.scenario_card_save(actor=request.user, card=card, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Scenario card saved."))
            return redirect("exams:card-list")
    return render(request, "exams/simple_form.html", {
        "form": form, "title": card.title if card else _("New scenario card"),
        "back": "exams:card-list", "back_label": _("Scenario cards")})


@role_required(*MANAGERS)
def card_create(request):
    return _card_form(request, None)


@role_required(*MANAGERS)
def card_update(request, pk: int):
    return _card_form(request, get_object_or_404(ScenarioCard, pk=pk))


@role_required(*MANAGERS)
def rubric_list(request):
    return render(request, "exams/rubric_list.html", {"rubrics": PracticalRubric.objects.all()})


def _rubric_form(request, rubric):
    initial = None
    if rubric is not None and request.method != "POST":
        initial = {"title": rubric.title, "items": services.rubric_items_to_text(rubric.items)}
    form = RubricForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.rubric_save(actor=request.user, rubric=rubric, title=form.cleaned_data["title"],
                                 items=form.cleaned_data["items"])
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Rubric saved."))
            return redirect("exams:rubric-list")
    return render(request, "exams/simple_form.html", {
        "form": form, "title": rubric.title if rubric else _("New practical rubric"),
        "back": "exams:rubric-list", "back_label": _("Practical rubrics")})


@role_required(*MANAGERS)
def rubric_create(request):
    return _rubric_form(request, None)


@role_required(*MANAGERS)
def rubric_update(request, pk: int):
    return _rubric_form(request, get_object_or_404(PracticalRubric, pk=pk))


# ---------------------------------------------------------------- assessments


@role_required(*MANAGERS)
def assessment_list(request):
    assessments = Assessment.objects.annotate(n=Count("candidates")).select_related("theory_exam", "rubric")
    return render(request, "exams/assessment_list.html", {"assessments": assessments})


def _assessment_form(request, assessment):
    form = AssessmentForm(request.POST or None, instance=assessment, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        people, units, assessors = d.pop("people"), d.pop("units"), d.pop("assessors")
        try:
            assessment = services.assessment_save(actor=request.user, assessment=assessment, people=people,
                                                  units=units, assessors=assessors, **d)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Assessment “%(title)s” saved.") % {"title": assessment.title})
            return redirect("exams:assessment-detail", pk=assessment.pk)
    return render(request, "exams/simple_form.html", {
        "form": form, "title": assessment.title if assessment else _("New assessment"),
        "back": "exams:assessment-list", "back_label": _("Assessments"),
        "note": _("Candidates are the people named, everyone in the units named and the participants of the "
                  "training programme linked (someone who joins the programme later is added when the assessment "
                  "is saved or its results are computed). The programme's classroom attendance can then feed "
                  "overall conduct.")})


@role_required(*MANAGERS)
def assessment_create(request):
    return _assessment_form(request, None)


@role_required(*MANAGERS)
def assessment_update(request, pk: int):
    return _assessment_form(request, Assessment.objects.get(pk=get_object_or_404(Assessment, pk=pk).pk))


def _assessment_for_panel_or_manager(request, pk: int) -> tuple[Assessment, bool]:
    assessment = get_object_or_404(Assessment, pk=pk)
    if selectors.can_manage(request.user):
        return assessment, True
    person = person_for_user(request.user)
    if person is None or not assessment.assessors.filter(pk=person.pk).exists():
        raise Http404
    return assessment, False


@login_required
def assessment_detail(request, pk: int):
    assessment, manager = _assessment_for_panel_or_manager(request, pk)
    candidates = list(assessment.candidates.select_related("person", "person__unit", "card")
                      .annotate(assessors_scored=Count("panel_scores__assessor", distinct=True)))
    return render(request, "exams/assessment_detail.html", {
        "assessment": assessment, "candidates": candidates, "manager": manager,
        "today": timezone.localdate(), "panel_size": assessment.assessors.count(),
    })


@role_required(*MANAGERS)
@require_POST
def assessment_compute(request, pk: int):
    assessment = get_object_or_404(Assessment, pk=pk)
    results = services.assessment_compute(assessment=assessment)
    done = sum(1 for missing in results.values() if not missing)
    messages.success(request, _("Results computed: %(done)s of %(all)s complete.") % {"done": done, "all": len(results)})
    return redirect("exams:assessment-detail", pk=pk)


@role_required(*MANAGERS)
@require_POST
def assessment_release(request, pk: int):
    assessment = get_object_or_404(Assessment, pk=pk)
    release = request.POST.get("release") == "1"
    services.assessment_release(actor=request.user, assessment=assessment, release=release)
    messages.success(request, _("Results released to the candidates.") if release else _("Results withdrawn."))
    return redirect("exams:assessment-detail", pk=pk)


def _candidate_or_404(request, pk: int) -> AssessmentCandidate:
    candidate = selectors.assessment_candidates_visible_to(request.user).filter(pk=pk).first()
    if candidate is None:
        raise Http404
    return candidate


@login_required
def candidate_detail(request, pk: int):
    """The candidate's page: their card, panel scores, conduct, composite grade, advice, feedback.
    The candidate sees it once results are released; managers, their supervisor and the panel always."""
    candidate = _candidate_or_404(request, pk)
    manager = selectors.can_manage(request.user)
    me = person_for_user(request.user)
    own = me is not None and candidate.person_id == me.pk
    is_assessor = me is not None and candidate.assessment.assessors.filter(pk=me.pk).exists()
    if own and not manager and not is_assessor and candidate.assessment.results_released_at is None:
        return render(request, "exams/candidate_waiting.html", {"candidate": candidate})
    conduct_form = feedback_form = programme_attendance = None
    if manager and candidate.assessment.programme_id:
        found = selectors.programme_attendance(candidate.person, candidate.assessment.programme)
        programme_attendance = {"programme": candidate.assessment.programme, "found": found,
                                "percent": (found["rate"] * 100).quantize(Decimal("0.01")) if found else None}
    if manager:
        conduct_form = ConductForm(programme_linked=programme_attendance is not None, initial={
            "attendance_percent": (candidate.attendance_rate * 100).quantize(Decimal("0.01")).normalize()
            if candidate.attendance_rate is not None else None,
            "from_programme": candidate.attendance_source == AttendanceSource.PROGRAMME or (
                candidate.attendance_rate is None and bool(programme_attendance and programme_attendance["found"])),
            "participation": ", ".join(candidate.participation), "teamwork": ", ".join(candidate.teamwork)})
        advice_text = "\n".join(f"{a['zh']}（{a['percent']}%）" for a in candidate.advice)
        feedback_form = FeedbackForm(initial={"feedback_text": candidate.feedback_text or advice_text})
    try:
        practical = services.practical_result(candidate)
        practical_error = None
    except Exception as exc:  # noqa: BLE001 - the engine names the problem; show it instead of failing the page
        practical, practical_error = None, str(exc)
    return render(request, "exams/candidate_detail.html", {
        "candidate": candidate, "assessment": candidate.assessment, "manager": manager, "own": own,
        "is_assessor": is_assessor, "practical": practical, "practical_error": practical_error,
        "conduct_form": conduct_form, "feedback_form": feedback_form, "verified": services.draw_verified(candidate),
        "theory_attempt": services.theory_attempt(candidate), "programme_attendance": programme_attendance,
        "conduct_weights": services.conduct_config(candidate.assessment),
        "show_scores": manager or is_assessor or not own or candidate.assessment.results_released_at is not None,
    })


@role_required(*MANAGERS)
@require_POST
def candidate_draw(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    try:
        services.scenario_draw(actor=request.user, candidate=candidate)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exams:candidate-detail", pk=pk)


@role_required(*MANAGERS)
@require_POST
def candidate_conduct(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    form = ConductForm(request.POST, programme_linked=candidate.assessment.programme_id is not None)
    if form.is_valid():
        try:
            percent = form.cleaned_data["attendance_percent"]
            services.conduct_save(actor=request.user, candidate=candidate,
                                  attendance_rate=percent / Decimal(100) if percent is not None else None,
                                  participation=form.cleaned_data["participation"],
                                  teamwork=form.cleaned_data["teamwork"],
                                  from_programme=bool(form.cleaned_data.get("from_programme")))
            services.result_compute(candidate=candidate)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Overall conduct saved."))
    else:
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {' '.join(errors)}")
    return redirect("exams:candidate-detail", pk=pk)


@role_required(*MANAGERS)
@require_POST
def candidate_feedback(request, pk: int):
    candidate = _candidate_or_404(request, pk)
    form = FeedbackForm(request.POST)
    if form.is_valid():
        services.feedback_send(actor=request.user, candidate=candidate, text=form.cleaned_data["feedback_text"])
        messages.success(request, _("Feedback sent to %(name)s.") % {"name": candidate.person.name})
    else:
        messages.error(request, _("Write the feedback first."))
    return redirect("exams:candidate-detail", pk=pk)


@login_required
def candidate_score(request, pk: int):
    """An assessor of the panel scores each rubric item, independently of the others."""
    me = person_for_user(request.user)
    candidate = AssessmentCandidate.objects.select_related("assessment", "person", "card").filter(pk=pk).first()
    if candidate is None or me is None or not candidate.assessment.assessors.filter(pk=me.pk).exists():
        raise Http404
    rubric = candidate.assessment.rubric.to_engine()
    mine = {s.item_key: s.value for s in PanelScore.objects.filter(candidate=candidate, assessor=me)}
    error = None
    if request.method == "POST":
        values = {item.key: request.POST.get(f"item_{item.key}", "") for item in rubric.items}
        try:
            services.panel_scores_save(assessor=me, candidate=candidate, values=values)
        except ValidationError as exc:
            error, mine = " ".join(exc.messages), values
        else:
            services.result_compute(candidate=candidate)
            messages.success(request, _("Your scores are saved."))
            return redirect("exams:assessment-detail", pk=candidate.assessment_id)
    return render(request, "exams/candidate_score.html", {
        "candidate": candidate, "rubric": rubric, "mine": mine, "error": error})


@role_required(*MANAGERS)
def feedback_list(request):
    today = timezone.localdate()
    return render(request, "exams/feedback_list.html", {"rows": selectors.feedback_due_list(), "today": today})


@role_required(*selectors.RESULT_VIEWERS)
def assessment_results(request):
    candidates = (selectors.assessment_candidates_visible_to(request.user).filter(computed_at__isnull=False)
                  .order_by("-assessment__held_on", "person__employee_no"))
    return render(request, "exams/assessment_results.html", {"candidates": candidates})


# ---------------------------------------------------------------- effectiveness report


@role_required(*MANAGERS)
def assessment_report(request, pk: int):
    assessment = get_object_or_404(Assessment, pk=pk)
    report = selectors.assessment_report(assessment)
    template = "exams/report_print.html" if request.GET.get("print") else "exams/report.html"
    return render(request, template, {"assessment": assessment, "report": report,
                                      "charts": _charts(report), "printed_at": timezone.now()})


def _charts(report) -> dict:
    return {
        "histogram": {"data": [{"type": "histogram", "x": report["scores"], "xbins": {"start": 0, "end": 100, "size": 10},
                                "marker": {"color": "#2563eb"}}],
                      "layout": {"height": 280, "margin": {"t": 10, "b": 40, "l": 40, "r": 10},
                                 "xaxis": {"range": [0, 100]}}},
        "bands": {"data": [{"type": "bar", "x": [b["label"] for b in report["bands"]],
                            "y": [b["count"] for b in report["bands"]], "marker": {"color": "#16a34a"}}],
                  "layout": {"height": 280, "margin": {"t": 10, "b": 40, "l": 40, "r": 10}}},
    }


@role_required(*MANAGERS)
def assessment_report_excel(request, pk: int):
    import openpyxl

    assessment = get_object_or_404(Assessment, pk=pk)
    report = selectors.assessment_report(assessment)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "成绩"
    ws.append(["工号", "姓名", "部门", "理论", "实操", "综合表现", "综合成绩", "等级", "场景卡", "改进建议", "反馈截止", "反馈已发送"])
    for c in report["candidates"]:
        ws.append([c.person.employee_no, c.person.name, c.person.unit.name,
                   _num(c.theory_percent), _num(c.practical_percent), _num(c.overall_percent), _num(c.composite_score),
                   c.band_label, c.card.title if c.card else "", "；".join(a["zh"] for a in c.advice),
                   c.feedback_due.isoformat() if c.feedback_due else "",
                   c.feedback_sent_at.strftime("%Y-%m-%d %H:%M") if c.feedback_sent_at else ""])
    summary = wb.create_sheet("概览")
    summary.append(["考核", assessment.title])
    summary.append(["日期", assessment.held_on.isoformat()])
    summary.append(["已出成绩人数", len(report["scored"])])
    summary.append(["平均分", _num(report["mean"])])
    summary.append(["合格率(%)", _num(report["pass_rate"])])
    for b in report["bands"]:
        summary.append([b["label"], b["count"]])
    weak = wb.create_sheet("共性薄弱点")
    weak.append(["类别", "名称", "平均得分率(%)", "低于70%人数", "人数"])
    for w in report["weak"]:
        weak.append(["知识点" if w["kind"] == "topic" else "实操项目", w["name"], _num(w["mean"]), w["below"], w["candidates"]])
    if report["stats"]:
        st = wb.create_sheet("试题分析")
        st.append(["题目", "作答数", "难度系数(%)", "标准差", "区分度(%)", "区分效率(%)", "提示"])
        for row in report["stats"]:
            s = row["s"]
            st.append([row["stem"][:80], s.s, s.facility, s.sd, s.discrimination_index, s.discriminative_efficiency,
                       "，".join(label for label, _text in row["flags"])])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''assessment-{assessment.pk}.xlsx"
    return response


CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


@role_required(*MANAGERS)
def assessment_report_pdf(request, pk: int):
    """The printable report as a PDF, printed by the system's headless Chromium (CJK fonts from the
    system, e.g. fonts-noto-cjk). Without Chromium, a page says so and links the printable version."""
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from django.contrib.staticfiles import finders
    from django.template.loader import render_to_string

    assessment = get_object_or_404(Assessment, pk=pk)
    browser = next((b for b in CHROMIUM if Path(b).exists()), None)
    if browser is None:
        messages.error(request, _("PDF needs Chromium on the server (apt-get install chromium fonts-noto-cjk); "
                                  "use the printable version and save it as PDF from the browser."))
        return redirect("exams:assessment-report", pk=pk)
    css = Path(finders.find("core/app.css")).read_text(encoding="utf-8")
    html = render_to_string("exams/report_print.html", {
        "assessment": assessment, "report": selectors.assessment_report(assessment), "printed_at": timezone.now(),
        "inline_css": css, "for_pdf": True}, request=request)
    with tempfile.TemporaryDirectory(prefix="servicecoach-pdf-") as tmp:
        source, target = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        source.write_text(html, encoding="utf-8")
        command = [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--disable-dev-shm-usage", f"--user-data-dir={tmp}/profile", "--no-pdf-header-footer",
                   f"--print-to-pdf={target}", source.as_uri()]
        try:
            subprocess.run(command, check=True, timeout=60, capture_output=True)
            data = target.read_bytes()
        except (subprocess.SubprocessError, OSError):
            messages.error(request, _("The PDF could not be made; use the printable version and save it as PDF "
                                      "from the browser."))
            return redirect("exams:assessment-report", pk=pk)
        finally:
            shutil.rmtree(Path(tmp) / "profile", ignore_errors=True)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''assessment-{assessment.pk}.pdf"
    return response


def _num(value):
    return None if value is None else float(value)
