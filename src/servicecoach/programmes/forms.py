"""Forms of the programmes pages. They validate input; ``programmes.services`` does the writing."""

from __future__ import annotations

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.org.models import OrgUnit, Person, PersonStatus, Role
from servicecoach.programmes.models import (
    AttendanceStatus,
    CheckResult,
    NeedsSource,
    ProgrammeKind,
)
from servicecoach.programmes.services import MENTOR_CRITERIA

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.employee_no})"


class PeopleField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} ({obj.employee_no}) · {obj.unit.name}"


def _active_people():
    return Person.objects.filter(status=PersonStatus.ACTIVE).select_related("unit").order_by("employee_no")


def _with_role(*roles):
    return _active_people().filter(roles__role__in=roles).distinct()


class ProgrammeForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End date"), widget=DATE_INPUT)
    owner = PersonChoiceField(label=_("Owner"), queryset=Person.objects.none(), required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    participants = PeopleField(label=_("Participants"), queryset=Person.objects.none(), required=False,
                               widget=forms.SelectMultiple(attrs={"size": 10, "style": "height:14rem"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _with_role(Role.TRAINING_MANAGER, Role.TRAINER, Role.ADMIN)
        self.fields["participants"].queryset = _active_people()


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    trainer = PersonChoiceField(label=_("Trainer"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    day_start = forms.TimeField(label=_("Daily start time"), widget=TIME_INPUT)
    day_end = forms.TimeField(label=_("Daily end time"), widget=TIME_INPUT)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)
    new_hires = PeopleField(label=_("New hires"), queryset=Person.objects.none(), required=False,
                            widget=forms.SelectMultiple(attrs={"size": 8, "style": "height:12rem"}))
    retrainees = PeopleField(label=_("Re-trainees"), queryset=Person.objects.none(), required=False,
                             widget=forms.SelectMultiple(attrs={"size": 8, "style": "height:12rem"}))
    assessment = forms.CharField(label=_("Assessment requirements"), required=False,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    what_to_bring = forms.CharField(label=_("What to bring"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Reason for short notice"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the session starts sooner than 3 working days from today: a training manager's "
                    "reason, recorded and audited."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainer"].queryset = _with_role(Role.TRAINER, Role.TRAINING_MANAGER)
        self.fields["new_hires"].queryset = _active_people()
        self.fields["retrainees"].queryset = _active_people()

    def participants(self) -> list[tuple[Person, str]]:
        return ([(p, "new_hire") for p in self.cleaned_data["new_hires"]]
                + [(p, "retrainee") for p in self.cleaned_data["retrainees"]])


class SignInForm(forms.Form):
    code = forms.CharField(label=_("Sign-in code"), max_length=12,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class AgendaTopicsForm(forms.Form):
    topics = forms.CharField(
        label=_("Topics"), widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One a line: title | minutes. Long topics are split into blocks of at most 90 minutes."))


class AgendaTextForm(forms.Form):
    text = forms.CharField(
        label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 18, "class": "mono"}),
        help_text=_("A line with the date starts each day; then one block a line: HH:MM-HH:MM kind title "
                    "(kinds: opening, teaching, break, wrap_up)."))


MATERIAL_EXTENSIONS = ["pdf", "ppt", "pptx", "doc", "docx", "xls", "xlsx", "txt", "md", "png", "jpg", "jpeg",
                       "mp4", "mp3", "zip"]
MATERIAL_MAX_MB = 200


def _material_size(file) -> None:
    if file.size > MATERIAL_MAX_MB * 1024 * 1024:
        raise forms.ValidationError(_("The file is larger than %(max)d MB.") % {"max": MATERIAL_MAX_MB})


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    file = forms.FileField(label=_("File"), validators=[FileExtensionValidator(MATERIAL_EXTENSIONS), _material_size],
                           help_text=_("PDF, slides, documents, spreadsheets, images, video or a zip archive."))


class ParticipationNoteForm(forms.Form):
    person = PersonChoiceField(label=_("Participant"), queryset=Person.objects.none())
    day = forms.DateField(label=pgettext_lazy("session day", "Day"), widget=DATE_INPUT)
    times_spoken = forms.IntegerField(label=_("Times spoken"), min_value=0, initial=0)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Role-play performance, questions, group work."))

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None:
            self.fields["person"].queryset = Person.objects.filter(session_enrolments__session=session)


class GroupExerciseForm(forms.Form):
    day = forms.DateField(label=pgettext_lazy("session day", "Day"), widget=DATE_INPUT)
    task = forms.CharField(label=_("Task"), max_length=300)
    members = PeopleField(label=_("Members"), queryset=Person.objects.none(),
                          widget=forms.CheckboxSelectMultiple, help_text=_("3 to 5 participants."))
    remarks = forms.CharField(label=_("Trainer's remarks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None:
            self.fields["members"].queryset = Person.objects.filter(
                session_enrolments__session=session).select_related("unit")


class CoachingTaskForm(forms.Form):
    person = PersonChoiceField(label=_("Participant"), queryset=Person.objects.none())
    reason = forms.CharField(label=_("Why they are falling behind"), widget=forms.Textarea(attrs={"rows": 2}))
    task = forms.CharField(label=_("Coaching task"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        if session is not None:
            self.fields["person"].queryset = Person.objects.filter(session_enrolments__session=session)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}))


RATING_CHOICES = [(n, str(n)) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    day = forms.DateField(label=pgettext_lazy("session day", "Day"), widget=DATE_INPUT)
    content_rating = forms.TypedChoiceField(label=_("Content: how useful was it?"), choices=RATING_CHOICES,
                                            coerce=int, widget=forms.RadioSelect)
    pace_rating = forms.TypedChoiceField(label=_("Pace and depth: were they right?"), choices=RATING_CHOICES,
                                         coerce=int, widget=forms.RadioSelect)
    relevance_rating = forms.TypedChoiceField(label=_("Cases: how close to our work?"), choices=RATING_CHOICES,
                                              coerce=int, widget=forms.RadioSelect)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("e.g. “this module was too deep”, “the cases were not close to our work”"))


ATTENDANCE_CHOICES = [("", "—"), *AttendanceStatus.choices]


class AttendanceDayForm(forms.Form):
    """One select and one reason per participant, built for the session's participants."""

    def __init__(self, *args, enrolments=(), initial_marks=None, **kwargs):
        super().__init__(*args, **kwargs)
        initial_marks = initial_marks or {}
        self.rows = []
        for enrolment in enrolments:
            pid = enrolment.person_id
            mark = initial_marks.get(pid)
            self.fields[f"status_{pid}"] = forms.ChoiceField(
                label=enrolment.person.name, choices=ATTENDANCE_CHOICES, required=False,
                initial=mark.status if mark else "")
            self.fields[f"reason_{pid}"] = forms.CharField(
                label=_("Reason"), required=False, max_length=200, initial=mark.reason if mark else "")
            self.rows.append((enrolment.person, self[f"status_{pid}"], self[f"reason_{pid}"]))

    def marks(self) -> dict[int, tuple[str, str]]:
        marks = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("status_") and value:
                pid = int(name.removeprefix("status_"))
                marks[pid] = (value, self.cleaned_data.get(f"reason_{pid}", ""))
        return marks


# ------------------------------------------------------------------------------------------- onboarding


class TemplateForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("onboarding template", "Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(
        label=_("Weekly goals and tasks"), widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("“week 1: goal” starts a week; “- task: …”, “- lesson: …” or “- check: …” adds to it."))


class PlanStartForm(forms.Form):
    person = PersonChoiceField(label=_("New hire"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _active_people()


class TaskTickForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)
    evidence = forms.CharField(label=_("Evidence and notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    result = forms.ChoiceField(label=_("Result"), choices=[("", "—"), *CheckResult.choices], required=False)


# ------------------------------------------------------------------------------------------- mentoring


class CertificationForm(forms.Form):
    person = PersonChoiceField(label=_("Candidate mentor"), queryset=Person.objects.none())
    criteria_met = forms.MultipleChoiceField(label=_("Criteria met"), required=False,
                                             choices=list(MENTOR_CRITERIA.items()),
                                             widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = _active_people()


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AssignmentForm(forms.Form):
    mentor = PersonChoiceField(label=_("Mentor"), queryset=Person.objects.none())
    mentee = PersonChoiceField(label=_("New hire"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    probation_end = forms.DateField(label=_("End of probation"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = _active_people().filter(
            mentor_certifications__status="approved").distinct()
        self.fields["mentee"].queryset = _active_people()


class OneOnOneForm(forms.Form):
    met_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    questions = forms.CharField(label=_("Questions raised"), widget=forms.Textarea(attrs={"rows": 2}))
    advice = forms.CharField(label=_("Advice given"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label=_("Next steps"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ShadowingForm(forms.Form):
    observed_on = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    senior = PersonChoiceField(label=_("Senior agent"), queryset=Person.objects.none(), required=False)
    observed = forms.CharField(label=_("What was observed"), widget=forms.Textarea(attrs={"rows": 2}))
    learned = forms.CharField(label=_("What was learned"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["senior"].queryset = _active_people().exclude(level="junior")


# ------------------------------------------------------------------------------------------- needs


class SurveyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=OrgUnit.objects.order_by("path"))
    skills = forms.CharField(label=_("Skills"), widget=forms.Textarea(attrs={"rows": 8}),
                             help_text=_("One skill a line."))
    closes_on = forms.DateField(label=_("Closes on"), widget=DATE_INPUT)


class SurveyAnswerForm(forms.Form):
    def __init__(self, *args, survey, sources, initial_ratings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"] = forms.ChoiceField(
            label=_("Answering as"), choices=[c for c in NeedsSource.choices if c[0] in sources])
        for index, skill in enumerate(survey.skills):
            self.fields[f"skill_{index}"] = forms.TypedChoiceField(
                label=skill, choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect,
                initial=(initial_ratings or {}).get(skill))
        self.fields["comment"] = forms.CharField(label=_("Comment"), required=False,
                                                 widget=forms.Textarea(attrs={"rows": 2}))
        self.survey = survey

    def ratings(self) -> dict[str, int]:
        return {skill: self.cleaned_data[f"skill_{i}"] for i, skill in enumerate(self.survey.skills)}


class SeedProgrammeForm(forms.Form):
    skills = forms.MultipleChoiceField(label=_("Skills to train"), widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices, initial=ProgrammeKind.SPECIALIST)
    start_date = forms.DateField(label=_("Start date"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("End date"), widget=DATE_INPUT)

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(s, s) for s in skills]


class NeedsPathForm(forms.Form):
    """A learning path from the needs report in one step (written by the training app's services)."""

    skills = forms.MultipleChoiceField(label=_("Skills to train"), widget=forms.CheckboxSelectMultiple)
    code = forms.CharField(label=_("Path code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=200)
    courses = forms.ModelMultipleChoiceField(
        label=_("Courses"), queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=_("Published courses, taken in the order of their codes."))
    in_order = forms.BooleanField(label=_("Each course requires the one before"), required=False, initial=True)
    due_days = forms.IntegerField(label=_("Days to complete"), min_value=1, max_value=365, initial=30)
    enrol_unit = forms.BooleanField(label=_("Enrol the unit's people now"), required=False, initial=True)

    def __init__(self, *args, skills=(), **kwargs):
        from servicecoach.training.models import Course

        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(s, s) for s in skills]
        self.fields["courses"].queryset = Course.objects.filter(published=True).order_by("code")
        self.fields["courses"].label_from_instance = lambda c: f"{c.code} · {c.title}"


class NeedsSessionForm(forms.Form):
    """A classroom session (and its programme) from the needs report in one step."""

    skills = forms.MultipleChoiceField(label=_("Skills to train"), widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProgrammeKind.choices, initial=ProgrammeKind.SPECIALIST)
    title = forms.CharField(label=_("Title"), max_length=200)
    trainer = PersonChoiceField(label=_("Trainer"), queryset=Person.objects.none())
    start_date = forms.DateField(label=_("First day"), widget=DATE_INPUT)
    end_date = forms.DateField(label=_("Last day"), widget=DATE_INPUT)
    day_start = forms.TimeField(label=_("Daily start time"), widget=TIME_INPUT, initial="09:00")
    day_end = forms.TimeField(label=_("Daily end time"), widget=TIME_INPUT, initial="17:30")
    venue = forms.CharField(label=_("Venue"), max_length=200)
    capacity = forms.IntegerField(label=_("Capacity"), min_value=1, max_value=500)
    override_reason = forms.CharField(
        label=_("Reason for short notice"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only when the session starts sooner than 3 working days from today: a training manager's "
                    "reason, recorded and audited."))

    def __init__(self, *args, skills=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(s, s) for s in skills]
        self.fields["trainer"].queryset = _with_role(Role.TRAINER, Role.TRAINING_MANAGER)
