"""Pages of the Performance app. Thin: scope and reads through kpi.selectors (built on org.selectors),
writes through kpi.services, render.

Who may do what: administrators and training managers everything; supervisors the months' pages for
their own units (the grid, import, scoring, results, analysis); every signed-in user their own
scorecards. Locking, unlocking, opening a month and editing templates are managers' actions.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_errors
from servicecoach.core.permissions import role_required
from servicecoach.kpi import selectors, services
from servicecoach.kpi.engine.tables import write_xlsx
from servicecoach.kpi.forms import (
    AnalysisForm,
    InputsImportForm,
    PeriodForm,
    ScoreForm,
    TeamCostForm,
    TemplateCopyForm,
    TemplateEditForm,
    UnlockForm,
)
from servicecoach.kpi.models import Period, PeriodStatus, ScorecardTemplate
from servicecoach.kpi.sources import sources_for
from servicecoach.kpi.tasks import period_score_later
from servicecoach.org.selectors import people_visible_to, person_for_user, user_has_role

STAFF = selectors.STAFF
MANAGERS = selectors.MANAGERS
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _zh() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _pick(pair) -> str:
    return pair[0] if _zh() else pair[1]


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _period(pk: int) -> Period:
    return get_object_or_404(Period.objects.select_related("template", "version", "current_run"), pk=pk)


def _figure_columns(template) -> list[dict]:
    cols = []
    for fig in template.figures.values():
        levels = []
        if fig.kind == "level":
            rating = template.rating_of(fig.id)
            levels = [{"id": lv.id, "name": _pick(lv.name), "description": _pick(lv.description)}
                      for lv in (rating.levels if rating else [])]
        cols.append({"id": fig.id, "label": _pick(fig.name), "kind": fig.kind, "levels": levels})
    return cols


# ---------------------------------------------------------------- months


@role_required(*STAFF)
def period_list(request):
    return render(request, "kpi/period_list.html", {
        "periods": selectors.period_list(), "can_manage": selectors.can_manage(request.user),
    })


@role_required(*MANAGERS)
def period_create(request):
    services.builtin_templates_sync(actor=request.user)
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.period_create(actor=request.user, template=form.cleaned_data["template"],
                                            month=form.cleaned_data["month"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(month)s opened with %(agents)s agents.")
                             % {"month": period.month, "agents": period.inputs.count()})
            return redirect("kpi:period-detail", pk=period.pk)
    return render(request, "kpi/period_form.html", {"form": form})


@role_required(*STAFF)
def period_detail(request, pk: int):
    period = _period(pk)
    template = selectors.version_template(period.version)
    teams = selectors.period_teams(user=request.user, period=period)
    costs = selectors.team_costs(period=period, unit_ids=[t["unit"].pk for t in teams])
    for t in teams:
        t["cost"] = costs.get(t["unit"].pk)
    return render(request, "kpi/period_detail.html", {
        "period": period,
        "teams": teams,
        "runs": period.runs.select_related("version").order_by("-number"),
        "can_manage": selectors.can_manage(request.user),
        "score_form": ScoreForm(),
        "sources": sources_for(template.figures),
        "template_name": _pick(template.name),
    })


@role_required(*MANAGERS)
@require_POST
def period_sync(request, pk: int):
    period = _period(pk)
    try:
        added = services.period_sync_agents(actor=request.user, period=period)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("%(n)s agent(s) added.") % {"n": added})
    return redirect("kpi:period-detail", pk=period.pk)


@role_required(*STAFF)
@require_POST
def period_score(request, pk: int):
    period = _period(pk)
    form = ScoreForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    if period.locked:
        messages.error(request, _errors(services._locked_error(period)))
        return redirect("kpi:period-detail", pk=period.pk)
    try:
        done = period_score_later(period_id=period.pk, actor_id=request.user.pk, note=note)
    except ValidationError as error:  # raised when the job runs at once (embedded mode)
        messages.error(request, _errors(error))
        return redirect("kpi:period-detail", pk=period.pk)
    if done:
        period.refresh_from_db()
        messages.success(request, _("%(month)s scored (run %(number)s).")
                         % {"month": period.month, "number": period.current_run.number})
    else:
        messages.info(request, _("Scoring of %(month)s has started: reload this page in a moment.")
                      % {"month": period.month})
    return redirect("kpi:results", pk=period.pk)


@role_required(*MANAGERS)
@require_POST
def period_lock(request, pk: int):
    period = _period(pk)
    try:
        services.period_lock(actor=request.user, period=period)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("%(month)s is locked.") % {"month": period.month})
    return redirect("kpi:period-detail", pk=period.pk)


@role_required(*MANAGERS)
def period_unlock(request, pk: int):
    period = _period(pk)
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.period_unlock(actor=request.user, period=period, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("%(month)s is unlocked.") % {"month": period.month})
            return redirect("kpi:period-detail", pk=period.pk)
    return render(request, "kpi/period_unlock.html", {"period": period, "form": form})


@role_required(*STAFF)
@require_POST
def period_compute(request, pk: int):
    period = _period(pk)
    try:
        n = services.inputs_compute(actor=request.user, period=period, source_key=request.POST.get("source", ""),
                                    people=people_visible_to(request.user))
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("%(n)s value(s) filled in.") % {"n": n})
    return redirect("kpi:period-detail", pk=period.pk)


# ---------------------------------------------------------------- data entry


def _team_grid_page(request, period, unit, cost_form=None, status=200):
    template = selectors.version_template(period.version)
    columns = _figure_columns(template)
    rows = selectors.inputs_visible_to(request.user, period).filter(unit=unit)
    grid = [{"row": r, "cells": [{"col": c, "value": r.figures.get(c["id"])} for c in columns]} for r in rows]
    cost = selectors.team_costs(period=period, unit_ids=[unit.pk]).get(unit.pk)
    if cost_form is None:
        cost_form = TeamCostForm(initial={"labour_cost": f"{cost.labour_cost:f}" if cost else "",
                                          "note": cost.note if cost else ""})
    return render(request, "kpi/team_grid.html", {
        "period": period, "unit": unit, "columns": columns, "grid": grid, "editable": not period.locked,
        "cost": cost, "cost_form": cost_form,
    }, status=status)


@role_required(*STAFF)
def team_grid(request, pk: int, unit_pk: int):
    period = _period(pk)
    unit = selectors.team_unit_or_none(user=request.user, period=period, unit_pk=unit_pk)
    if unit is None:
        raise Http404
    return _team_grid_page(request, period, unit)


@role_required(*STAFF)
@require_POST
def team_cost(request, pk: int, unit_pk: int):
    """The team's labour cost of the month (for the team analysis): saved and back to the grid, or the
    grid again with the form's error."""
    period = _period(pk)
    unit = selectors.team_unit_or_none(user=request.user, period=period, unit_pk=unit_pk)
    if unit is None:
        raise Http404
    form = TeamCostForm(request.POST)
    if form.is_valid():
        try:
            changed = services.team_cost_set(actor=request.user, period=period, unit=unit,
                                             raw=form.cleaned_data["labour_cost"], note=form.cleaned_data["note"])
        except ValidationError as error:
            period.refresh_from_db()
            _apply_errors(form, error)
        else:
            if changed:
                messages.success(request, _("Labour cost of %(unit)s for %(month)s saved.")
                                 % {"unit": unit.name, "month": period.month})
            return redirect("kpi:team-grid", pk=period.pk, unit_pk=unit.pk)
    return _team_grid_page(request, period, unit, cost_form=form, status=422)


