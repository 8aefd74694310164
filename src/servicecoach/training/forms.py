"""Forms of the Training pages. They check the shape of the input; the rules live in training.services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import Level, OrgUnit, Role
from servicecoach.training.models import AttachmentKind, Course, LearningPath, ModuleTopic, QuestionKind


class CourseForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ModuleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=ModuleTopic.choices,
                              help_text=_("Culture, etiquette and data security are general modules; the others "
                                          "are specialist."))


class LessonForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600, initial=15)
    is_micro = forms.BooleanField(label=_("Micro-lesson (15–20 minutes, ends with a quiz)"), required=False)
    standard_code = forms.CharField(label=_("Service standard"), max_length=60, required=False,
                                    help_text=_("The code of the service standard this lesson teaches, if any."))
    body = forms.CharField(label=_("Content"), required=False, widget=forms.Textarea(attrs={"rows": 14}),
                           help_text=_("Plain text (blank lines separate paragraphs) or simple HTML: headings, "
                                       "lists, tables, links, bold and italics. Anything else is removed."))


class LessonUpdateForm(LessonForm):
    material_change = forms.BooleanField(
        label=_("Material change"), required=False,
        help_text=_("Everyone who completed this lesson will be asked to read it again and pass its quiz again."))
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class LessonFileForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AttachmentKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    upload = forms.FileField(label=_("File"))


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=QuestionKind.choices)
    text = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    choices = forms.CharField(
        label=_("Answers"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One answer a line; start each correct answer with *. For true/false, leave empty and tick "
                    "“The statement is true” if it is."))
    is_true = forms.BooleanField(label=_("The statement is true"), required=False)
    explanation = forms.CharField(label=_("Explanation shown after answering"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    pass_mark = forms.IntegerField(label=_("Pass mark of the quiz (%)"), min_value=1, max_value=100, required=False)

    def parsed_choices(self) -> list[tuple[str, bool]]:
        if self.cleaned_data["kind"] == QuestionKind.TRUE_FALSE:
            return [("", self.cleaned_data["is_true"])]
        parsed = []
        for line in self.cleaned_data.get("choices", "").splitlines():
            line = line.strip()
            if line:
                parsed.append((line[1:].strip(), True) if line.startswith("*") else (line, False))
        return parsed


class PathForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Any role"))] + list(Role.choices), required=False)
    level = forms.ChoiceField(label=_("Level"), choices=[("", _("Any level"))] + list(Level.choices), required=False)
    due_days = forms.IntegerField(label=_("Days to complete"), min_value=1, max_value=730, initial=30)
    auto_enrol = forms.BooleanField(label=_("Enrol automatically on joining"), required=False,
                                    help_text=_("People who join, or are given the role, with this role and level "
                                                "are enrolled at once."))
    units = forms.ModelMultipleChoiceField(label=_("Only in these units"), queryset=OrgUnit.objects.none(),
                                           required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units if units is not None else OrgUnit.objects.all()


class PathUpdateForm(PathForm):
    active = forms.BooleanField(label=_("Active"), required=False,
                                help_text=_("An inactive path enrols nobody and leaves my learning and the report."))


class PathCourseForm(forms.Form):
    course = forms.ModelChoiceField(label=_("Course"), queryset=Course.objects.none())
    prerequisites = forms.ModelMultipleChoiceField(label=_("Prerequisites"), queryset=Course.objects.none(),
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    due_days = forms.IntegerField(label=_("Due (days after enrolment)"), min_value=1, max_value=730, required=False)

    def __init__(self, *args, courses=None, earlier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses if courses is not None else Course.objects.all()
        self.fields["prerequisites"].queryset = earlier if earlier is not None else Course.objects.none()


class EnrolForm(forms.Form):
    employee_numbers = forms.CharField(
        label=_("Employee numbers"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more, separated by spaces, commas or new lines."))
    unit = forms.ModelChoiceField(label=_("Or everyone in a unit"), queryset=OrgUnit.objects.none(), required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()

    def clean(self):
        data = super().clean()
        numbers = [n for n in data.get("employee_numbers", "").replace(",", " ").split() if n]
        data["numbers"] = numbers
        if not numbers and not data.get("unit"):
            raise ValidationError(_("Give employee numbers or choose a unit."))
        return data


class ReportFilterForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.none(), required=False)
    path = forms.ModelChoiceField(label=_("Learning path"), queryset=LearningPath.objects.filter(active=True),
                                  required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else OrgUnit.objects.none()
