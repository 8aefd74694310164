"""Changing the Performance app: templates and their versions, months, figures, scoring and locking.

Every change is recorded: figure changes in the append-only ``InputChange`` history (who, what, from,
to, when, note), the rest (a new template version, opening, scoring, locking and unlocking a month,
an import) in the organisation's audit log, in the same transaction. A locked month refuses every
change until a manager unlocks it with a reason.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.kpi import selectors
from servicecoach.kpi.engine.rules import Rating
from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.tables import TableError, _number, previous_month, read_table
from servicecoach.kpi.engine.template import (
    TEMPLATES_DIR,
    Template,
    TemplateError,
    parse_template,
)
from servicecoach.kpi.models import (
    AgentInput,
    AgentResult,
    InputChange,
    InputSource,
    Period,
    PeriodStatus,
    ScorecardTemplate,
    ScorecardVersion,
    ScoringRun,
    TeamCost,
)
from servicecoach.kpi.sources import SOURCES
from servicecoach.org.models import AuditAction, OrgUnit, Person, PersonStatus, Role, RoleAssignment, User
from servicecoach.org.services import audit_record

MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def _actor_name(actor: User | None) -> str:
    if actor is None or not actor.is_authenticated:
        return ""
    person = getattr(actor, "person", None)
    return (person.name if person is not None else actor.get_username())[:150]


def _locked_error(period: Period) -> ValidationError:
    return ValidationError(_("%(month)s is locked: nothing can change until a manager unlocks it.")
                           % {"month": period.month}, code="locked")


# ---------------------------------------------------------------- templates


def _parse_source(source: str, *, key: str | None = None) -> Template:
    """Validate a template text; a problem becomes a ValidationError on ``source`` naming the field."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = _(" at line %(line)s, column %(column)s") % {"line": mark.line + 1, "column": mark.column + 1} \
            if mark else ""
        raise ValidationError({"source": _("Not valid YAML%(at)s: %(problem)s")
                               % {"at": at, "problem": getattr(e, "problem", e)}}) from None
    try:
        tpl = parse_template(data, source=key or "")
    except TemplateError as e:
        raise ValidationError({"source": str(e)}) from None
    if key is not None and tpl.id != key:
        raise ValidationError({"source": _("field template: must be %(key)s, the id of this template (not %(id)s)")
                               % {"key": key, "id": tpl.id}})
    return tpl


def builtin_templates_sync(*, actor: User | None = None) -> list[ScorecardTemplate]:
    """Load the engine's built-in templates (templates/*.yaml) into the database: a template not there
    yet is created; one whose shipped text changed gets a new version. Idempotent."""
    out = []
    for path in sorted(TEMPLATES_DIR.glob("*.yaml")):
        source = path.read_text(encoding="utf-8")
        with transaction.atomic():
            tpl = _parse_source(source)
            obj, created = ScorecardTemplate.objects.get_or_create(
                key=tpl.id, defaults={"name": tpl.name[0], "builtin": True})
            latest = selectors.latest_version(obj)
            if latest is None or latest.source != source:
                _version_add(actor=actor, template=obj, source=source, label=tpl.version,
                             note=_("shipped with ServiceCoach"))
            out.append(obj)
    return out


def _version_add(*, actor: User | None, template: ScorecardTemplate, source: str, label: str,
                 note: str) -> ScorecardVersion:
    number = (template.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = ScorecardVersion.objects.create(template=template, number=number, label=label[:40], source=source,
                                              note=note[:200], created_by=actor if actor and actor.pk else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=version,
                 changes={"template": template.key, "number": number, "version": label, "note": note})
    return version


@transaction.atomic
def template_copy(*, actor: User | None, template: ScorecardTemplate, key: str, name: str) -> ScorecardTemplate:
    """A new, editable template starting from the latest version of ``template``."""
    key, name = key.strip(), name.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", key or "-"):
        raise ValidationError({"key": _("Use letters, digits and _ . - (starting with a letter or digit).")})
    if ScorecardTemplate.objects.filter(key=key).exists():
        raise ValidationError({"key": _("A template with the id %(key)s exists already.") % {"key": key}})
    if not name:
        raise ValidationError({"name": _("Give the template a name.")})
    latest = selectors.latest_version(template)
    data = yaml.safe_load(latest.source)
    data["template"] = key
    source = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=110)
    tpl = _parse_source(source, key=key)
    copy = ScorecardTemplate.objects.create(key=key, name=name, builtin=False)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=copy, changes={"copied_from": template.key})
    _version_add(actor=actor, template=copy, source=source, label=tpl.version,
                 note=_("copied from %(key)s #%(number)s") % {"key": template.key, "number": latest.number})
    return copy