@role_required(*STAFF)
@require_POST
def cell_save(request, pk: int):
    """One cell of the grid (htmx): saves and answers the cell again, with the error if the value is refused."""
    period = _period(pk)
    person_pk = request.POST.get("person", "")
    person = selectors.visible_person_or_none(request.user, int(person_pk)) if person_pk.isdigit() else None
    if person is None:
        raise Http404
    template = selectors.version_template(period.version)
    figure = request.POST.get("figure", "")
    col = next((c for c in _figure_columns(template) if c["id"] == figure), None)
    if col is None:
        return HttpResponse(_("%(figure)s is not a figure of this template.") % {"figure": figure[:40]}, status=400)
    raw = request.POST.get("value", "")
    error, saved, value = "", False, raw
    try:
        row, saved = services.input_set(actor=request.user, period=period, person=person, figure=figure, raw=raw,
                                        note=request.POST.get("note", ""))
        value = row.figures.get(figure)
    except ValidationError as e:
        error = _errors(e)
        period.refresh_from_db()
        if period.locked:  # show what is stored, not the refused text
            row = period.inputs.filter(person=person).first()
            value = row.figures.get(figure) if row else None
    status = 200 if not error else 422
    return render(request, "kpi/_cell.html", {
        "period": period, "person": person, "cell": {"col": col, "value": value}, "error": error, "saved": saved,

        "editable": not period.locked,
    }, status=status)


