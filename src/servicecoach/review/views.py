"""Pages of the review app: the reviewer's queue, the review form, sampling plans, case write-ups and
the case library, appeals, calibration sessions and the metrics dashboard.

Thin: scope through review.selectors (404 outside it), roles through core.permissions (403), writes
through review.services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_errors
from servicecoach.core.permissions import role_required
from servicecoach.org.models import OrgUnit, Role
from servicecoach.org.selectors import person_for_user, user_roles
from servicecoach.quality import selectors as quality_selectors
from servicecoach.quality.models import RuleHit
from servicecoach.quality.services import versions_ensure_builtin
from servicecoach.review import forms, metrics, selectors, services
from servicecoach.review.models import (
    AppealStatus,
    CaseWriteUp,
    ProblemType,
    ReviewKind,
    ReviewStatus,
    SamplingPlan,
    Severity,
)
from servicecoach.review.selectors import DASHBOARD_ROLES, REVIEW_ROLES

PAGE_SIZE = 25
QA_STAFF = (Role.ADMIN, Role.QA_REVIEWER)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _require_manager(request) -> None:
    if not selectors.can_manage(request.user):
        raise PermissionDenied


# ---------------------------------------------------------------------------- queue and reviews


@role_required(*QA_STAFF)
def queue(request):
    reviews = selectors.review_queue(request.user)
    return render(request, "review/queue.html", {
        "page": _page(request, reviews), "can_manage": selectors.can_manage(request.user),
    })


@role_required(*REVIEW_ROLES)
def review_list(request):
    reviews = selectors.reviews_visible_to(request.user).filter(kind=ReviewKind.REGULAR)
    status = request.GET.get("status")
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    reviews = reviews.order_by("-submitted_at", "-assigned_at", "-pk")
    return render(request, "review/review_list.html", {
        "page": _page(request, reviews), "status": status, "statuses": ReviewStatus.choices,
        "can_manage": selectors.can_manage(request.user),
    })


def _review_context(request, review) -> dict:
    conversation = review.conversation
    result = conversation.current_result
    rows = quality_selectors.transcript_rows(conversation, result) if result is not None else \
        quality_selectors.transcript_rows(conversation)
    hits = list(RuleHit.objects.filter(conversation=conversation, is_current=True).order_by("message_index", "pk"))
    rules = quality_selectors.rule_catalogue(result.ruleset) if result is not None else {}
    for hit in hits:
        hit.rule_name = rules.get(hit.rule_id, {}).get("name", hit.rule_id)
    return {"review": review, "conversation": conversation, "rows": rows, "hits": hits,
            "items": list(review.items.all())}


@role_required(*REVIEW_ROLES)
def review_detail(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    context = _review_context(request, review)
    person = person_for_user(request.user)
    is_agent = person is not None and review.conversation.agent_id == person.pk
    case = CaseWriteUp.objects.filter(review=review).first()
    deadline = services.appeal_deadline(review)
    context.update({
        "appeals": list(review.appeals.all()),
        "can_edit": selectors.can_edit_review(request.user, review),
        "can_appeal": is_agent and review.kind == ReviewKind.REGULAR and review.submitted
        and timezone.localdate() <= (deadline or timezone.localdate())
        and not review.appeals.filter(status__in=[AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD]).exists(),
        "appeal_deadline": deadline,
        "case": case,
        "can_write_case": review.kind == ReviewKind.REGULAR and review.submitted and (
            selectors.can_manage(request.user) or (person is not None and person.pk == review.reviewer_id)),
        "can_manage": selectors.can_manage(request.user) and review.kind == ReviewKind.REGULAR
        and not review.submitted,
        "reassign_form": forms.ReassignForm(candidates=selectors.reviewer_candidates()),
    })
    return render(request, "review/review_detail.html", context)


def _marks_from_post(post, items) -> dict[int, dict]:
    marks = {}
    for item in items:
        key = f"item-{item.position}"
        marks[item.position] = {
            "na": post.get(f"{key}-na") == "on", "earned": post.get(f"{key}-earned", ""),
            "violated": post.get(f"{key}-violated") == "on", "comment": post.get(f"{key}-comment", ""),
            "problem_type": post.get(f"{key}-problem_type", ""), "severity": post.get(f"{key}-severity", ""),
        }
    return marks


@role_required(*QA_STAFF)
def review_edit(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    if not selectors.can_edit_review(request.user, review):
        if review.submitted:
            messages.info(request, _("This review has been submitted."))
            return redirect("review:review-detail", pk=review.pk)
        raise PermissionDenied
    context = _review_context(request, review)
    errors: dict[str, list[str]] = {}
    conflict = None
    posted = None
    if request.method == "POST":
        items = context["items"]
        marks = _marks_from_post(request.POST, items)
        verdicts = {}
        for hit in context["hits"]:
            value = request.POST.get(f"hit-{hit.pk}")
            if value:
                verdicts[hit.pk] = value
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        submit = request.POST.get("action") == "submit"
        try:
            saved = services.review_save(actor=request.user, review=review, version=version, marks=marks,
                                         comment=request.POST.get("comment", ""), verdicts=verdicts, submit=submit)
        except services.ReviewConflict as exc:
            conflict = exc.review
            posted = marks
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            posted = marks
        else:
            if submit:
                messages.success(request, _("Review submitted: score %(score)s.") % {
                    "score": "—" if saved.score is None else f"{saved.score:g}"})
                return redirect("review:review-detail", pk=saved.pk)
            messages.success(request, _("Draft saved."))
            return redirect("review:review-edit", pk=saved.pk)
        # show what was typed, with the errors beside it
        for item in items:
            mark = posted[item.position]
            item.form_na = mark["na"]
            item.form_earned = mark["earned"]
            item.form_violated = mark["violated"]
            item.form_comment = mark["comment"]
            item.form_problem_type = mark["problem_type"]
            item.form_severity = mark["severity"]
            item.errors = [m for k, v in errors.items() if k.startswith(f"item-{item.position}-") for m in v]
        for hit in context["hits"]:
            hit.form_verdict = request.POST.get(f"hit-{hit.pk}", hit.verdict)
            hit.errors = errors.get(f"hit-{hit.pk}", [])
        context["comment"] = request.POST.get("comment", "")
    else:
        services.review_open(review=review, user=request.user)
        for item in context["items"]:
            item.form_na = not item.applicable
            item.form_earned = "" if item.earned is None else f"{item.earned:g}"
            item.form_violated = item.violated
            item.form_comment = item.comment
            item.form_problem_type = item.problem_type
            item.form_severity = item.severity
            item.errors = []
        for hit in context["hits"]:
            hit.form_verdict = hit.verdict
            hit.errors = []
        context["comment"] = review.comment
    context.update({
        "errors": errors.get("__all__", []), "has_errors": bool(errors), "conflict": conflict,
        "problem_types": ProblemType.choices, "severities": Severity.choices,
        "verdicts": [("pending", _("Not judged")), ("confirmed", _("Confirmed")), ("rejected", _("Overturned"))],
    })
    return render(request, "review/review_form.html", context, status=409 if conflict else 200)


@role_required(*QA_STAFF)
@require_POST
def review_start(request, pk: int):
    """Review a conversation now (outside a plan): the existing regular review, or a new one for me."""
    conversation = quality_selectors.conversation_get(user=request.user, pk=pk)
    existing = selectors.regular_review_for(conversation)
    if existing is not None:
        if selectors.reviews_visible_to(request.user).filter(pk=existing.pk).exists():
            return redirect("review:review-detail", pk=existing.pk)
        messages.error(request, _("This conversation is already being reviewed by %(name)s.")
                       % {"name": existing.reviewer.name})
        return redirect("review:queue")
    person = person_for_user(request.user)
    if person is None:
        raise PermissionDenied
    review = services.review_assign(actor=request.user, conversation=conversation, reviewer=person)
    return redirect("review:review-edit", pk=review.pk)


@login_required
@require_POST
def review_reassign(request, pk: int):
    _require_manager(request)
    review = selectors.review_get(user=request.user, pk=pk)
    form = forms.ReassignForm(request.POST, candidates=selectors.reviewer_candidates())
    if form.is_valid():
        try:
            services.review_reassign(actor=request.user, review=review, reviewer=form.cleaned_data["reviewer"])
            messages.success(request, _("Review given to %(name)s.") % {"name": form.cleaned_data["reviewer"].name})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, _("Choose a reviewer."))
    return redirect("review:review-detail", pk=review.pk)


# ---------------------------------------------------------------------------- sampling plans


@role_required(*QA_STAFF)
def plan_list(request):
    plans = selectors.plans_visible_to(request.user)
    return render(request, "review/plan_list.html", {"plans": plans, "can_manage": selectors.can_manage(request.user)})


@login_required
def plan_edit(request, pk: int | None = None):
    _require_manager(request)
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk) if pk else None
    kwargs = {"units": OrgUnit.objects.order_by("path"), "candidates": selectors.reviewer_candidates(),
              "instance": plan}
    form = forms.PlanForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in forms.PlanForm.Meta.fields}
        plan = services.plan_save(actor=request.user, plan=plan, fields=fields, reviewers=form.reviewers)
        messages.success(request, _("Plan saved."))
        return redirect("review:plan-edit", pk=plan.pk)
    runs = list(plan.runs.all()[:20]) if plan else []
    return render(request, "review/plan_form.html", {"form": form, "plan": plan, "runs": runs})


@login_required
@require_POST
def plan_run(request, pk: int):
    _require_manager(request)
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    try:
        outcome = services.plan_run(actor=request.user, plan=plan)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        run = outcome.run
        if outcome.created:
            messages.success(request, _("%(picked)s of %(pool)s conversations picked for %(start)s – %(end)s.") % {
                "picked": run.picked, "pool": run.pool, "start": run.period_start, "end": run.period_end})
        else:
            messages.info(request, _("This plan already ran for %(start)s – %(end)s; nothing new was picked.") % {
                "start": run.period_start, "end": run.period_end})
    return redirect("review:plan-edit", pk=plan.pk)


# ---------------------------------------------------------------------------- case write-ups


@role_required(*QA_STAFF)
def case_edit(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    person = person_for_user(request.user)
    if not (selectors.can_manage(request.user) or (person is not None and person.pk == review.reviewer_id)):
        raise PermissionDenied
    if review.kind != ReviewKind.REGULAR or not review.submitted:
        raise Http404
    case = CaseWriteUp.objects.filter(review=review).first()
    initial = {f: getattr(case, f) for f in services.CASE_FIELDS} if case else {}
    form = forms.CaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_save(actor=request.user, review=review, data=form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            if request.POST.get("action") == "publish":
                services.case_publish(actor=request.user, case=case)
                messages.success(request, _("Published to the case library with personal data masked."))
                return redirect("review:case-detail", pk=case.pk)
            messages.success(request, _("Case write-up saved."))
            return redirect("review:review-detail", pk=review.pk)
    return render(request, "review/case_form.html", {"form": form, "review": review, "case": case})


@role_required(*QA_STAFF)
@require_POST
def case_unpublish(request, pk: int):
    case = get_object_or_404(CaseWriteUp.objects.select_related("review"), pk=pk)
    review = selectors.review_get(user=request.user, pk=case.review_id)
    person = person_for_user(request.user)
    if not (selectors.can_manage(request.user) or (person is not None and person.pk == review.reviewer_id)):
        raise PermissionDenied
    services.case_unpublish(actor=request.user, case=case)
    messages.success(request, _("Taken out of the case library."))
    return redirect("review:review-detail", pk=review.pk)


@login_required
def case_list(request):
    cases = selectors.cases_published()
    outcome = request.GET.get("outcome")
    if outcome in ("good", "bad"):
        cases = cases.filter(outcome=outcome)
    return render(request, "review/case_list.html", {"page": _page(request, cases), "outcome": outcome})


@login_required
def case_detail(request, pk: int):
    case = get_object_or_404(selectors.cases_published(), pk=pk)
    return render(request, "review/case_detail.html", {"case": case, "copy": case.published})


# ---------------------------------------------------------------------------- appeals


@role_required(Role.AGENT)
def appeal_create(request, pk: int):
    review = selectors.review_get(user=request.user, pk=pk)
    person = person_for_user(request.user)
    if person is None or review.conversation.agent_id != person.pk or review.kind != ReviewKind.REGULAR:
        raise Http404
    form = forms.AppealForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            appeal = services.appeal_create(actor=request.user, review=review,
                                            item_ids=[int(i) for i in form.cleaned_data["items"]],
                                            comment=form.cleaned_data["comment"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Appeal sent to your supervisor."))
            return redirect("review:appeal-detail", pk=appeal.pk)
    return render(request, "review/appeal_form.html", {
        "form": form, "review": review, "deadline": services.appeal_deadline(review)})


@role_required(*REVIEW_ROLES)
def appeal_list(request):
    appeals = selectors.appeals_visible_to(request.user)
    status = request.GET.get("status")
    if status in AppealStatus.values:
        appeals = appeals.filter(status=status)
    waiting = set(selectors.appeals_waiting_for(request.user).values_list("pk", flat=True))
    return render(request, "review/appeal_list.html", {
        "page": _page(request, appeals), "status": status, "statuses": AppealStatus.choices, "waiting": waiting,
        "today": timezone.localdate()})


@role_required(*REVIEW_ROLES)
def appeal_detail(request, pk: int):
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    actor_role = selectors.appeal_next_actor(request.user, appeal)
    form = None
    if actor_role == "supervisor":
        form = forms.SupervisorDecisionForm(request.POST or None)
    elif actor_role == "qa_lead":
        form = forms.FinalDecisionForm(request.POST or None, appeal=appeal)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                if actor_role == "supervisor":
                    services.appeal_supervisor_decide(actor=request.user, appeal=appeal,
                                                      action=form.cleaned_data["action"],
                                                      comment=form.cleaned_data["comment"])
                else:
                    scores = {e.pk: form.cleaned_data.get(f"score_{e.pk}") for e in form.entries
                              if form.cleaned_data.get(f"score_{e.pk}") is not None}
                    services.appeal_final_decide(actor=request.user, appeal=appeal,
                                                 accept=form.cleaned_data["decision"] == "accept",
                                                 comment=form.cleaned_data["comment"], new_scores=scores)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("review:appeal-detail", pk=appeal.pk)
    return render(request, "review/appeal_detail.html", {
        "appeal": appeal, "form": form, "actor_role": actor_role, "steps": list(appeal.steps.all()),
        "items": list(appeal.items.select_related("review_item")), "today": timezone.localdate()})


# ---------------------------------------------------------------------------- calibration


@role_required(*QA_STAFF, Role.TRAINING_MANAGER)
def calibration_list(request):
    sessions = selectors.sessions_visible_to(request.user)
    return render(request, "review/calibration_list.html", {
        "sessions": sessions, "can_manage": selectors.can_manage(request.user)})


@login_required
def calibration_create(request):
    _require_manager(request)
    candidates = selectors.reviewer_candidates()
    form = forms.CalibrationForm(request.POST or None, candidates=candidates,
                                 conversations=quality_selectors.conversations_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            session = services.session_create(actor=request.user, title=data["title"], expert=data["expert"],
                                              participants=list(data["participants"]),
                                              conversations=data["conversations"], due_on=data.get("due_on"))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Calibration session created: each reviewer has it in their queue."))
            return redirect("review:calibration-detail", pk=session.pk)
    return render(request, "review/calibration_form.html", {"form": form})


@role_required(*QA_STAFF, Role.TRAINING_MANAGER)
def calibration_detail(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    person = person_for_user(request.user)
    mine = list(session.reviews.filter(reviewer=person).select_related("conversation")) if person else []
    all_reviews = None
    if selectors.can_manage(request.user) or Role.TRAINING_MANAGER in user_roles(request.user):
        all_reviews = list(session.reviews.select_related("conversation", "reviewer")
                           .order_by("conversation_id", "-is_reference", "reviewer__employee_no"))
    return render(request, "review/calibration_detail.html", {
        "session": session, "mine": mine, "all_reviews": all_reviews,
        "can_manage": selectors.can_manage(request.user),
        "can_report": selectors.can_see_report(request.user, session)})


@role_required(*QA_STAFF, Role.TRAINING_MANAGER)
def calibration_report(request, pk: int):
    session = selectors.session_get(user=request.user, pk=pk)
    if not selectors.can_see_report(request.user, session):
        raise PermissionDenied
    return render(request, "review/calibration_report.html", {
        "session": session, "report": services.calibration_report(session)})


@login_required
@require_POST
def calibration_close(request, pk: int):
    _require_manager(request)
    session = selectors.session_get(user=request.user, pk=pk)
    services.session_close(actor=request.user, session=session)
    messages.success(request, _("Session closed: the report is open to the participants."))
    return redirect("review:calibration-report", pk=session.pk)


# ---------------------------------------------------------------------------- dashboard


@role_required(*DASHBOARD_ROLES)
def dashboard(request):
    units = quality_selectors.units_for_filter(request.user)
    form = forms.DashboardForm(request.GET or None, units=units)
    start, end = form.period()
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    versions_ensure_builtin()
    data = metrics.dashboard(user=request.user, unit=unit, start=start, end=end, with_repeat=False)
    return render(request, "review/dashboard.html", {"form": form, "data": data, "start": start, "end": end,
                                                     "unit": unit, "charts": metrics.charts(data)})


@role_required(*DASHBOARD_ROLES)
def dashboard_repeat(request):
    """The repeat-contacts figure of the dashboard, loaded after the page (htmx): the one figure that needs
    every conversation of the period."""
    units = quality_selectors.units_for_filter(request.user)
    form = forms.DashboardForm(request.GET or None, units=units)
    start, end = form.period()
    unit = form.cleaned_data.get("unit") if form.is_valid() else None
    repeat = metrics.repeat_contacts(metrics.dashboard_conversations(user=request.user, unit=unit, start=start,
                                                                     end=end))
    return render(request, "review/includes/dashboard_repeat.html", {"repeat": repeat})


__all__ = [
    "SamplingPlan", "appeal_create", "appeal_detail", "appeal_list", "calibration_close", "calibration_create",
    "calibration_detail", "calibration_list", "calibration_report", "case_detail", "case_edit", "case_list",
    "case_unpublish", "dashboard", "dashboard_repeat", "plan_edit", "plan_list", "plan_run", "queue", "review_detail", "review_edit",
    "review_list", "review_reassign", "review_start",
]
