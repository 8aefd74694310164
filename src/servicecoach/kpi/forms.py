"""Forms of the Performance app: they parse the request; kpi.services validates the business rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecoach.kpi.models import ScorecardTemplate


class PeriodForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Scorecard template"), queryset=ScorecardTemplate.objects.all(),
                                      empty_label=None)
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("YYYY-MM, e.g. 2026-10"),
                            widget=forms.TextInput(attrs={"placeholder": "2026-10", "type": "month"}))


class InputsImportForm(forms.Form):
    file = forms.FileField(label=_("Excel or CSV file"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Kept in the audit log with your name."))


class ScoreForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TemplateCopyForm(forms.Form):
    key = forms.CharField(label=_("Template id"), max_length=60,
                          help_text=_("Letters, digits and _ . -; it cannot change later."))
    name = forms.CharField(label=_("Name"), max_length=120)


class TemplateEditForm(forms.Form):
    source = forms.CharField(label=_("Template (YAML)"), widget=forms.Textarea(attrs={"rows": 30, "class": "mono",
                                                                                    "spellcheck": "false"}))
    note = forms.CharField(label=_("What changed"), max_length=200, required=False)


class AnalysisForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Scorecard template"), queryset=ScorecardTemplate.objects.all(),
                                      required=False)
    month = forms.CharField(label=_("Month"), max_length=7, required=False)


class TeamCostForm(forms.Form):
    """A team's labour cost for the month; the amount is parsed by kpi.services (¥ and thousands commas allowed)."""

    labour_cost = forms.CharField(label=_("Labour cost of the month (yuan)"), max_length=40, required=False,
                                  help_text=_("Payroll and the like for this team and month, e.g. 8000; "
                                              "leave blank for no data."),
                                  widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "8000"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)
