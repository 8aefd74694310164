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
)
from servicecoach.kpi.sources import SOURCES
from servicecoach.org.models import AuditAction, Person, PersonStatus, Role, RoleAssignment, User
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
            audit_record(actor=actor, action=AuditAction.IMPORT, obj=period, changes={
                "file": file_name, "rows_imported": report.rows_imported, "values_changed": report.values_changed,
                "rows_skipped": report.rows_skipped})
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
