"""Pages of the Quality inspection app under /qa/: conversations, uploads and jobs, unmapped agents,
rule sets and scorecards. Thin: scope and reads from ``quality.selectors``, writes through
``quality.services`` and ``quality.jobs``."""

from __future__ import annotations

import csv
import io

import yaml
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_errors
from servicecoach.core.permissions import role_required
from servicecoach.org.models import Person, Role
from servicecoach.quality import jobs, scoring, selectors, services
from servicecoach.quality.extensions import conversation_panels
from servicecoach.quality.forms import (
    ConversationFilterForm,
    MapAgentForm,
    PreviewForm,
    RescoreForm,
    ScorecardItemsForm,
    UploadForm,
    VersionForm,
)
from servicecoach.quality.models import (
    Job,
    RuleHit,
    RuleSetVersion,
    ScorecardVersion,
    UnmappedAgent,
    VersionStatus,
)
from servicecoach.quality.paging import CappedPaginator

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
KINDS = {"ruleset": RuleSetVersion, "scorecard": ScorecardVersion}


# ---------------------------------------------------------------- conversations


def _filter_form(request) -> ConversationFilterForm:
    ruleset, _card = selectors.published_versions()
    return ConversationFilterForm(
        request.GET or None, units=selectors.units_for_filter(request.user),
        agents=selectors.agents_for_filter(request.user), rules=selectors.rule_catalogue(ruleset),
    )


@role_required(*selectors.QA_VIEWERS)
def conversation_list(request):
    form = _filter_form(request)
    queryset = selectors.conversation_list(user=request.user, filters=form.filters() if request.GET else {})
    page = CappedPaginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "can_upload": selectors.user_roles(request.user) & set(selectors.QA_STAFF)}
    if request.htmx and not request.htmx.boosted:
        return render(request, "quality/conversation_results.html", context)
    return render(request, "quality/conversation_list.html", context)


@role_required(*selectors.QA_VIEWERS)
def conversation_export(request):
    """The filtered list as an Excel workbook (at most EXPORT_LIMIT rows)."""
    import openpyxl

    form = _filter_form(request)
    queryset = selectors.conversation_list(user=request.user, filters=form.filters() if request.GET else {})
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Conversations"))
    sheet.append([_("Source"), _("Conversation id"), _("Channel"), _("Started at"), _("Agent number"), _("Agent"),
                  _("Unit"), _("Messages"), _("First response (s)"), _("Duration (s)"), _("CSAT"), _("Score"),
                  _("Grade"), _("Red line"), _("Reviewed at")])
    for conv in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append([
            conv.source, conv.external_id, conv.get_channel_display(),
            timezone.localtime(conv.started_at).replace(tzinfo=None) if conv.started_at else None,
            conv.agent_employee_no, conv.agent.name if conv.agent else conv.agent_name,
            conv.unit.name if conv.unit else "", conv.message_count, conv.first_response_seconds,
            conv.duration_seconds, conv.csat, conv.score, conv.grade, _("Yes") if conv.red_line else _("No"),
            timezone.localtime(conv.reviewed_at).replace(tzinfo=None) if conv.reviewed_at else None,
        ])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="conversations-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@role_required(*selectors.QA_VIEWERS)
def conversation_detail(request, pk: int):
    conversation = selectors.conversation_get(user=request.user, pk=pk)
    data = selectors.conversation_page_data(conversation)
    return render(request, "quality/conversation_detail.html", data | {
        "conversation": conversation,
        "can_judge": bool(selectors.user_roles(request.user) & set(selectors.QA_STAFF)),
        "panels": conversation_panels(),
    })


@require_POST
@role_required(*selectors.QA_STAFF)
def hit_verdict(request, pk: int):
    hit = get_object_or_404(RuleHit.objects.select_related("conversation"), pk=pk)
    conversation = selectors.conversation_get(user=request.user, pk=hit.conversation_id)
    verdict = request.POST.get("verdict", "")
    try:
        hit = services.hit_set_verdict(actor=request.user, hit=hit, verdict=verdict)
    except ValidationError as exc:
        return HttpResponse("; ".join(exc.messages), status=400)
    if request.htmx:
        rules = selectors.rule_catalogue(hit.result.ruleset)
        return render(request, "quality/includes/hit_row.html", {"hit": hit, "rules": rules, "can_judge": True})
    messages.success(request, _("Verdict saved."))
    return redirect("quality:conversation-detail", pk=conversation.pk)


# ---------------------------------------------------------------- uploads and jobs


