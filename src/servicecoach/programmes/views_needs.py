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
from servicecoach.programmes.forms import SeedProgrammeForm, SurveyAnswerForm, SurveyForm
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