@role_required(*STAFF)
def inputs_import(request, pk: int):
    period = _period(pk)
    template = selectors.version_template(period.version)
    form = InputsImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            report = services.inputs_import(actor=request.user, period=period, file=upload, file_name=upload.name,
                                            people=people_visible_to(request.user))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "kpi/import_result.html", {"period": period, "report": report})
    return render(request, "kpi/import_form.html", {"period": period, "form": form,
                                                     "columns": _figure_columns(template)})


@role_required(*STAFF)
def inputs_export(request, pk: int):
    """The month's inputs of the user's agents as .xlsx, in the layout the import reads back."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    period = _period(pk)
    template = selectors.version_template(period.version)
    wb = Workbook()
    ws = wb.active
    ws.title = period.month
    ws.append(["工号", "姓名", "团队", "月份", *(f.name[0] for f in template.figures.values())])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "C2"
    for r in selectors.inputs_visible_to(request.user, period):
        ws.append([r.person.employee_no, r.person.name, r.unit.name, period.month,
                   *(r.figures.get(fid) for fid in template.figures)])
    # The teams' labour costs on a second sheet, which the import reads back (services.costs_import_sheet).
    wc = wb.create_sheet(services.COST_SHEETS[0])
    wc.append(["团队编码", "团队", "月份", "人力成本"])
    for cell in wc[1]:
        cell.font = Font(bold=True)
    teams = selectors.period_teams(user=request.user, period=period)
    costs = selectors.team_costs(period=period, unit_ids=[t["unit"].pk for t in teams])
    for t in teams:
        cost = costs.get(t["unit"].pk)
        wc.append([t["unit"].code, t["unit"].name, period.month, float(cost.labour_cost) if cost else None])
    buf = io.BytesIO()
    wb.save(buf)
    name = f"kpi-{period.template.key}-{period.month}-inputs.xlsx"
    return HttpResponse(buf.getvalue(), content_type=XLSX,
                        headers={"Content-Disposition": content_disposition_header(True, name)})


@role_required(*STAFF)
def input_history(request, pk: int):
    period = _period(pk)
    person = None
    if request.GET.get("person", "").isdigit():
        person = selectors.visible_person_or_none(request.user, int(request.GET["person"]))
        if person is None:
            raise Http404
    template = selectors.version_template(period.version)
    labels = {fid: _pick(f.name) for fid, f in template.figures.items()}
    changes = selectors.input_history(user=request.user, period=period, person=person)
    page = Paginator(changes, 50).get_page(request.GET.get("page"))
    for c in page:
        c.figure_label = labels.get(c.figure, c.figure)
    return render(request, "kpi/input_history.html", {"period": period, "page": page, "person": person})


# ---------------------------------------------------------------- results


def _result_view(result) -> dict:
    return {
        "result": result,
        "items": [{**it, "text": it["zh"] if _zh() else it["en"]} for it in result.items],
    }


@role_required(*STAFF)
def results(request, pk: int):
    period = _period(pk)
    template = selectors.version_template(period.version)
    units = selectors.ranking_units(user=request.user, period=period)
    unit = None
    if request.GET.get("unit", "").isdigit():
        unit = next((u for u in units if u.pk == int(request.GET["unit"])), None)
        if unit is None:
            raise Http404
    teams: list[dict] = []
    ranking = None
    if unit is not None:
        ranking = selectors.unit_ranking(user=request.user, period=period, unit=unit)
    else:
        for r in selectors.results_visible_to(request.user, period):
            if not teams or teams[-1]["unit"].pk != r.unit_id:
                teams.append({"unit": r.unit, "results": []})
            teams[-1]["results"].append(r)
    return render(request, "kpi/results.html", {
        "period": period, "teams": teams, "units": units, "unit": unit, "ranking": ranking,
        "sections": [{"id": s.id, "name": _pick(s.name)} for s in template.sections],
        "tiers": {i.id: _pick(i.name) for i in template.incentives},
        "runs": period.runs.order_by("-number")[:10],
    })


@role_required(*STAFF)
def results_export(request, pk: int):
    """The scorecards of the user's agents as .xlsx (the engine's workbook: summary, explanations, template)."""
    import tempfile
    from pathlib import Path

    period = _period(pk)
    template = selectors.version_template(period.version)
    rows = list(selectors.results_visible_to(request.user, period).select_related("run__period"))
    results = selectors.engine_results(rows)
    for r in results:
        r.template, r.version = template.id, template.version
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "results.xlsx"
        write_xlsx(path, template, results, month=period.month)
        data = path.read_bytes()
    name = f"kpi-{period.template.key}-{period.month}-results.xlsx"
    return HttpResponse(data, content_type=XLSX,
                        headers={"Content-Disposition": content_disposition_header(True, name)})


@login_required
def result_detail(request, pk: int, person_pk: int):
    """One agent's scorecard with every item explained, and their trend; 404 outside the user's scope."""
    period = _period(pk)
    result = selectors.result_for(user=request.user, period=period, person_pk=person_pk)
    if result is None:
        raise Http404
    template = selectors.version_template(result.run.version)
    sections = []
    view = _result_view(result)
    for s in template.sections:
        items = [it for it in view["items"] if it["section"] == s.id]
        sections.append({"name": _pick(s.name), "points": result.sections.get(s.id),
                         "weight": sum(it["weight"] for it in items), "items": items})
    names = {it.id: _pick(it.name) for it in template.items}
    for s in sections:
        for it in s["items"]:
            it["name"] = names.get(it["item"], it["item"])
    trend = selectors.person_results(person=result.person, template=period.template)
    return render(request, "kpi/result_detail.html", {
        "period": period, "result": result, "sections": sections,
        "tier": next((_pick(i.name) for i in template.incentives if i.id == result.tier), ""),
        "trend_data": {"months": [t.run.period.month for t in trend], "totals": [t.total for t in trend]},
        "trend": trend, "staff_view": user_has_role(request.user, *STAFF),
    })


@login_required
def my_results(request):
    person = person_for_user(request.user)
    results = list(reversed(selectors.person_results(person=person))) if person else []
    return render(request, "kpi/my_results.html", {
        "results": results,
        "trend_data": {"months": [r.run.period.month for r in reversed(results)],
                       "totals": [r.total for r in reversed(results)]},
    })


# ---------------------------------------------------------------- analysis


def _analysis(request) -> dict:
    """What the analysis page and its Excel export show: the chosen (else the latest) scored month."""
    form = AnalysisForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {}) or {}
    template_obj = data.get("template") or ScorecardTemplate.objects.filter(periods__current_run__isnull=False) \
        .order_by("-builtin", "key").first()
    if template_obj is not None and not data.get("template"):  # show the template the page defaults to
        form = AnalysisForm(initial={"template": template_obj.pk})
    context = {"form": form, "template_obj": template_obj, "period": None}
    if template_obj is None:
        return context
    scored = list(Period.objects.filter(template=template_obj, current_run__isnull=False).order_by("-month"))
    period = next((p for p in scored if p.month == data.get("month")), scored[0] if scored else None)
    context.update({"months": [p.month for p in scored], "period": period})
    if period is None:
        return context
    template = selectors.version_template(period.version)
    rows = list(selectors.results_visible_to(request.user, period))
    averages = selectors.item_averages(template, rows, language="zh" if _zh() else "en")
    comparison = selectors.team_comparison(user=request.user, period=period)
    trend = selectors.team_trend(user=request.user, template=template_obj)
    context.update({
        "results_count": len(rows), "averages": averages, "weakest": selectors.weakest_items(averages),
        "comparison": comparison, "trend": trend, "totals": [r.total for r in rows],
        "working_days": selectors.month_working_days(period.month),
        "max_total": template.max_total,
    })
    return context


@role_required(*STAFF)
def analysis(request):
    context = _analysis(request)
    if context.get("results_count") is not None:
        context["charts"] = {
            "totals": context["totals"],
            "max_total": context["max_total"],
            "items": {"names": [a.name for a in context["averages"]],
                      "share": [a.share for a in context["averages"]]},
            "trend": context["trend"],
            "teams": {"names": [t["unit"].name for t in context["comparison"]],
                      "average": [t["average_total"] for t in context["comparison"]]},
            "compare": {key: [t[field] for t in context["comparison"]] for key, field in (
                ("sales", "sales"), ("labour_cost", "labour_cost"), ("sales_per_agent", "sales_per_agent"),
                ("sales_per_cost", "sales_per_cost"), ("per_agent_per_day", "consultations_per_agent_per_day"))}
            | {"names": [t["unit"].name for t in context["comparison"]]},
        }
        context["chart_labels"] = {"agents": _("agents"), "total": _("total"),
                                   "share": _("points ÷ weight, in percent"), "average": _("average total"),
                                   "sales": _("Monthly sales"), "labour_cost": _("Labour cost"), "yuan": _("yuan"),
                                   "sales_per_agent": _("Sales per agent"),
                                   "sales_per_cost": _("Sales per yuan of labour cost"),
                                   "per_agent_per_day": _("Consultations per agent per day")}
    return render(request, "kpi/analysis.html", context)


@role_required(*STAFF)
def analysis_export(request):
    """The analysis of the month as .xlsx: teams compared, item averages, the trend per team."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    context = _analysis(request)
    if context.get("results_count") is None:
        raise Http404
    wb = Workbook()
    ws = wb.active
    ws.title = _("Teams compared")[:31]
    columns = [("staff", _("Staff")), ("average_total", _("Average total")),
               ("working_days", _("Working days")), ("consultations", _("Consultations")),
               ("consultations_per_day", _("Consultations per day")),
               ("consultations_per_agent", _("Consultations per agent")),
               ("consultations_per_agent_per_day", _("Consultations per agent per day")),
               ("labour_cost", _("Labour cost")), ("cost_per_agent", _("Labour cost per agent")),
               ("sales", _("Monthly sales")), ("orders", _("Orders")), ("visits", _("Visits")),
               ("conversion", _("Conversion") + " (%)"), ("sales_per_agent", _("Sales per agent")),
               ("sales_per_cost", _("Sales per yuan of labour cost"))]
    ws.append([_("Team"), *(label for _key, label in columns)])
    for t in context["comparison"]:  # a missing value (no data, or a divisor of 0) is an empty cell
        ws.append([t["unit"].name, *(t[key] for key, _label in columns)])
    wi = wb.create_sheet(_("Items")[:31])
    wi.append([_("Item"), _("Weight"), _("Average"), _("points ÷ weight, in percent"), _("no data")])
    for a in context["averages"]:
        wi.append([a.name, a.weight, a.average, a.share, a.no_data])
    wt = wb.create_sheet(_("Trend")[:31])
    wt.append([_("Team"), *context["trend"]["months"]])
    for series in context["trend"]["series"]:
        wt.append([series["name"], *series["y"]])
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "B2"
    buf = io.BytesIO()
    wb.save(buf)
    period = context["period"]
    name = f"kpi-{period.template.key}-{period.month}-analysis.xlsx"
    return HttpResponse(buf.getvalue(), content_type=XLSX,
                        headers={"Content-Disposition": content_disposition_header(True, name)})


