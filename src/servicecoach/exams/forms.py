"""Forms of the Assessment app. A question form is one row of the Excel template, read by the
engine's own row reader, so the page and the import accept exactly the same notation."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from servicecoach.exams.engine import importers
from servicecoach.exams.engine.questions import Question as EngineQuestion
from servicecoach.exams.engine.questions import QuestionError
from servicecoach.exams.models import Assessment, Difficulty, Exam, PaperKind, Question, QuestionType
from servicecoach.org.models import OrgUnit, Person

LETTERS = "ABCDEF"
TYPE_ZH = {t.value: importers.TYPE_LABEL_ZH[t] for t in importers.TYPE_LABEL_ZH}
DIFFICULTY_ZH = {d.value: importers.DIFFICULTY_LABEL_ZH[d] for d in importers.DIFFICULTY_LABEL_ZH}
# Which form field an engine message about a template column belongs to.
_COLUMN_FIELDS = [("正确答案", "answer"), ("题目", "stem"), ("题型", "qtype"), ("分值", "points"),
                  ("难度", "difficulty"), ("标签", "tags")] + [(f"选项{c}", f"option_{c.lower()}") for c in LETTERS]


class QuestionForm(forms.Form):
    qtype = forms.ChoiceField(label=_("Type"), choices=QuestionType.choices)
    stem = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}))
    option_a = forms.CharField(label=_("Option A"), required=False)
    option_b = forms.CharField(label=_("Option B"), required=False)
    option_c = forms.CharField(label=_("Option C"), required=False)
    option_d = forms.CharField(label=_("Option D"), required=False)
    option_e = forms.CharField(label=_("Option E"), required=False)
    option_f = forms.CharField(label=_("Option F"), required=False)
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Single choice: B; multiple choice: ABD; true/false: 正确 or 错误; fill in the blank: blanks "
                     "separated by |, accepted answers of a blank by ; (95588|24小时;二十四小时); short answer: key "
                     "points separated by |, phrasings by ;, weight in brackets (致歉;道歉(2)|记录问题); essay: the "
                     "reference answer."),
    )
    explanation = forms.CharField(label=_("Explanation (shown after the exam)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    topic = forms.CharField(label=_("Topic"), max_length=100, required=False)
    difficulty = forms.ChoiceField(label=_("Difficulty"), choices=Difficulty.choices, initial=Difficulty.MEDIUM)
    points = forms.DecimalField(label=_("Points"), min_value=Decimal("0.01"), max_digits=6, decimal_places=2,
                                initial=1)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))

    @classmethod
    def initial_for(cls, question: EngineQuestion) -> dict[str, str]:
        row = dict(zip(importers.EXCEL_COLUMNS, importers._question_row(question)))
        initial = {
            "qtype": question.type.value, "stem": question.stem, "answer": row["正确答案"],
            "explanation": question.explanation, "topic": question.topic,
            "difficulty": question.difficulty.value, "points": question.points, "tags": ", ".join(question.tags),
        }
        for c in LETTERS:
            initial[f"option_{c.lower()}"] = row[f"选项{c}"]
        return initial

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        row = {
            "题型": TYPE_ZH[data["qtype"]], "题目": data["stem"], "正确答案": data.get("answer", ""),
            "解析": data.get("explanation", ""), "知识点/模块": data.get("topic", ""),
            "难度": DIFFICULTY_ZH[data["difficulty"]], "分值": format(data["points"].normalize(), "f"),
            "标签": data.get("tags", ""),
        }
        for c in LETTERS:
            row[f"选项{c}"] = data.get(f"option_{c.lower()}", "")
        try:
            self.engine_question = importers._question_from_row(lambda col: row.get(col, ""))
        except (importers._Bad, QuestionError) as exc:
            message = getattr(exc, "reason", str(exc))
            target = next((f for column, f in _COLUMN_FIELDS if message.startswith(column)), None)
            self.add_error(target, message)
        return data


class QuestionFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    qtype = forms.ChoiceField(label=_("Type"), required=False, choices=[("", "—"), *QuestionType.choices])
    difficulty = forms.ChoiceField(label=_("Difficulty"), required=False, choices=[("", "—"), *Difficulty.choices])
    tag = forms.CharField(label=_("Tag"), required=False)
    archived = forms.BooleanField(label=_("Archived"), required=False)

    def __init__(self, *args, topics: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", "—"), *((t, t) for t in topics)]


class ImportForm(forms.Form):
    fmt = forms.ChoiceField(label=_("Format"), choices=[
        ("excel", _("Excel template (.xlsx)")), ("gift", _("Moodle GIFT")), ("aiken", _("Aiken"))])
    file = forms.FileField(label=_("File"))
    topic = forms.CharField(label=_("Topic (Aiken files carry none)"), required=False, max_length=100)

    MAX_BYTES = 5 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class PaperForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=PaperKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    questions = forms.CharField(
        label=_("Questions (fixed paper)"), required=False, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One question key per line, in order; optionally a comma and the points it is worth here."),
    )
    total = forms.IntegerField(
        label=_("Total questions (blueprint)"), required=False, min_value=1,
        help_text=_("Leave empty when the rows do not overlap; needed when they do (e.g. '10 on topic A' and '5 hard')."),
    )

    def clean(self):
        data = super().clean()
        self.fixed = []
        if data.get("kind") != PaperKind.FIXED:
            return data
        problems = []
        for n, line in enumerate((data.get("questions") or "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            key, _sep, points_text = line.partition(",")
            question = Question.objects.filter(key=key.strip()).first()
            if question is None:
                problems.append(_("line %(n)s: no question with key “%(key)s”") % {"n": n, "key": key.strip()})
                continue
            points = None
            if points_text.strip():
                try:
                    points = Decimal(points_text.strip())
                    if points <= 0:
                        raise ArithmeticError
                except ArithmeticError:
                    problems.append(_("line %(n)s: points “%(p)s” must be a positive number")
                                    % {"n": n, "p": points_text.strip()})
                    continue
            self.fixed.append((question, points))
        for p in problems:
            self.add_error("questions", p)
        return data


class QuotaForm(forms.Form):
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    difficulty = forms.ChoiceField(label=_("Difficulty"), required=False, choices=[("", _("any")), *Difficulty.choices])
    qtype = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("any")), *QuestionType.choices])
    count = forms.IntegerField(label=_("Count"), min_value=0, required=False)
    points_each = forms.DecimalField(label=_("Points each"), required=False, min_value=Decimal("0.01"),
                                     max_digits=6, decimal_places=2)

    def __init__(self, *args, topics: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("any")), *((t, t) for t in topics)]

    def row(self):
        d = self.cleaned_data
        if not d or d.get("count") in (None, ""):
            return None
        return {"topic": d.get("topic", ""), "difficulty": d.get("difficulty", ""), "qtype": d.get("qtype", ""),
                "count": d["count"], "points_each": d.get("points_each")}


QuotaFormSet = forms.formset_factory(QuotaForm, extra=3, max_num=60)


class ExamForm(forms.ModelForm):
    opens_at = forms.DateTimeField(label=_("Opens at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    closes_at = forms.DateTimeField(label=_("Closes at"),
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))

    class Meta:
        model = Exam
        fields = ["title", "paper", "opens_at", "closes_at", "duration_minutes", "attempts_allowed",
                  "layout", "shuffle_questions", "shuffle_options", "mc_policy", "pass_percent", "people", "units",
                  "programmes"]
        widgets = {"people": forms.SelectMultiple(attrs={"size": 8}), "units": forms.SelectMultiple(attrs={"size": 6}),
                   "programmes": forms.SelectMultiple(attrs={"size": 5})}

    def __init__(self, *args, user=None, **kwargs):
        # Only exam managers (administrators, training managers, trainers) reach these forms; like every
        # exam and person, every programme is theirs to choose from (programmes_visible_to would hide from a
        # trainer the programmes they do not teach).
        from servicecoach.programmes.models import Programme

        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = Person.objects.select_related("unit").order_by("employee_no")
        self.fields["units"].queryset = OrgUnit.objects.order_by("path")
        self.fields["programmes"].queryset = Programme.objects.order_by("-start_date", "pk")
        self.fields["attempts_allowed"].min_value = 1
        self.fields["duration_minutes"].min_value = 1

    def clean(self):
        data = super().clean()
        if not data.get("people") and not data.get("units") and not data.get("programmes"):
            self.add_error("people", _("Name at least one candidate, unit or training programme."))
        for name in ("duration_minutes", "attempts_allowed"):
            if data.get(name) == 0:
                self.add_error(name, _("Must be at least 1."))
        return data


class ReviewForm(forms.Form):
    adjustment = forms.DecimalField(label=_("Adjustment (points, + or -)"), max_digits=6, decimal_places=2)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class EssayScoreForm(forms.Form):
    score = forms.DecimalField(label=_("Score"), min_value=0, max_digits=6, decimal_places=2)


# ---------------------------------------------------------------- practical exams and the composite grade


def _split_list(text: str) -> list[str]:
    return [t.strip() for t in text.replace("，", ",").replace("、", ",").split(",") if t.strip()]


class ScenarioCardForm(forms.Form):
    key = forms.SlugField(label=_("Key"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200)
    situation = forms.CharField(label=_("Situation"), widget=forms.Textarea(attrs={"rows": 3}))
    customer_role = forms.CharField(label=_("Customer's role"), widget=forms.Textarea(attrs={"rows": 2}))
    expected_handling = forms.CharField(label=_("Expected handling (one step per line)"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 4}))
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separated by commas."))
    active = forms.BooleanField(label=_("Active (may be drawn)"), required=False, initial=True)

    def clean_tags(self):
        return _split_list(self.cleaned_data.get("tags", ""))


class RubricForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    items = forms.CharField(
        label=_("Items"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One item per line: key | title | points | level=points descriptor; level=points descriptor. "
                    "Example: open | 使用标准开场白 | 10 | 优=10 完整规范; 良=7 基本规范; 差=3 未使用"),
    )

    def clean_items(self):
        from servicecoach.exams.services import rubric_items_from_text

        return rubric_items_from_text(self.cleaned_data["items"])


class AssessmentForm(forms.ModelForm):
    card_tags_text = forms.CharField(label=_("Scenario card tags"), required=False,
                                     help_text=_("Only cards carrying all these tags are drawn (empty: any card)."))

    class Meta:
        model = Assessment
        fields = ["title", "held_on", "theory_exam", "rubric", "margin_share", "weight_theory", "weight_practical",
                  "weight_overall", "rounding", "band_excellent", "band_good", "band_pass", "programme",
                  "conduct_attendance", "conduct_participation", "conduct_teamwork", "people", "units", "assessors"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}),
                   "people": forms.SelectMultiple(attrs={"size": 8}), "units": forms.SelectMultiple(attrs={"size": 6}),
                   "assessors": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, user=None, **kwargs):
        # Only exam managers (administrators, training managers, trainers) reach these forms; like every
        # exam and person, every programme is theirs to choose from (programmes_visible_to would hide from a
        # trainer the programmes they do not teach).
        from servicecoach.programmes.models import Programme

        super().__init__(*args, **kwargs)
        people = Person.objects.select_related("unit").order_by("employee_no")
        self.fields["programme"].queryset = Programme.objects.order_by("-start_date", "pk")
        self.fields["conduct_attendance"].help_text = _(
            "Overall conduct = attendance % × this + participation % × its weight + teamwork % × its weight; the "
            "three weights add up to 1 (default 0.4, 0.3, 0.3). With overall conduct weighing 20% of the "
            "composite, an attendance weight of 0.4 makes attendance 8 of the 100 points.")
        self.fields["people"].queryset = people
        self.fields["assessors"].queryset = people
        self.fields["units"].queryset = OrgUnit.objects.order_by("path")
        if self.instance.pk:
            self.fields["card_tags_text"].initial = ", ".join(self.instance.card_tags)

    def clean(self):
        data = super().clean()
        data["card_tags"] = _split_list(data.pop("card_tags_text", "") or "")
        if not data.get("people") and not data.get("units") and not data.get("programme"):
            self.add_error("people", _("Name at least one candidate, unit or training programme."))
        return data


class ConductForm(forms.Form):
    attendance_percent = forms.DecimalField(label=_("Attendance (%)"), min_value=0, max_value=100, max_digits=5,
                                            decimal_places=2, required=False)
    from_programme = forms.BooleanField(
        label=_("Take the attendance from the programme's classroom sessions"), required=False,
        help_text=_("The rate is read again from the attendance records whenever the result is computed."))
    participation = forms.CharField(label=_("Participation ratings (0–5, trainer and supervisor)"),
                                    help_text=_("Separated by commas, e.g. 4, 5"))
    teamwork = forms.CharField(label=_("Teamwork ratings (0–5, trainer and supervisor)"),
                               help_text=_("Separated by commas, e.g. 4, 4.5"))

    def _ratings(self, name):
        values = []
        for text in _split_list(self.cleaned_data.get(name, "")):
            try:
                values.append(Decimal(text))
            except ArithmeticError:
                raise forms.ValidationError(_("“%(v)s” is not a number.") % {"v": text}) from None
        if not values:
            raise forms.ValidationError(_("Give at least one rating."))
        return values

    def clean_participation(self):
        return self._ratings("participation")

    def clean_teamwork(self):
        return self._ratings("teamwork")

    def __init__(self, *args, programme_linked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not programme_linked:
            del self.fields["from_programme"]

    def clean(self):
        data = super().clean()
        if not data.get("from_programme") and data.get("attendance_percent") is None \
                and "attendance_percent" not in self.errors:
            self.add_error("attendance_percent", _("Enter the attendance, or take it from the programme."))
        return data


class FeedbackForm(forms.Form):
    feedback_text = forms.CharField(label=_("Feedback and improvement advice"), widget=forms.Textarea(attrs={"rows": 6}))