@role_required(*selectors.QA_STAFF)
def upload(request):
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create_import(actor=request.user, upload=form.cleaned_data["file"],
                                         csv_columns=form.csv_columns(), source=form.cleaned_data["source"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("quality:job-detail", pk=job.pk)
    return render(request, "quality/upload.html", {"form": form, "rescore_form": RescoreForm()})


@role_required(*selectors.QA_STAFF)
def job_list(request):
    page = Paginator(selectors.jobs_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "quality/job_list.html", {"page": page})


def _job_or_404(user, pk: int) -> Job:
    job = selectors.jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


@role_required(*selectors.QA_STAFF)
def job_detail(request, pk: int):
    job = _job_or_404(request.user, pk)
    context = {"job": job, "stale": jobs.job_is_stale(job), "skips": job.skips.all()[:20]}
    if request.htmx:
        return render(request, "quality/includes/job_progress.html", context)
    return render(request, "quality/job_detail.html", context)


@role_required(*selectors.QA_STAFF)
def job_skips(request, pk: int):
    """The skipped-records report as CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese)."""
    job = _job_or_404(request.user, pk)
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in jobs.skipped_rows(job):
        writer.writerow(row)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="job-{job.pk}-skipped.csv"'
    return response


@require_POST
@role_required(*selectors.QA_STAFF)
def job_resume(request, pk: int):
    job = _job_or_404(request.user, pk)
    try:
        jobs.job_resume(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The job continues from record %(n)s.") % {"n": job.checkpoint})
    return redirect("quality:job-detail", pk=job.pk)


@require_POST
@role_required(*selectors.QA_STAFF)
def rescore(request):
    form = RescoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the dates."))
        return redirect("quality:upload")
    job = jobs.job_create_rescore(actor=request.user, date_from=form.cleaned_data["date_from"],
                                  date_to=form.cleaned_data["date_to"])
    return redirect("quality:job-detail", pk=job.pk)


# ---------------------------------------------------------------- unmapped agents


@role_required(Role.ADMIN)
def unmapped_list(request):
    show_all = request.GET.get("all") == "1"
    entries = UnmappedAgent.objects.select_related("mapped_to")
    if not show_all:
        entries = entries.filter(mapped_to__isnull=True)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    form = MapAgentForm(people=Person.objects.order_by("employee_no"))
    return render(request, "quality/unmapped_list.html", {"page": page, "form": form, "show_all": show_all})


@require_POST
@role_required(Role.ADMIN)
def unmapped_map(request, pk: int):
    entry = get_object_or_404(UnmappedAgent, pk=pk)
    form = MapAgentForm(request.POST, people=Person.objects.all())
    if not form.is_valid():
        messages.error(request, _("Choose the person this employee number belongs to."))
        return redirect("quality:unmapped-list")
    # Every conversation of the number moves to the person: possibly many days of the dashboard summary,
    # noted here and settled after the answer (as for the API's batches).
    with services.bulk_changes():
        linked = services.unmapped_agent_map(actor=request.user, entry=entry, person=form.cleaned_data["person"])
    transaction.on_commit(jobs.settle_dispatch)
    messages.success(request, ngettext(
        "%(number)s is now %(person)s; %(count)s conversation linked.",
        "%(number)s is now %(person)s; %(count)s conversations linked.", linked,
    ) % {"number": entry.employee_no, "person": form.cleaned_data["person"], "count": linked})
    return redirect("quality:unmapped-list")


# ---------------------------------------------------------------- rule sets and scorecards


def _model(kind: str):
    model = KINDS.get(kind)
    if model is None:
        raise Http404
    return model


@role_required(*selectors.QA_STAFF)
def version_list(request):
    ruleset, card = selectors.published_versions()
    return render(request, "quality/version_list.html", {
        "rulesets": RuleSetVersion.objects.select_related("author")[:50],
        "scorecards": ScorecardVersion.objects.select_related("author")[:50],
        "published_ruleset": ruleset, "published_scorecard": card,
        "rule_stats": selectors.rule_hit_stats(ruleset),
    })


@role_required(*selectors.QA_STAFF)
def version_create(request, kind: str):
    """A new draft, starting from the published version's YAML (or another version's, ?from=<pk>)."""
    model = _model(kind)
    selectors.published_versions()
    base = model.objects.filter(pk=request.GET.get("from")).first() if request.GET.get("from", "").isdigit() else None
    base = base or model.objects.filter(status=VersionStatus.PUBLISHED).first()
    form = VersionForm(request.POST or None, initial={"yaml_text": base.yaml_text if base else ""})
    error_line = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["yaml_text"]
        try:
            version = services.version_create_draft(actor=request.user, model=model, yaml_text=text,
                                                    note=form.cleaned_data["note"])
        except ValidationError as exc:
            _apply_errors(form, exc)
            error_line = _error_line(text, model)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("quality:version-edit", kind=kind, pk=version.pk)
    return render(request, "quality/version_edit.html", {"form": form, "kind": kind, "version": None,
                                                         "error_line": error_line})


def _error_line(text: str, model) -> int | None:
    try:
        if model is RuleSetVersion:
            scoring.parse_ruleset_text(text)
        else:
            scoring.parse_scorecard_text(text)
    except scoring.YamlProblem as problem:
        return problem.line
    return None


@role_required(*selectors.QA_STAFF)
def version_edit(request, kind: str, pk: int):
    model = _model(kind)
    version = get_object_or_404(model, pk=pk)
    form = VersionForm(request.POST or None, initial={"yaml_text": version.yaml_text, "note": version.note})
    error_line = None
    if request.method == "POST":
        if not version.editable:
            messages.error(request, _("Only a draft can be edited; published versions stay as they were."))
            return redirect("quality:version-edit", kind=kind, pk=pk)
        if form.is_valid():
            text = form.cleaned_data["yaml_text"]
            try:
                services.version_update_draft(actor=request.user, version=version, yaml_text=text,
                                              note=form.cleaned_data["note"])
            except ValidationError as exc:
                _apply_errors(form, exc)
                error_line = _error_line(text, model)
            else:
                messages.success(request, _("Draft saved."))
                return redirect("quality:version-edit", kind=kind, pk=pk)
    context = {"form": form, "kind": kind, "version": version, "error_line": error_line}
    if kind == "ruleset":
        context["preview_form"] = _preview_form(version)
        context["rule_count"] = len(selectors.rule_catalogue(version))
    return render(request, "quality/version_edit.html", context)


def _preview_form(version: RuleSetVersion, data=None) -> PreviewForm | None:
    rules = selectors.rule_catalogue(version)
    return PreviewForm(data, rules=rules) if rules else None


@require_POST
@role_required(*selectors.QA_STAFF)
def version_publish(request, kind: str, pk: int):
    version = get_object_or_404(_model(kind), pk=pk)
    try:
        services.version_publish(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quality:version-edit", kind=kind, pk=pk)
    messages.success(request, _("Version %(number)s is published: new conversations are scored with it. "
                                "Re-score stored ones from the upload page.") % {"number": version.number})
    return redirect("quality:version-list")


@require_POST
@role_required(*selectors.QA_STAFF)
def version_delete(request, kind: str, pk: int):
    version = get_object_or_404(_model(kind), pk=pk)
    try:
        services.version_delete_draft(actor=request.user, version=version)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quality:version-edit", kind=kind, pk=pk)
    messages.success(request, _("Draft deleted."))
    return redirect("quality:version-list")


@role_required(*selectors.QA_STAFF)
def ruleset_preview(request, pk: int):
    """Run one rule of this version on the last N days of stored conversations (htmx fragment)."""
    version = get_object_or_404(RuleSetVersion, pk=pk)
    form = _preview_form(version, request.GET or None)
    preview = error = None
    if form is None:
        error = _("The YAML of this version does not parse: fix it first.")
    elif form.is_valid():
        try:
            preview = selectors.rule_preview(user=request.user, version=version, rule_id=form.cleaned_data["rule"],
                                             days=form.cleaned_data["days"])
        except scoring.YamlProblem as problem:
            error = problem.message
    context = {"form": form, "version": version, "preview": preview, "error": error}
    if request.htmx:
        return render(request, "quality/includes/preview_result.html", context)
    return render(request, "quality/ruleset_preview.html", context)


@role_required(*selectors.QA_STAFF)
def scorecard_items(request, pk: int):
    """The scorecard's items as a form: points, mode and red line per item. Saving writes the YAML of
    the draft (comments in the YAML are not kept)."""
    version = get_object_or_404(ScorecardVersion, pk=pk)
    try:
        document = scoring.load_yaml_text(version.yaml_text)
    except scoring.YamlProblem:
        document = None
    if not isinstance(document, dict):
        messages.error(request, _("The YAML of this version does not parse: fix it in the editor first."))
        return redirect("quality:version-edit", kind="scorecard", pk=pk)
    form = ScorecardItemsForm(request.POST or None, data_yaml=document)
    if request.method == "POST":
        if not version.editable:
            messages.error(request, _("Only a draft can be edited; published versions stay as they were."))
            return redirect("quality:scorecard-items", pk=pk)
        if form.is_valid():
            text = yaml.safe_dump(form.apply(document), allow_unicode=True, sort_keys=False, width=120)
            try:
                services.version_update_draft(actor=request.user, version=version, yaml_text=text)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Points saved."))
                return redirect("quality:scorecard-items", pk=pk)
    zh = (request.LANGUAGE_CODE or "").startswith("zh")
    return render(request, "quality/scorecard_items.html", {"form": form, "version": version, "zh": zh})