# ---------------------------------------------------------------- templates


@role_required(*STAFF)
def template_list(request):
    services.builtin_templates_sync(actor=None)
    templates = []
    for t in selectors.template_list():
        latest = selectors.latest_version(t)
        templates.append(SimpleNamespace(obj=t, latest=latest, periods=t.periods.count()))
    return render(request, "kpi/template_list.html", {"templates": templates,
                                                      "can_manage": selectors.can_manage(request.user)})


@role_required(*STAFF)
def template_detail(request, pk: int):
    obj = get_object_or_404(ScorecardTemplate, pk=pk)
    versions = list(obj.versions.select_related("created_by").order_by("-number"))
    version = versions[0]
    if request.GET.get("version", "").isdigit():
        version = next((v for v in versions if v.number == int(request.GET["version"])), None)
        if version is None:
            raise Http404
    template = selectors.version_template(version)
    sections = [{"name": _pick(s.name), "items": [
        {"id": it.id, "name": _pick(it.name), "weight": it.weight, "input": it.input or "",
         "cap": it.cap, "rules": len(it.rules), "description": _pick(it.description)} for it in s.items]}
        for s in template.sections]
    return render(request, "kpi/template_detail.html", {
        "obj": obj, "version": version, "versions": versions, "template": template, "sections": sections,
        "columns": _figure_columns(template), "can_manage": selectors.can_manage(request.user),
        "template_name": _pick(template.name), "description": _pick(template.description),
        "incentives": [{"id": i.id, "name": _pick(i.name), "top": i.top_percent} for i in template.incentives],
    })