@transaction.atomic
def template_version_create(*, actor: User | None, template: ScorecardTemplate, source: str,
                            note: str = "") -> ScorecardVersion:
    """Save an edited text as the template's next version (months already opened keep theirs)."""
    if template.builtin:
        raise ValidationError(_("A built-in template cannot be edited: copy it and edit the copy."))
    source = source.replace("\r\n", "\n")
    tpl = _parse_source(source, key=template.key)
    latest = selectors.latest_version(template)
    if latest is not None and latest.source == source:
        raise ValidationError({"source": _("Nothing changed: this is the text of version %(number)s.")
                               % {"number": latest.number}})
    if template.name != tpl.name[0]:
        template.name = tpl.name[0][:120]
        template.save(update_fields=["name"])
    return _version_add(actor=actor, template=template, source=source, label=tpl.version, note=note)


# ---------------------------------------------------------------- months and agents


def _agents():
    """Active people holding the agent role: who is scored."""
    agent_ids = RoleAssignment.objects.filter(role=Role.AGENT).values("person_id")
    return Person.objects.filter(pk__in=agent_ids, status=PersonStatus.ACTIVE)


@transaction.atomic
def period_create(*, actor: User | None, template: ScorecardTemplate, month: str,
                  version: ScorecardVersion | None = None) -> Period:
    """Open a month for a template (its latest version unless given) with every active agent in it."""
    month = (month or "").strip()
    if not MONTH_RE.match(month):
        raise ValidationError({"month": _("Write the month as YYYY-MM, e.g. 2026-10.")})
    if Period.objects.filter(template=template, month=month).exists():
        raise ValidationError({"month": _("%(month)s is open already for this template.") % {"month": month}})
    version = version or selectors.latest_version(template)
    if version is None or version.template_id != template.pk:
        raise ValidationError({"template": _("This template has no saved version.")})
    period = Period.objects.create(template=template, version=version, month=month)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=period,
                 changes={"template": template.key, "version": version.number, "month": month})
    period_sync_agents(actor=actor, period=period)
    return period


@transaction.atomic
def period_sync_agents(*, actor: User | None, period: Period) -> int:
    """Add the active agents not yet in the month (in their current unit); returns how many were added."""
    if period.locked:
        raise _locked_error(period)
    present = set(period.inputs.values_list("person_id", flat=True))
    new = [AgentInput(period=period, person=p, unit_id=p.unit_id) for p in _agents() if p.pk not in present]
    AgentInput.objects.bulk_create(new, batch_size=1000)
    return len(new)


def _lock_period(period: Period) -> Period:
    period = Period.objects.select_for_update().select_related("template", "version").get(pk=period.pk)
    if period.locked:
        raise _locked_error(period)
    return period


# ---------------------------------------------------------------- figures


def figure_parse(template: Template, figure_id: str, raw: Any) -> Any:
    """A cell's text as the figure's value (None: blank, no data); a ValidationError names the rule broken."""
    fig = template.figures.get(figure_id)
    if fig is None:
        raise ValidationError(_("%(figure)s is not a figure of this template.") % {"figure": figure_id})
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    if fig.kind == "level":
        rating: Rating | None = template.rating_of(figure_id)
        level = rating.find(raw) if rating is not None else None
        if level is None:
            accepted = ", ".join(rating.accepted()) if rating is not None else ""
            raise ValidationError(_("Unknown level %(value)s (levels: %(levels)s).")
                                  % {"value": str(raw)[:30], "levels": accepted})
        return level.id
    value, why = _number(raw, fig)
    if why:  # the engine's reading of a cell; its reasons are English, so say them again in the UI's language
        if why.startswith("must be a whole number"):
            reason = _("must be a whole number of at least 0, not %(value)s") % {"value": str(raw).strip()[:30]}
        else:
            reason = _("not a number: %(value)s") % {"value": str(raw).strip()[:30]}
        raise ValidationError(_("%(figure)s: %(reason)s") % {"figure": fig.name[0], "reason": reason})
    return int(value) if value == int(value) else value


