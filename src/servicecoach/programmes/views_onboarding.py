"""Onboarding pages (新人带教): templates of weekly goals, plans of new hires, ticking tasks off, and the
overview of who is falling behind. Thin: scope through programmes.selectors, write through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.permissions import role_required
from servicecoach.org.models import Role
from servicecoach.programmes import selectors, services
from servicecoach.programmes.forms import PlanStartForm, TaskTickForm, TemplateForm
from servicecoach.programmes.models import OnboardingTemplate, PlanTask
from servicecoach.programmes.views import STAFF, apply_service_errors

PLAN_PAGE_SIZE = 50
TEMPLATE_READERS = (Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER, Role.MENTOR, Role.SUPERVISOR)


@role_required(*TEMPLATE_READERS)
def template_list(request):
    return render(request, "programmes/template_list.html", {
        "templates": OnboardingTemplate.objects.prefetch_related("goals"),
        "can_edit": selectors.is_training_staff(request.user),
    })


@role_required(*TEMPLATE_READERS)
def template_detail(request, pk: int):
    template = get_object_or_404(OnboardingTemplate, pk=pk)
    return render(request, "programmes/template_detail.html", {
        "template": template,
        "goals": template.goals.prefetch_related("tasks", "tasks__lesson"),
        "plans": selectors.plans_visible_to(request.user).filter(template=template),
        "can_edit": selectors.is_training_staff(request.user),
        "start_form": PlanStartForm(initial={"start_date": timezone.localdate()})
        if selectors.is_training_staff(request.user) else None,
    })


def _template_form_page(request, template: OnboardingTemplate | None):
    initial = {"name": template.name, "description": template.description,
               "text": services.template_text(template)} if template else {
        "text": _("week 1: Learn the process and tools\n- task: Read the service process handbook\n"
                  "- lesson: Ticketing system basics\n- check: Process quiz\n"
                  "week 2: Handle simple cases alone\n- task: Handle 20 simple enquiries alone\n"
                  "- check: Supervisor spot-check of five cases\n"
                  "week 3: Take part in complex case reviews\n- task: Join two complex case reviews\n"
                  "- check: Case analysis assessment\n")}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.onboarding_template_save(actor=request.user, template=template, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": saved.name})
            return redirect("programmes:template-detail", pk=saved.pk)
    crumbs = [(reverse("programmes:template-list"), _("Onboarding templates"))]
    if template:
        crumbs.append((reverse("programmes:template-detail", args=[template.pk]), template.name))
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Edit template") if template else _("New onboarding template"),
        "cancel": reverse("programmes:template-list"), "crumbs": crumbs})


@role_required(*STAFF)
def template_create(request):
    return _template_form_page(request, None)


@role_required(*STAFF)
def template_update(request, pk: int):
    return _template_form_page(request, get_object_or_404(OnboardingTemplate, pk=pk))


@role_required(*STAFF)
def plan_start(request, pk: int):
    template = get_object_or_404(OnboardingTemplate, pk=pk)
    form = PlanStartForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.onboarding_start(actor=request.user, template=template, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s started on “%(template)s”.")
                             % {"name": plan.person.name, "template": template.name})
            return redirect("programmes:plan-detail", pk=plan.pk)
    return render(request, "programmes/form.html", {
        "form": form, "title": _("Start a new hire on “%(template)s”") % {"template": template.name},
        "cancel": reverse("programmes:template-detail", args=[pk]),
        "crumbs": [(reverse("programmes:template-list"), _("Onboarding templates")),
                   (reverse("programmes:template-detail", args=[pk]), template.name)]})


@login_required
def plan_list(request):
    behind = request.GET.get("behind") == "1"
    rows = selectors.plan_overview(user=request.user, behind_only=behind)
    page = Paginator(rows, PLAN_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "programmes/plan_list.html", {"rows": page.object_list, "page": page, "behind": behind})


@login_required
def plan_detail(request, pk: int):
    plan = selectors.plans_visible_to(request.user).prefetch_related("goals__tasks").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return render(request, "programmes/plan_detail.html", {
        "progress": selectors.plan_progress(plan),
        "plan": plan,
        "today": timezone.localdate(),
        "can_tick": selectors.can_tick_plan(request.user, plan),
        "tick_form": TaskTickForm(),
    })


@login_required
@require_POST
def task_tick(request, pk: int, task_pk: int):
    plan = selectors.plans_visible_to(request.user).filter(pk=pk).first()
    if plan is None:
        raise Http404
    if not selectors.can_tick_plan(request.user, plan):
        raise PermissionDenied
    task = get_object_or_404(PlanTask, pk=task_pk, goal__plan=plan)
    form = TaskTickForm(request.POST)
    if form.is_valid():
        try:
            services.plan_task_tick(actor=request.user, task=task, **form.cleaned_data)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, f"{task.title}: {text}")
        else:
            messages.success(request, _("“%(task)s” saved.") % {"task": task.title})
    return redirect(f"{reverse('programmes:plan-detail', args=[pk])}#task-{task.pk}")
