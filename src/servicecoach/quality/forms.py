"""Forms of the quality pages: upload, conversation filters, YAML editors, scorecard points, preview."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import OrgUnit, Person
from servicecoach.quality.models import Channel


class FastSelect(forms.Select):
    """A select rendered in Python: Django renders each option through a template, which made the
    agent list (hundreds of people) the most expensive part of the conversation list page."""

    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs or {})
        final["name"] = name
        current = "" if value is None else str(value)
        options = format_html_join(
            "", "<option value=\"{}\"{}>{}</option>",
            ((str(v), mark_safe(" selected") if str(v) == current else "", label)
             for v, label in self.choices_for_render()),
        )
        return format_html("<select{}>{}</select>", flatatt(final), options)

    def choices_for_render(self):
        for option_value, option_label in self.choices:
            if isinstance(option_label, list | tuple):  # an optgroup: flatten
                yield from option_label
            else:
                yield ("" if option_value is None else getattr(option_value, "value", option_value)), option_label


_SORTS = [
    ("started", _("Newest first")), ("-started", _("Oldest first")), ("score", _("Lowest score first")),
    ("-score", _("Highest score first")), ("csat", _("Lowest CSAT first")), ("-csat", _("Highest CSAT first")),
    ("agent", _("Agent")),
]
_YES_NO = [("", _("Any")), ("yes", _("Yes")), ("no", _("No"))]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: OrgUnit) -> str:
        return "\u2003" * obj.depth + obj.name


class AgentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.employee_no} {obj.name}"


class ConversationFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("conversation id, agent number or name")}))
    unit = UnitChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False, empty_label=_("All"),
                           widget=FastSelect)
    agent = AgentChoiceField(label=_("Agent"), queryset=Person.objects.none(), required=False, empty_label=_("All"),
                             widget=FastSelect)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("All")), *Channel.choices], widget=FastSelect)
    score_min = forms.FloatField(label=_("Score from"), required=False, min_value=0, max_value=100)
    score_max = forms.FloatField(label=_("Score to"), required=False, min_value=0, max_value=100)
    rule = forms.ChoiceField(label=_("Rule hit"), required=False, widget=FastSelect)
    red_line = forms.ChoiceField(label=_("Red line"), required=False, choices=_YES_NO, widget=FastSelect)
    csat_max = forms.IntegerField(label=_("CSAT at most"), required=False, min_value=1, max_value=5)
    reviewed = forms.ChoiceField(label=_("Reviewed"), required=False, choices=_YES_NO, widget=FastSelect)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=_SORTS, widget=FastSelect)

    def __init__(self, *args, units, agents, rules: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["agent"].queryset = agents
        self.fields["rule"].choices = [("", _("Any")), *((rid, f"{info['name']} ({rid})") for rid, info in rules.items())]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        if data.get("score_min") is not None and data.get("score_max") is not None \
                and data["score_min"] > data["score_max"]:
            self.add_error("score_max", _("The upper bound is below the lower bound."))
        return data

    def filters(self) -> dict:
        """The cleaned values as the selector's filters."""
        if not self.is_valid():
            return {}
        data = dict(self.cleaned_data)
        for key in ("red_line", "reviewed"):
            data[key] = {"yes": True, "no": False}.get(data.get(key) or "")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("File"), help_text=_("conversation-v1 JSON Lines (.jsonl), CSV (.csv) or Excel (.xlsx)"))
    source = forms.CharField(label=_("Source"), required=False, max_length=80,
                             help_text=_("for records that name no source, e.g. crm-export"))
    col_id = forms.CharField(label=_("Column: conversation id"), required=False, max_length=80,
                             help_text=_("CSV and Excel only; empty = the default header"))
    col_role = forms.CharField(label=_("Column: role"), required=False, max_length=80)
    col_text = forms.CharField(label=_("Column: text"), required=False, max_length=80)
    col_time = forms.CharField(label=_("Column: time"), required=False, max_length=80)
    col_agent = forms.CharField(label=_("Column: agent"), required=False, max_length=80)
    col_channel = forms.CharField(label=_("Column: channel"), required=False, max_length=80)
    col_customer = forms.CharField(label=_("Column: customer"), required=False, max_length=80)
    col_source = forms.CharField(label=_("Column: source"), required=False, max_length=80)

    def csv_columns(self) -> dict[str, str]:
        return {name[4:]: value for name, value in self.cleaned_data.items() if name.startswith("col_") and value}


class RescoreForm(forms.Form):
    date_from = forms.DateField(label=_("Started from"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Started until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class VersionForm(forms.Form):
    yaml_text = forms.CharField(label=_("YAML"), widget=forms.Textarea(attrs={
        "rows": 30, "spellcheck": "false", "class": "yaml-editor", "wrap": "off"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class PreviewForm(forms.Form):
    rule = forms.ChoiceField(label=_("Rule"))
    days = forms.IntegerField(label=_("Last N days"), min_value=1, max_value=365, initial=7)

    def __init__(self, *args, rules: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].choices = [(rid, f"{info['name']} ({rid})") for rid, info in rules.items()]


class MapAgentForm(forms.Form):
    person = AgentChoiceField(label=_("Person"), queryset=Person.objects.none())

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


class ScorecardItemsForm(forms.Form):
    """Points, mode and red-line flag of each scorecard item, one row per item (the YAML's order)."""

    MODES = [("deduct", _("Deduct when a rule fires")), ("award", _("Award when a rule fires")),
             ("manual", _("Left to reviewers"))]

    def __init__(self, *args, data_yaml: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = []
        for section in data_yaml.get("sections") or []:
            for item in section.get("items") or []:
                key = f"{section.get('id')}__{item.get('id')}"
                self.fields[f"points__{key}"] = forms.FloatField(
                    label=_("Points"), min_value=0, max_value=1000, initial=item.get("points", 0))
                self.fields[f"mode__{key}"] = forms.ChoiceField(
                    label=_("Mode"), choices=self.MODES, initial=item.get("mode", "deduct"))
                self.fields[f"red_line__{key}"] = forms.BooleanField(
                    label=_("Red line"), required=False, initial=bool(item.get("red_line")))
                self.rows.append({"section": section, "item": item, "key": key})

    def bound_rows(self):
        for row in self.rows:
            key = row["key"]
            yield row | {"points": self[f"points__{key}"], "mode": self[f"mode__{key}"],
                         "red_line": self[f"red_line__{key}"]}

    def apply(self, data_yaml: dict) -> dict:
        """The document with the cleaned points, modes and flags written into it."""
        for section in data_yaml.get("sections") or []:
            for item in section.get("items") or []:
                key = f"{section.get('id')}__{item.get('id')}"
                points = self.cleaned_data[f"points__{key}"]
                item["points"] = int(points) if float(points).is_integer() else points
                item["mode"] = self.cleaned_data[f"mode__{key}"]
                if self.cleaned_data[f"red_line__{key}"]:
                    item["red_line"] = True
                else:
                    item.pop("red_line", None)
        return data_yaml