def _set_figure(*, actor: User | None, row: AgentInput, figure: str, value: Any, note: str, source: str,
                actor_name: str) -> bool:
    """Write one figure (and its history) if it differs; returns whether it changed."""
    old = row.figures.get(figure)
    if old == value or (old is None and value is None):
        return False
    if value is None:
        row.figures.pop(figure, None)
    else:
        row.figures[figure] = value
    InputChange.objects.create(period_id=row.period_id, person_id=row.person_id, figure=figure, old=old, new=value,
                               note=note[:200], source=source, actor=actor if actor and actor.pk else None,
                               actor_name=actor_name)
    return True


@transaction.atomic
def input_set(*, actor: User | None, period: Period, person: Person, figure: str, raw: Any, note: str = "",
              source: str = InputSource.MANUAL) -> tuple[AgentInput, bool]:
    """Set one figure of one agent's month; returns the row and whether the value changed."""
    period = _lock_period(period)
    template = selectors.version_template(period.version)
    value = figure_parse(template, figure, raw)
    row = AgentInput.objects.select_for_update().filter(period=period, person=person).first()
    if row is None:
        raise ValidationError(_("%(name)s is not an agent of %(month)s.") % {"name": person.name, "month": period.month})
    changed = _set_figure(actor=actor, row=row, figure=figure, value=value, note=note, source=source,
                          actor_name=_actor_name(actor))
    if changed:
        row.save(update_fields=["figures", "updated_at"])
    return row, changed


@transaction.atomic
def inputs_set_many(*, actor: User | None, period: Period, values: dict[int, dict[str, Any]], note: str = "",
                    source: str = InputSource.IMPORT) -> int:
    """Set many figures at once (``{person id: {figure: raw value}}``), each checked as in the grid;
    the first refused value refuses the whole batch (nothing is written). Returns how many values changed,
    each one in the history."""
    period = _lock_period(period)
    template = selectors.version_template(period.version)
    rows = {r.person_id: r for r in AgentInput.objects.select_for_update().filter(period=period,
                                                                                  person_id__in=list(values))}
    missing = sorted(set(values) - set(rows))
    if missing:
        raise ValidationError(_("Person %(id)s is not an agent of %(month)s.") % {"id": missing[0],
                                                                                 "month": period.month})
    name = _actor_name(actor)
    by = actor if actor and actor.pk else None
    changes: list[InputChange] = []
    touched: list[AgentInput] = []
    for pid, figures in values.items():
        row = rows[pid]
        before = len(changes)
        for fid, raw in figures.items():
            value = figure_parse(template, fid, raw)
            old = row.figures.get(fid)
            if old == value:
                continue
            if value is None:
                row.figures.pop(fid, None)
            else:
                row.figures[fid] = value
            changes.append(InputChange(period_id=period.pk, person_id=pid, figure=fid, old=old, new=value,
                                       note=note[:200], source=source, actor=by, actor_name=name))
        if len(changes) > before:
            touched.append(row)
    AgentInput.objects.bulk_update(touched, ["figures"], batch_size=500)
    InputChange.objects.bulk_create(changes, batch_size=1000)
    return len(changes)


@dataclass
class ImportProblem:
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    file_name: str = ""
    rows_read: int = 0
    rows_imported: int = 0
    values_changed: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    missing_columns: list[str] = field(default_factory=list)
    error: str = ""
    cost_sheet: str = ""  # the labour-cost sheet read, if the workbook had one
    cost_rows_read: int = 0
    costs_changed: int = 0
    cost_problems: list[ImportProblem] = field(default_factory=list)

    @property
    def rows_skipped(self) -> int:
        return len({p.row for p in self.problems})