@role_required(*MANAGERS)
def template_copy(request, pk: int):
    obj = get_object_or_404(ScorecardTemplate, pk=pk)
    form = TemplateCopyForm(request.POST or None, initial={"key": f"{obj.key}-copy", "name": obj.name})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.template_copy(actor=request.user, template=obj, key=form.cleaned_data["key"],
                                          name=form.cleaned_data["name"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Template %(key)s created.") % {"key": copy.key})
            return redirect("kpi:template-detail", pk=copy.pk)
    return render(request, "kpi/template_copy.html", {"obj": obj, "form": form})


@role_required(*MANAGERS)
def template_edit(request, pk: int):
    obj = get_object_or_404(ScorecardTemplate, pk=pk)
    if obj.builtin:
        messages.error(request, _("A built-in template cannot be edited: copy it and edit the copy."))
        return redirect("kpi:template-detail", pk=obj.pk)
    latest = selectors.latest_version(obj)
    form = TemplateEditForm(request.POST or None, initial={"source": latest.source if latest else ""})
    if request.method == "POST" and form.is_valid():
        try:
            version = services.template_version_create(actor=request.user, template=obj,
                                                       source=form.cleaned_data["source"],
                                                       note=form.cleaned_data["note"])
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("Version %(number)s saved.") % {"number": version.number})
            return redirect("kpi:template-detail", pk=obj.pk)
    return render(request, "kpi/template_edit.html", {"obj": obj, "form": form, "latest": latest})


__all__ = ["PeriodStatus"]
