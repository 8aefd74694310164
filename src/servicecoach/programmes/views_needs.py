"""Training-needs analysis (培训需求分析): surveys per unit, answers (self-assessment, supervisors' input),
the prioritised report and a programme seeded from it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.permissions import role_required
from servicecoach.org.models import Role
from servicecoach.org.selectors import person_for_user, user_has_role
from servicecoach.programmes import selectors, services
from servicecoach.programmes.forms import (
    NeedsPathForm,
    NeedsSessionForm,
    SeedProgrammeForm,
    SurveyAnswerForm,
    SurveyForm,
)
from servicecoach.programmes.models import NeedsResponse, NeedsSource
from servicecoach.programmes.views import STAFF, apply_service_errors


@login_required
def survey_list(request):
    return render(request, "programmes/survey_list.html", {
        "surveys": selectors.surveys_visible_to(request.user),
        "can_create": selectors.is_training_staff(request.user),
        "today": timezone.localdate(),
    })


@role_required(*STAFF)
def survey_create(request):
    form = SurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            survey = services.survey_create(actor=request.user, title=data["title"], unit=data["unit"],
                                            skills=services.parse_skills(data["skills"]), closes_on=data["closes_on"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Survey “%(title)s” opened.") % {"title": survey.title})
            return redirect("programmes:survey-detail", pk=survey.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("New needs survey"), "cancel": reverse("programmes:survey-list"),
        "crumbs": [(reverse("programmes:survey-list"), _("Training needs"))]})


def _sources(user) -> list[str]:
    sources = [NeedsSource.SELF] if person_for_user(user) else []
    if user_has_role(user, Role.SUPERVISOR, *STAFF):
        sources.append(NeedsSource.SUPERVISOR)
    return sources


@login_required
def survey_detail(request, pk: int):
    survey = selectors.surveys_visible_to(request.user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    person = person_for_user(request.user)
    sources = _sources(request.user)
    source = request.POST.get("source") or (sources[0] if sources else "")
    mine = NeedsResponse.objects.filter(survey=survey, respondent=person, source=source).first() if person else None
    form = SurveyAnswerForm(request.POST or None, survey=survey, sources=sources,
                            initial_ratings=mine.ratings if mine else None,
                            initial={"comment": mine.comment if mine else "", "source": source})
    if request.method == "POST" and sources and form.is_valid():
        try:
            services.survey_answer(actor=request.user, survey=survey, source=form.cleaned_data["source"],
                                   ratings=form.ratings(), comment=form.cleaned_data["comment"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied:
            form.add_error("source", _("You may not answer as this source."))
        else:
            messages.success(request, _("Your answer is recorded."))
            return redirect("programmes:survey-detail", pk=pk)
    staff = selectors.is_training_staff(request.user)
    report = selectors.needs_report(survey) if staff else None
    return render(request, "programmes/survey_detail.html", {
        "survey": survey, "form": form if sources else None, "open": timezone.localdate() <= survey.closes_on,
        "report": report, "staff": staff, "answers": survey.responses.count(),
        "qa_weak": selectors.qa_weak_points(survey.unit) if staff else None,
        "exam_weak": selectors.exam_weak_topics(survey.unit) if staff else None,
        "exam_days": selectors.EXAM_LOOKBACK_DAYS,
        "seed_form": SeedProgrammeForm(skills=[r["skill"] for r in report],
                                       initial={"skills": [r["skill"] for r in report if r["priority"] == "high"]})
        if staff else None,
    })


@role_required(*STAFF)
@require_POST
def survey_qa_input(request, pk: int):
    survey = selectors.surveys_visible_to(request.user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    try:
        response = services.survey_add_qa_input(actor=request.user, survey=survey)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("QA weak points added: %(skills)s.") % {"skills": ", ".join(response.ratings)})
    return redirect("programmes:survey-detail", pk=pk)


@role_required(*STAFF)
@require_POST
def survey_exam_input(request, pk: int):
    survey = _survey_or_404(request.user, pk)
    try:
        response = services.survey_add_exam_input(actor=request.user, survey=survey)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Low exam topics added: %(skills)s.") % {"skills": ", ".join(response.ratings)})
    return redirect("programmes:survey-detail", pk=pk)


def _survey_or_404(user, pk: int):
    survey = selectors.surveys_visible_to(user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def _high(report) -> list[str]:
    return [r["skill"] for r in report if r["priority"] == "high"]


def _crumbs(survey) -> list:
    return [(reverse("programmes:survey-list"), _("Training needs")),
            (reverse("programmes:survey-detail", args=[survey.pk]), survey.title)]


@role_required(*STAFF)
def survey_path(request, pk: int):
    """Create a learning path (training app) from the chosen needs, and enrol the unit if asked."""
    survey = _survey_or_404(request.user, pk)
    report = selectors.needs_report(survey)
    form = NeedsPathForm(request.POST or None, skills=[r["skill"] for r in report], initial={
        "skills": _high(report), "title": _("%(unit)s: training needs") % {"unit": survey.unit.name},
        "code": f"NEEDS-{survey.pk}"})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            path, enrolled = services.path_from_needs(actor=request.user, survey=survey, skills=data["skills"],
                                                      code=data["code"], title=data["title"],
                                                      courses=list(data["courses"]), due_days=data["due_days"],
                                                      in_order=data["in_order"], enrol_unit=data["enrol_unit"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Learning path “%(title)s” created from the needs; %(count)d people "
                                        "enrolled.") % {"title": path.title, "count": enrolled})
            return redirect("training:path-detail", pk=path.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Create a learning path from the needs"),
        "intro": _("The path is created in the training app with the chosen courses; the needs are its description."),
        "cancel": reverse("programmes:survey-detail", args=[pk]), "crumbs": _crumbs(survey)})


@role_required(*STAFF)
def survey_session(request, pk: int):
    """Create a classroom session (and its programme) for the unit from the chosen needs."""
    survey = _survey_or_404(request.user, pk)
    report = selectors.needs_report(survey)
    form = NeedsSessionForm(request.POST or None, skills=[r["skill"] for r in report], initial={
        "skills": _high(report), "title": _("%(unit)s: training needs") % {"unit": survey.unit.name}})
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_from_needs(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error("override_reason", str(error))
        else:
            messages.success(request, _("Session “%(title)s” scheduled from the needs with %(count)d participants.")
                             % {"title": session.title, "count": session.enrolments.count()})
            return redirect("programmes:session-detail", pk=session.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Create a session from the needs"),
        "intro": _("The session gets its own programme; the unit's active people are its participants (hired in "
                   "the last 90 days as new hires, the others as re-trainees)."),
        "cancel": reverse("programmes:survey-detail", args=[pk]), "crumbs": _crumbs(survey)})


@role_required(*STAFF)
def survey_seed(request, pk: int):
    """Create a programme from the chosen needs (participants: the survey unit's active people)."""
    survey = selectors.surveys_visible_to(request.user).filter(pk=pk).first()
    if survey is None:
        raise Http404
    report = selectors.needs_report(survey)
    form = SeedProgrammeForm(request.POST or None, skills=[r["skill"] for r in report])
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_from_needs(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Programme “%(title)s” created from the needs.") % {"title": programme.title})
            return redirect("programmes:programme-detail", pk=programme.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Create a programme from the needs"),
        "cancel": reverse("programmes:survey-detail", args=[pk]),
        "crumbs": [(reverse("programmes:survey-list"), _("Training needs")),
                   (reverse("programmes:survey-detail", args=[pk]), survey.title)]})