_ENGINE_REASONS = [  # the engine's (English) reasons for a bad row, said again in the UI's language
    (re.compile(r"^not a month \((?P<value>.*)\): write 2026-10$"),
     lambda m: _("not a month (%(value)s): write 2026-10") % m.groupdict()),
    (re.compile(r"^unknown level (?P<value>.*) \(levels: (?P<levels>.*)\)$"),
     lambda m: _("unknown level %(value)s (levels: %(levels)s)") % m.groupdict()),
    (re.compile(r"^not a number \((?P<value>.*)\)$"), lambda m: _("not a number (%(value)s)") % m.groupdict()),
    (re.compile(r"^not a number$"), lambda m: _("not a number")),
    (re.compile(r"^must be a whole number of at least 0, not (?P<value>.*)$"),
     lambda m: _("must be a whole number of at least 0, not %(value)s") % m.groupdict()),
    (re.compile(r"^blank: every row needs the agent$"), lambda m: _("blank: every row needs the agent")),
    (re.compile(r"^blank: write the month, e\.g\. 2026-10$"), lambda m: _("blank: write the month, e.g. 2026-10")),
    (re.compile(r"^(?P<agent>.*) appears twice for the same month \(first at row (?P<row>\d+)\)$"),
     lambda m: _("%(agent)s appears twice for the same month (first at row %(row)s)") % m.groupdict()),
]


def _reason(text: str) -> str:
    for pattern, say in _ENGINE_REASONS:
        m = pattern.match(text)
        if m:
            return say(m)
    return text


def inputs_import(*, actor: User | None, period: Period, file, file_name: str,
                  people: Any = None) -> ImportReport:
    """Import a month's figures from .xlsx or .csv (one row per agent; columns as the template names
    them, see ``servicecoach kpi templates``). The agent column holds the employee number or the name.

    A row with a problem (a bad cell, an unknown agent or one outside ``people``, another month) is
    reported with its row, column and reason and left out; the other rows are saved. A blank cell
    leaves the value as it is. Importing the same file again changes nothing (idempotent)."""
    report = ImportReport(file_name=file_name)
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in (".xlsx", ".xlsm", ".csv"):
        report.error = _("Give an .xlsx or .csv file (not %(name)s).") % {"name": file_name or "?"}
        return report
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with open(path, "wb") as fh:
            for chunk in (file.chunks() if hasattr(file, "chunks") else [file.read()]):
                fh.write(chunk)
        with transaction.atomic():
            period = _lock_period(period)
            template = selectors.version_template(period.version)
            try:
                sheet = read_table(path, template)
            except TableError as e:
                report.error = str(e).replace(str(path), file_name)
                return report
            report.ignored_headers = sheet.ignored_headers
            report.missing_columns = [f"{f.name[0]} ({f.id})" for f in sheet.missing_figures]
            for p in sheet.problems:
                report.problems.append(ImportProblem(p.row, f"{p.column[0]} / {p.column[1]}" if p.column else "",
                                                     _reason(p.reason)))
            report.rows_read = len(sheet.rows) + len(sheet.skipped)
            rows = {r.person_id: r for r in AgentInput.objects.select_for_update().filter(period=period)
                    .select_related("person")}
            if people is not None:
                allowed = set(people.values_list("pk", flat=True))
                rows = {pk: r for pk, r in rows.items() if pk in allowed}
            by_no = {r.person.employee_no.casefold(): r for r in rows.values()}
            by_name: dict[str, list[AgentInput]] = {}
            for r in rows.values():
                by_name.setdefault(r.person.name.casefold(), []).append(r)
            name = _actor_name(actor)
            note = _("import of %(file)s") % {"file": file_name}
            agent_col = _("agent")
            touched: list[AgentInput] = []
            for data in sheet.rows:
                if sheet.has_month and data.get("month") != period.month:
                    report.problems.append(ImportProblem(data["_row"], _("month"), _(
                        "%(month)s is not this period's month (%(period)s)")
                        % {"month": data.get("month"), "period": period.month}))
                    continue
                key = str(data["agent"]).strip().casefold()
                row = by_no.get(key)
                if row is None:
                    named = by_name.get(key, [])
                    if len(named) > 1:
                        report.problems.append(ImportProblem(data["_row"], agent_col, _(
                            "%(agent)s names %(n)s agents: use the employee number") % {"agent": data["agent"],
                                                                                        "n": len(named)}))
                        continue
                    row = named[0] if named else None
                if row is None:
                    report.problems.append(ImportProblem(data["_row"], agent_col, _(
                        "no agent %(agent)s among your agents of %(month)s (write the employee number or name)")
                        % {"agent": data["agent"], "month": period.month}))
                    continue
                changed = 0
                for fid in template.figures:
                    if fid in data and data[fid] is not None:
                        value = figure_parse(template, fid, data[fid])
                        changed += _set_figure(actor=actor, row=row, figure=fid, value=value, note=note,
                                               source=InputSource.IMPORT, actor_name=name)
                if changed:
                    touched.append(row)
                report.values_changed += changed
                report.rows_imported += 1
            for row in touched:
                row.save(update_fields=["figures", "updated_at"])
            report.problems.sort(key=lambda p: p.row)
            if suffix in (".xlsx", ".xlsm"):
                costs_import_sheet(actor=actor, period=period, path=path, file_name=file_name, report=report,
                                   people=people)
            audit_record(actor=actor, action=AuditAction.IMPORT, obj=period, changes={
                "file": file_name, "rows_imported": report.rows_imported, "values_changed": report.values_changed,
                "rows_skipped": report.rows_skipped, "costs_changed": report.costs_changed})
    return report


