"""Forms of the review pages. The review form itself is built from the review's items in the template
(one row per scorecard item) and checked by ``services.review_save``, which names the item in each error."""

from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import OrgUnit, Person
from servicecoach.quality.models import Conversation
from servicecoach.review.models import AssignMode, CaseOutcome, PlanKind, Recurrence, SamplingPlan

TARGET_CHOICES = [
    ("red_line", _("Red lines")),
    ("low_score", _("Low automatic score")),
    ("low_csat", _("Low CSAT")),
    ("angry", _("Angry customer")),
    ("rules", _("Chosen rule hits")),
]


class PlanForm(forms.ModelForm):
    targets = forms.MultipleChoiceField(label=_("Targets"), choices=TARGET_CHOICES, required=False,
                                        widget=forms.CheckboxSelectMultiple)
    rule_ids = forms.CharField(label=_("Rules"), required=False,
                               help_text=_("Rule ids separated by commas, e.g. zh-forbidden-01, zh-rude-01."))

    class Meta:
        model = SamplingPlan
        fields = ["name", "unit", "kind", "percent", "per_agent", "targets", "score_below", "csat_max", "emotion_over",
                  "rule_ids", "limit", "recurrence", "date_from", "date_to", "assign_mode", "active"]
        widgets = {"date_from": forms.DateInput(attrs={"type": "date"}),
                   "date_to": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, units=None, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.all()
        self.fields["rule_ids"].initial = ", ".join(self.instance.rule_ids or []) if self.instance.pk else ""
        self.candidates = list(candidates or [])
        current = {r.reviewer_id: r.weight for r in self.instance.reviewers.all()} if self.instance.pk else {}
        for person in self.candidates:
            self.fields[f"weight_{person.pk}"] = forms.IntegerField(
                label=str(person), min_value=0, max_value=100, required=False, initial=current.get(person.pk, 0),
                help_text=_("0: not in this plan"))

    def reviewer_fields(self):
        return [self[f"weight_{p.pk}"] for p in self.candidates]

    def plan_fields(self):
        return [self[name] for name in self.Meta.fields]

    def clean_rule_ids(self):
        text = self.cleaned_data.get("rule_ids") or ""
        return [part for part in re.split(r"[\s,，]+", text) if part]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == PlanKind.RANDOM and not (data.get("percent") and 0 < data["percent"] <= 100):
            self.add_error("percent", _("A random plan needs a percentage between 0 and 100."))
        if kind == PlanKind.PER_AGENT and not data.get("per_agent"):
            self.add_error("per_agent", _("Say how many conversations to take per agent."))
        if kind == PlanKind.TARGETED:
            targets = data.get("targets") or []
            if not targets:
                self.add_error("targets", _("Choose at least one target."))
            if "low_score" in targets and data.get("score_below") is None:
                self.add_error("score_below", _("Give the score below which a conversation is taken."))
            if "low_csat" in targets and data.get("csat_max") is None:
                self.add_error("csat_max", _("Give the highest CSAT that counts as low."))
            if "rules" in targets and not data.get("rule_ids"):
                self.add_error("rule_ids", _("Name the rules whose hits are taken."))
        if data.get("recurrence") == Recurrence.ONCE:
            if not data.get("date_from") or not data.get("date_to"):
                self.add_error("date_from", _("A one-off plan needs a date range."))
            elif data["date_from"] > data["date_to"]:
                self.add_error("date_to", _("The end is before the start."))
        weights = [(p, self.cleaned_data.get(f"weight_{p.pk}") or 0) for p in self.candidates]
        self.reviewers = [(p, w) for p, w in weights if w > 0]
        if not self.reviewers:
            self.add_error(None, _("Give at least one reviewer a weight above 0."))
        if data.get("assign_mode") == AssignMode.EVEN:
            self.reviewers = [(p, 1) for p, _w in self.reviewers]
        return data


class ReassignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=_("New reviewer"), queryset=Person.objects.none())

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = candidates if candidates is not None else Person.objects.none()


class CaseForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    outcome = forms.ChoiceField(label=_("Good or bad example"), choices=CaseOutcome.choices)
    background = forms.CharField(label=_("Background"), widget=forms.Textarea(attrs={"rows": 3}))
    problem = forms.CharField(label=_("Problem description"), widget=forms.Textarea(attrs={"rows": 3}))
    handling = forms.CharField(label=_("Handling"), widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.CharField(label=_("Result and impact"), widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    items = forms.MultipleChoiceField(label=_("Items you dispute"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose the items you dispute.")})
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": _("Say why you dispute these items.")})

    def __init__(self, *args, review=None, **kwargs):
        super().__init__(*args, **kwargs)
        items = list(review.items.all()) if review is not None else []
        self.fields["items"].choices = [
            (str(i.pk), f"{i.label} ({i.earned:g}/{i.points:g})" if i.earned is not None and not i.red_line
             else i.label) for i in items if i.applicable]


class SupervisorDecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Accept (the QA lead confirms)")), ("forward", _("Forward to the QA lead")),
        ("reject", _("Reject (final)"))])
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FinalDecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Final decision"), widget=forms.RadioSelect, choices=[
        ("accept", _("Accept: change the scores below")), ("reject", _("Reject: the review stands"))])
    comment = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"required": _("Write the reason for the decision.")})

    def __init__(self, *args, appeal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(appeal.items.select_related("review_item")) if appeal is not None else []
        for entry in self.entries:
            item = entry.review_item
            if item.red_line:
                continue  # accepting clears the red line; there is no score to give
            self.fields[f"score_{entry.pk}"] = forms.FloatField(
                label=_("%(item)s: new score (of %(points)s)") % {"item": item.label, "points": f"{item.points:g}"},
                min_value=0, max_value=item.points, initial=item.points, required=False)


class CalibrationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    expert = forms.ModelChoiceField(label=_("Expert (the reference review)"), queryset=Person.objects.none())
    participants = forms.ModelMultipleChoiceField(label=_("Reviewers"), queryset=Person.objects.none(),
                                                  widget=forms.CheckboxSelectMultiple)
    conversations = forms.CharField(
        label=_("Conversations"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Conversation ids (as received from the source), one per line."))
    due_on = forms.DateField(label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, candidates=None, conversations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = candidates
        self.fields["participants"].queryset = candidates
        self.visible_conversations = conversations if conversations is not None else Conversation.objects.none()

    def clean_conversations(self):
        found = []
        for number, line in enumerate(self.cleaned_data["conversations"].splitlines(), start=1):
            cid = line.strip()
            if not cid:
                continue
            conversation = self.visible_conversations.filter(external_id=cid).order_by("pk").first()
            if conversation is None:
                raise forms.ValidationError(_("Line %(line)s: no conversation %(id)s that you may see.")
                                            % {"line": number, "id": cid})
            if conversation not in found:
                found.append(conversation)
        if not found:
            raise forms.ValidationError(_("Choose at least one conversation."))
        return found


class DashboardForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False,
                                  empty_label=_("All units in my scope"))
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()

    def period(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("date_to") or today
        start = data.get("date_from") or end - timedelta(days=29)
        if start > end:
            start, end = end, start
        return start, end
