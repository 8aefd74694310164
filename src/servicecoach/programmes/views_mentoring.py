"""Mentoring pages: certification with a training manager's approval, assignments of new hires, weekly 1:1
logs, shadowing notes, and each mentor's own page. Thin: scope through selectors, write through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.permissions import role_required
from servicecoach.org.selectors import person_for_user
from servicecoach.programmes import selectors, services
from servicecoach.programmes.forms import (
    AssignmentForm,
    CertificationForm,
    DecisionForm,
    OneOnOneForm,
    ReasonForm,
    ShadowingForm,
)
from servicecoach.programmes.models import MentorCertification
from servicecoach.programmes.services import MENTOR_CRITERIA
from servicecoach.programmes.views import STAFF, apply_service_errors


@role_required(*STAFF)
def certification_list(request):
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cert = services.certification_request(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Certification of %(name)s requested.") % {"name": cert.person.name})
            return redirect("programmes:certification-list")
    certifications = MentorCertification.objects.select_related("person", "decided_by")
    rows = [{"cert": c, "criteria": [(label, key in c.criteria_met) for key, label in MENTOR_CRITERIA.items()]}
            for c in certifications]
    return render(request, "programmes/certification_list.html", {
        "form": form, "rows": rows, "decision_form": DecisionForm()})


@role_required(*STAFF)
@require_POST
def certification_decide(request, pk: int):
    cert = get_object_or_404(MentorCertification, pk=pk)
    form = DecisionForm(request.POST)
    form.is_valid()
    try:
        services.certification_decide(actor=request.user, certification=cert, approve=request.POST.get("approve") == "1",
                                      note=form.cleaned_data.get("note", ""))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, f"{cert.person.name}: {text}")
    except PermissionDenied as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Decision on %(name)s recorded.") % {"name": cert.person.name})
    return redirect("programmes:certification-list")


@role_required(*STAFF)
def assignment_create(request):
    form = AssignmentForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.mentor_assign(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(mentor)s now mentors %(mentee)s.")
                             % {"mentor": assignment.mentor.name, "mentee": assignment.mentee.name})
            return redirect("programmes:assignment-detail", pk=assignment.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Assign a mentor"), "cancel": reverse("programmes:mentor-list"),
        "crumbs": [(reverse("programmes:mentor-list"), _("Mentors"))]})


def _assignment_or_404(user, pk: int):
    assignment = selectors.assignments_visible_to(user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


@login_required
def assignment_detail(request, pk: int):
    assignment = _assignment_or_404(request.user, pk)
    can_log = selectors.can_log_mentoring(request.user, assignment)
    today = timezone.localdate()
    return render(request, "programmes/assignment_detail.html", {
        "assignment": assignment,
        "meetings": assignment.meetings.all(),
        "shadowing": assignment.shadowing.select_related("senior"),
        "stayed": selectors.stayed_past_probation(assignment),
        "can_log": can_log,
        "staff": selectors.is_training_staff(request.user),
        "meeting_form": OneOnOneForm(initial={"met_on": today}) if can_log else None,
        "shadowing_form": ShadowingForm(initial={"observed_on": today}) if can_log else None,
        "end_form": ReasonForm() if selectors.is_training_staff(request.user) else None,
    })


def _log(request, pk: int, form_class, service, message: str):
    assignment = _assignment_or_404(request.user, pk)
    if not selectors.can_log_mentoring(request.user, assignment):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(actor=request.user, assignment=assignment, **form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}")
    return redirect("programmes:assignment-detail", pk=pk)


@login_required
@require_POST
def one_on_one_add(request, pk: int):
    return _log(request, pk, OneOnOneForm, services.one_on_one_log, _("1:1 meeting recorded."))


@login_required
@require_POST
def shadowing_add(request, pk: int):
    return _log(request, pk, ShadowingForm, services.shadowing_log, _("Shadowing note recorded."))


@role_required(*STAFF)
@require_POST
def assignment_end(request, pk: int):
    assignment = _assignment_or_404(request.user, pk)
    try:
        services.mentor_assignment_end(actor=request.user, assignment=assignment, ended_on=timezone.localdate())
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Mentoring ended."))
    return redirect("programmes:assignment-detail", pk=pk)


@role_required(*STAFF)
def mentor_list(request):
    mentors = selectors.mentors_visible_to(request.user).select_related("unit")
    return render(request, "programmes/mentor_list.html", {
        "rows": [selectors.mentor_overview(m) for m in mentors]})


@login_required
def mentor_me(request):
    person = person_for_user(request.user)
    if person is None:
        raise Http404
    return redirect("programmes:mentor-detail", pk=person.pk)


@login_required
def mentor_detail(request, pk: int):
    mentor = selectors.mentors_visible_to(request.user).filter(pk=pk).first()
    if mentor is None:
        person = person_for_user(request.user)
        if person is None or person.pk != pk:
            raise Http404
        mentor = person  # a mentor without mentees yet still has their (empty) page
    return render(request, "programmes/mentor_detail.html", {"overview": selectors.mentor_overview(mentor)})