@transaction.atomic
def inputs_compute(*, actor: User | None, period: Period, source_key: str, people: Any = None) -> int:
    """Fill a figure from a registered source (kpi.sources) for the month's agents; returns how many
    values changed (each one in the history, source "computed")."""
    source = SOURCES.get(source_key)
    if source is None:
        raise ValidationError(_("No data source %(key)s.") % {"key": source_key})
    period = _lock_period(period)
    template = selectors.version_template(period.version)
    if source.figure not in template.figures:
        raise ValidationError(_("This template has no figure %(figure)s.") % {"figure": source.figure})
    rows = AgentInput.objects.select_for_update().filter(period=period).select_related("person")
    if people is not None:
        rows = rows.filter(person__in=people)
    rows = list(rows)
    values = source.compute(period.month, [r.person for r in rows])
    name, changed = _actor_name(actor), 0
    note = _("computed: %(source)s") % {"source": source.label}
    for row in rows:
        if row.person_id in values:
            value = figure_parse(template, source.figure, values[row.person_id])
            if _set_figure(actor=actor, row=row, figure=source.figure, value=value, note=note,
                           source=InputSource.COMPUTED, actor_name=name):
                row.save(update_fields=["figures", "updated_at"])
                changed += 1
    return changed


# ---------------------------------------------------------------- scoring and locking


@transaction.atomic
def period_score(*, actor: User | None, period: Period, note: str = "") -> ScoringRun:
    """Score every agent of the month with the period's version; a new numbered run becomes current
    (the earlier runs stay as the re-scoring history). The given ``period`` object is updated too."""
    given, period = period, _lock_period(period)
    template = selectors.version_template(period.version)
    inputs = list(period.inputs.values_list("person_id", "unit_id", "figures"))
    if not inputs:
        raise ValidationError(_("%(month)s has no agents to score.") % {"month": period.month})
    previous: dict[str, dict] = {}
    if template.uses_previous:
        before = Period.objects.filter(template=period.template, month=previous_month(period.month)).first()
        if before is not None:
            previous = {str(pid): figs for pid, figs in before.inputs.values_list("person_id", "figures")}
    rows = [{**figs, "agent": str(pid), "team": str(uid)} for pid, uid, figs in inputs]
    results = score_month(template, rows, previous=previous, month=period.month)
    number = (period.runs.aggregate(n=Max("number"))["n"] or 0) + 1
    run = ScoringRun.objects.create(period=period, number=number, version=period.version,
                                    actor=actor if actor and actor.pk else None, actor_name=_actor_name(actor),
                                    agents=len(results), incomplete=sum(1 for r in results if not r.complete),
                                    note=note[:200])
    AgentResult.objects.bulk_create([
        AgentResult(run=run, person_id=int(r.agent), unit_id=int(r.team), total=r.total, max_total=r.max_total,
                    rank=r.rank, team_size=r.team_size, tier=r.tier or "", complete=r.complete, sections=r.sections,
                    items=[{"item": i.item, "section": i.section, "points": i.points, "weight": i.weight,
                            "value": i.value if isinstance(i.value, int | float | str) else None,
                            "zh": i.zh, "en": i.en} for i in r.items])
        for r in results
    ], batch_size=500)
    period.current_run = run
    period.status = PeriodStatus.SCORED
    period.save(update_fields=["current_run", "status"])
    given.current_run, given.status = run, period.status
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=period, changes={
        "scored": number, "version": period.version.number, "agents": run.agents, "note": note})
    return run


