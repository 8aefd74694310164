"""Models of the Performance app (绩效考核).

A *scorecard template* (``ScorecardTemplate``) is the engine's YAML kept in the database, in numbered
*versions* that never change once written. A *period* is one month scored with one template; it pins
the version it was opened with, so re-scoring an old month never picks up a later edit. Each agent of
the month has one ``AgentInput`` row (the month's figures, ratings and event counts as the template
names them) and every change to it is kept in the append-only ``InputChange`` history. Scoring writes
a numbered ``ScoringRun`` with one ``AgentResult`` per agent (points and the engine's explanation of
every item); the period points at its current run and older runs stay as the re-scoring history.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import OrgUnit, Person


class ScorecardTemplate(models.Model):
    key = models.CharField(_("template id"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=120)
    builtin = models.BooleanField(_("built in"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-builtin", "key"]
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class ScorecardVersion(models.Model):
    """One saved text of a template; never changed after it is written."""

    template = models.ForeignKey(ScorecardTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    label = models.CharField(_("version"), max_length=40)
    source = models.TextField(_("YAML"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["template", "-number"]
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="kpi_version_unique_number")]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")

    def __str__(self) -> str:
        return f"{self.template.key} #{self.number} ({self.label})"


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SCORED = "scored", _("Scored")
    LOCKED = "locked", _("Locked")


class Period(models.Model):
    template = models.ForeignKey(ScorecardTemplate, on_delete=models.PROTECT, related_name="periods")
    version = models.ForeignKey(ScorecardVersion, on_delete=models.PROTECT, related_name="periods")
    month = models.CharField(_("month"), max_length=7)  # YYYY-MM
    status = models.CharField(_("status"), max_length=10, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    current_run = models.ForeignKey("ScoringRun", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-month", "template"]
        constraints = [models.UniqueConstraint(fields=["template", "month"], name="kpi_period_unique_month")]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return f"{self.month} {self.template.name}"

    @property
    def locked(self) -> bool:
        return self.status == PeriodStatus.LOCKED


class AgentInput(models.Model):
    """An agent's figures for one period: ``{figure id: number or level id}``; a missing key is no data."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="inputs")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kpi_inputs")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["period", "unit", "person__employee_no"]
        constraints = [models.UniqueConstraint(fields=["period", "person"], name="kpi_input_unique_person")]
        verbose_name = _("agent input")
        verbose_name_plural = _("agent inputs")

    def __str__(self) -> str:
        return f"{self.period.month} {self.person}"


class InputSource(models.TextChoices):
    MANUAL = "manual", _("Entered")
    IMPORT = "import", _("Imported")
    COMPUTED = "computed", _("Computed")


class InputChangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("The input history is append-only.")

    def delete(self):
        raise PermissionDenied("The input history is append-only.")


class InputChange(models.Model):
    """Append-only: who changed which figure of whose month, from what to what, when, and why."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="changes")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    figure = models.CharField(_("figure"), max_length=40)
    old = models.JSONField(_("old value"), null=True, blank=True)
    new = models.JSONField(_("new value"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=InputSource.choices, default=InputSource.MANUAL)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(_("changed by"), max_length=150, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    objects = InputChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("input change")
        verbose_name_plural = _("input changes")

    def __str__(self) -> str:
        return f"{self.period.month} {self.person} {self.figure}: {self.old} → {self.new}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("The input history is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("The input history is append-only.")


class ScoringRun(models.Model):
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(_("number"))
    version = models.ForeignKey(ScorecardVersion, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(_("scored by"), max_length=150, blank=True)
    agents = models.PositiveIntegerField(_("agents"), default=0)
    incomplete = models.PositiveIntegerField(_("with items of no data"), default=0)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["period", "-number"]
        constraints = [models.UniqueConstraint(fields=["period", "number"], name="kpi_run_unique_number")]
        verbose_name = _("scoring run")
        verbose_name_plural = _("scoring runs")

    def __str__(self) -> str:
        return f"{self.period} #{self.number}"


class AgentResult(models.Model):
    """One agent's scorecard of one run; ``items`` is the engine's result of every item:
    ``[{item, section, points (None: no data), weight, value, zh, en}]``."""

    run = models.ForeignKey(ScoringRun, on_delete=models.CASCADE, related_name="results")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="kpi_results")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    total = models.FloatField(_("total"))
    max_total = models.FloatField(_("maximum"))
    rank = models.PositiveIntegerField(_("rank"), null=True)
    team_size = models.PositiveIntegerField(_("team size"), default=1)
    tier = models.CharField(_("incentive band"), max_length=20, blank=True)
    complete = models.BooleanField(_("complete"), default=True)
    sections = models.JSONField(default=dict)
    items = models.JSONField(default=list)

    class Meta:
        ordering = ["run", "unit", "rank", "person__employee_no"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="kpi_result_unique_person")]
        verbose_name = _("agent result")
        verbose_name_plural = _("agent results")

    def __str__(self) -> str:
        return f"{self.run} {self.person}: {self.total:g}"


class TeamCost(models.Model):
    """A team's labour cost (人力成本: payroll and the like, in yuan) for one month of one period, entered by
    its supervisor or a manager for the team analysis; no row means no data (never 0)."""

    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="team_costs")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("team"), on_delete=models.PROTECT, related_name="+")
    labour_cost = models.DecimalField(_("labour cost"), max_digits=14, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        ordering = ["period", "unit__path"]
        constraints = [models.UniqueConstraint(fields=["period", "unit"], name="kpi_teamcost_unique_unit")]
        verbose_name = _("team labour cost")
        verbose_name_plural = _("team labour costs")

    def __str__(self) -> str:
        return f"{self.period.month} {self.unit}: {self.labour_cost}"