@transaction.atomic
def period_lock(*, actor: User | None, period: Period) -> Period:
    given, period = period, _lock_period(period)
    if period.current_run_id is None:
        raise ValidationError(_("Score %(month)s before locking it.") % {"month": period.month})
    old = period.status
    period.status, period.locked_at = PeriodStatus.LOCKED, timezone.now()
    period.locked_by = actor if actor and actor.pk else None
    period.save(update_fields=["status", "locked_at", "locked_by"])
    given.status, given.locked_at, given.locked_by = period.status, period.locked_at, period.locked_by
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=period, changes={"status": [old, period.status]})
    return period


@transaction.atomic
def period_unlock(*, actor: User | None, period: Period, reason: str) -> Period:
    """Unlock a locked month (a manager's action); the reason is kept in the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the month is unlocked.")})
    given, period = period, Period.objects.select_for_update().get(pk=period.pk)
    if not period.locked:
        raise ValidationError(_("%(month)s is not locked.") % {"month": period.month})
    period.status = PeriodStatus.SCORED if period.current_run_id else PeriodStatus.OPEN
    period.locked_at, period.locked_by = None, None
    period.save(update_fields=["status", "locked_at", "locked_by"])
    given.status, given.locked_at, given.locked_by = period.status, None, None
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=period,
                 changes={"status": [PeriodStatus.LOCKED, period.status], "reason": reason[:500]})
    return period


# ---------------------------------------------------------------- team labour cost

COST_SHEETS = ("人力成本", "labour cost", "labour_cost")
_COST_CODE_HEADERS = ("团队编码", "team code", "unit code")
_COST_NAME_HEADERS = ("团队", "team", "unit")
_COST_VALUE_HEADERS = ("人力成本", "labour cost", "labour_cost")
_MAX_COST = Decimal("999999999999.99")


def labour_cost_parse(raw: Any) -> Decimal | None:
    """A labour cost as typed or imported: yuan, "¥8,000", "8000元", "8000.50"; blank is None (no data).
    Raises ValidationError naming the rule."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValidationError(_("not an amount (%(value)s)") % {"value": raw})
    text = str(raw).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
    text = text.removesuffix("元").strip()
    if text == "":
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("not an amount (%(value)s): write yuan, e.g. 8000") % {"value": str(raw)[:40]}) \
            from None
    if not value.is_finite() or value < 0:
        raise ValidationError(_("must be an amount of at least 0, not %(value)s") % {"value": str(raw)[:40]})
    if value > _MAX_COST:
        raise ValidationError(_("%(value)s is too large for a month's labour cost") % {"value": str(raw)[:40]})
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _cost_store(*, actor: User | None, period: Period, unit: OrgUnit, value: Decimal | None, note: str,
                source: str) -> bool:
    """Write (or clear) one team's cost; audited; True when something changed. Runs in the caller's
    transaction with the period locked."""
    current = TeamCost.objects.select_for_update().filter(period=period, unit=unit).first()
    old = current.labour_cost if current is not None else None
    if old == value:
        return False
    changes = {"month": period.month, "unit": unit.code or unit.name,
               "labour_cost": [None if old is None else str(old), None if value is None else str(value)],
               "note": note[:200], "source": source}
    if value is None:
        audit_record(actor=actor, action=AuditAction.DELETE, obj=current, changes=changes)
        current.delete()
        return True
    if current is None:
        current = TeamCost(period=period, unit=unit)
    current.labour_cost, current.note = value, note[:200]
    current.updated_by = actor if actor is not None and actor.is_authenticated else None
    current.save()
    audit_record(actor=actor, action=AuditAction.CREATE if old is None else AuditAction.UPDATE, obj=current,
                 changes=changes)
    return True


@transaction.atomic
def team_cost_set(*, actor: User | None, period: Period, unit: OrgUnit, raw: Any, note: str = "") -> bool:
    """Set a team's labour cost of the month (blank clears it: no data); refused on a locked month or for
    a unit with no agents in the month. Returns whether the stored value changed."""
    period = _lock_period(period)
    if not AgentInput.objects.filter(period=period, unit=unit).exists():
        raise ValidationError({"labour_cost": _("%(unit)s has no agents in %(month)s.")
                               % {"unit": unit.name, "month": period.month}})
    try:
        value = labour_cost_parse(raw)
    except ValidationError as e:
        raise ValidationError({"labour_cost": e.messages}) from None
    return _cost_store(actor=actor, period=period, unit=unit, value=value, note=note or "",
                       source=InputSource.MANUAL)


def _cost_header(cell: Any, names: tuple[str, ...]) -> bool:
    return str(cell or "").strip().casefold() in names


def costs_import_sheet(*, actor: User | None, period: Period, path: Path, file_name: str, report: ImportReport,
                       people: Any = None) -> None:
    """Read the labour-cost sheet (人力成本) of an .xlsx import, if there is one: one row per team (team code
    or name, labour cost). A bad row is reported with the sheet, row and column and left out; the others
    are saved. Runs in the import's transaction (the period is locked by the caller)."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        ws = next((w for w in wb.worksheets if w.title.strip().casefold() in COST_SHEETS), None)
        if ws is None:
            return
        report.cost_sheet = ws.title
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None) or ()
        code_col = next((i for i, c in enumerate(header) if _cost_header(c, _COST_CODE_HEADERS)), None)
        name_col = next((i for i, c in enumerate(header) if _cost_header(c, _COST_NAME_HEADERS)), None)
        cost_col = next((i for i, c in enumerate(header) if _cost_header(c, _COST_VALUE_HEADERS)), None)
        if (code_col is None and name_col is None) or cost_col is None:
            report.cost_problems.append(ImportProblem(1, ws.title, _(
                "the sheet needs a team column (团队编码 or 团队) and a labour cost column (人力成本)")))
            return
        month_col = next((i for i, c in enumerate(header) if _cost_header(c, ("月份", "month"))), None)
        inputs = AgentInput.objects.filter(period=period)
        if people is not None:
            inputs = inputs.filter(person__in=people)
        units = list(OrgUnit.objects.filter(pk__in=inputs.values("unit_id")))
        by_code = {u.code.casefold(): u for u in units if u.code}
        by_name: dict[str, list[OrgUnit]] = {}
        for u in units:
            by_name.setdefault(u.name.casefold(), []).append(u)
        cost_label = f"{ws.title} / {header[cost_col]}"
        seen: dict[int, int] = {}
        note = _("import of %(file)s") % {"file": file_name}
        for n, row in enumerate(rows, start=2):
            def cell(i, row=row):
                return row[i] if i is not None and i < len(row) else None

            code_raw, name_raw, cost_raw = (str(cell(i) or "").strip() for i in (code_col, name_col, cost_col))
            if not (code_raw or name_raw or cost_raw):
                continue
            # The code names the team when it is given; else the name.
            team_raw = code_raw or name_raw
            team_label = f"{ws.title} / {header[code_col if code_raw or name_col is None else name_col]}"
            cost_raw = cell(cost_col)
            report.cost_rows_read += 1
            month = cell(month_col)
            if month not in (None, "") and str(month).strip() != period.month:
                report.cost_problems.append(ImportProblem(n, f"{ws.title} / {header[month_col]}", _(
                    "%(month)s is not this period's month (%(period)s)") % {"month": month, "period": period.month}))
                continue
            if not team_raw:
                report.cost_problems.append(ImportProblem(n, team_label, _(
                    "blank: every row needs the team code or name")))
                continue
            key = team_raw.casefold()
            unit = by_code.get(key) if code_raw else None
            if unit is None and not code_raw:
                named = by_name.get(key, [])
                if len(named) > 1:
                    report.cost_problems.append(ImportProblem(n, team_label, _(
                        "%(team)s names %(n)s teams: use the team code") % {"team": team_raw, "n": len(named)}))
                    continue
                unit = named[0] if named else None
            if unit is None:
                report.cost_problems.append(ImportProblem(n, team_label, _(
                    "no team %(team)s among your teams of %(month)s") % {"team": team_raw, "month": period.month}))
                continue
            if unit.pk in seen:
                report.cost_problems.append(ImportProblem(n, team_label, _(
                    "%(team)s appears twice (first at row %(row)s)") % {"team": team_raw, "row": seen[unit.pk]}))
                continue
            seen[unit.pk] = n
            if cost_raw is None or str(cost_raw).strip() == "":
                continue  # a blank cell leaves the stored value as it is
            try:
                value = labour_cost_parse(cost_raw)
            except ValidationError as e:
                report.cost_problems.append(ImportProblem(n, cost_label, " ".join(e.messages)))
                continue
            if _cost_store(actor=actor, period=period, unit=unit, value=value, note=note, source=InputSource.IMPORT):
                report.costs_changed += 1
    finally:
        wb.close()
