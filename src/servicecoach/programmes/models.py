"""Training programmes (培训项目), classroom sessions (培训班), onboarding plans (新人带教), mentoring and
training-needs analysis (培训需求分析).

Shape and rules: docs/programmes.md. Writes go through ``programmes.services``, reads that depend on who
is asking through ``programmes.selectors``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.org.models import OrgUnit, Person, User

# ---------------------------------------------------------------------------------------------- programmes


class ProgrammeKind(models.TextChoices):
    NEW_HIRE = "new_hire", _("New-hire training")
    RETRAINING = "retraining", _("Re-training")
    SPECIALIST = "specialist", _("Specialist training")


class Programme(models.Model):
    """A training programme: the frame of classroom sessions for one group of people (the exams app
    may pick its candidates from ``participants``)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ProgrammeKind.choices, default=ProgrammeKind.NEW_HIRE)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    owner = models.ForeignKey(Person, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_programmes")
    participants = models.ManyToManyField(Person, verbose_name=_("participants"), blank=True,
                                          related_name="programmes")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("training programme")
        verbose_name_plural = _("training programmes")

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------- sessions


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    CANCELLED = "cancelled", _("Cancelled")


class ClassroomSession(models.Model):
    programme = models.ForeignKey(Programme, verbose_name=_("programme"), on_delete=models.PROTECT,
                                  related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    trainer = models.ForeignKey(Person, verbose_name=_("trainer"), on_delete=models.PROTECT,
                                related_name="sessions_trained")
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    day_start = models.TimeField(_("daily start time"))
    day_end = models.TimeField(_("daily end time"))
    venue = models.CharField(_("venue"), max_length=200)
    capacity = models.PositiveIntegerField(_("capacity"))
    assessment = models.TextField(_("assessment requirements"), blank=True)
    what_to_bring = models.TextField(_("what to bring"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=SessionStatus.choices,
                              default=SessionStatus.SCHEDULED)
    # The 3-working-day notice rule, and a training manager's recorded override of it.
    notice_override_reason = models.TextField(_("reason for short notice"), blank=True)
    notice_override_by = models.ForeignKey(User, verbose_name=_("short notice allowed by"), null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    notice_sent_at = models.DateTimeField(_("notice sent at"), null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name=_("created by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("classroom session")
        verbose_name_plural = _("classroom sessions")

    def __str__(self) -> str:
        return self.title


class ParticipantKind(models.TextChoices):
    NEW_HIRE = "new_hire", _("New hire")
    RETRAINEE = "retrainee", _("Re-trainee")


class SessionParticipant(models.Model):
    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="enrolments")
    person = models.ForeignKey(Person, verbose_name=_("participant"), on_delete=models.CASCADE,
                               related_name="session_enrolments")
    kind = models.CharField(_("kind"), max_length=12, choices=ParticipantKind.choices,
                            default=ParticipantKind.NEW_HIRE)

    class Meta:
        ordering = ["person__employee_no"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="unique_session_participant")]
        verbose_name = _("session participant")
        verbose_name_plural = _("session participants")

    def __str__(self) -> str:
        return f"{self.session}: {self.person.name}"


class EquipmentKind(models.TextChoices):
    PROJECTOR = "projector", _("Projector")
    MICROPHONES = "microphones", _("Microphones")
    TABLES = "tables", _("Discussion tables")
    TEST_ACCOUNTS = "test_accounts", _("Test accounts")
    NETWORK = "network", _("Network")


class EquipmentCheck(models.Model):
    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="equipment")
    item = models.CharField(_("item"), max_length=20, choices=EquipmentKind.choices)
    checked = models.BooleanField(_("checked"), default=False)
    checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["session", "item"], name="unique_session_equipment")]

    def __str__(self) -> str:
        return f"{self.session}: {self.get_item_display()}"


def material_path(instance: SessionMaterial, filename: str) -> str:
    return f"programmes/sessions/{instance.session_id}/{filename}"


class SessionMaterial(models.Model):
    """A file for a session; served only to its participants, its trainer and training staff."""

    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=material_path)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class BlockKind(models.TextChoices):
    OPENING = "opening", _("Opening")
    TEACHING = "teaching", _("Teaching")
    BREAK = "break", _("Break")
    WRAP_UP = "wrap_up", _("Daily wrap-up")


class AgendaBlock(models.Model):
    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="agenda")
    day = models.DateField(_("day"))
    start = models.TimeField(_("start"))
    end = models.TimeField(_("end"))
    kind = models.CharField(_("kind"), max_length=10, choices=BlockKind.choices)
    title = models.CharField(_("title"), max_length=200, blank=True)

    class Meta:
        ordering = ["day", "start"]
        verbose_name = _("agenda block")
        verbose_name_plural = _("agenda blocks")

    def __str__(self) -> str:
        return f"{self.day} {self.start:%H:%M}-{self.end:%H:%M} {self.title}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="session_attendance")
    day = models.DateField(_("day"))
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "person__employee_no"]
        constraints = [models.UniqueConstraint(fields=["session", "person", "day"], name="unique_attendance")]

    def __str__(self) -> str:
        return f"{self.day} {self.person.name}: {self.get_status_display()}"


class AttendanceCode(models.Model):
    """The sign-in code shown in the room: one per session day, valid on that day only."""

    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="codes")
    day = models.DateField(_("day"))
    code = models.CharField(pgettext_lazy("sign-in", "code"), max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["session", "day"], name="unique_attendance_code")]

    def __str__(self) -> str:
        return f"{self.session}: {self.day}"


class ParticipationNote(models.Model):
    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="participation_notes")
    person = models.ForeignKey(Person, verbose_name=_("participant"), on_delete=models.CASCADE,
                               related_name="participation_notes")
    day = models.DateField(_("day"))
    times_spoken = models.PositiveIntegerField(_("times spoken"), default=0)
    note = models.TextField(_("note"))
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.person.name}"


class GroupExercise(models.Model):
    """A group exercise of one day: 3 to 5 participants, their task and the trainer's remarks."""

    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="group_exercises")
    day = models.DateField(_("day"))
    task = models.CharField(_("task"), max_length=300)
    members = models.ManyToManyField(Person, verbose_name=_("members"), related_name="group_exercises")
    remarks = models.TextField(_("trainer's remarks"), blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]

    def __str__(self) -> str:
        return f"{self.day} {self.task}"


class CoachingTask(models.Model):
    """A remedial coaching task for a participant the trainer flagged as falling behind."""

    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="coaching_tasks")
    person = models.ForeignKey(Person, verbose_name=_("participant"), on_delete=models.CASCADE,
                               related_name="coaching_tasks")
    reason = models.TextField(_("why they are falling behind"))
    task = models.TextField(_("coaching task"))
    due_on = models.DateField(_("due on"))
    assigned_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        verbose_name = _("coaching task")
        verbose_name_plural = _("coaching tasks")

    def __str__(self) -> str:
        return f"{self.person.name}: {self.task[:40]}"


class DailyFeedback(models.Model):
    """A participant's word on one day: three ratings from 1 to 5 and a comment."""

    session = models.ForeignKey(ClassroomSession, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="session_feedback")
    day = models.DateField(_("day"))
    content_rating = models.PositiveSmallIntegerField(_("content"))
    pace_rating = models.PositiveSmallIntegerField(_("pace and depth"))
    relevance_rating = models.PositiveSmallIntegerField(_("closeness to our work"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person", "day"], name="unique_daily_feedback")]

    def __str__(self) -> str:
        return f"{self.day} {self.person.name}"


class Notice(models.Model):
    """An in-app notice to one person (the same text also goes out by e-mail when they have an address)."""

    recipient = models.ForeignKey(Person, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notices")
    session = models.ForeignKey(ClassroomSession, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="notices")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed = models.BooleanField(_("e-mailed"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.subject


# ---------------------------------------------------------------------------------------------- onboarding


class OnboardingTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")

    def __str__(self) -> str:
        return self.name


class TaskKind(models.TextChoices):
    TASK = "task", _("Task")
    LESSON = "lesson", _("Lesson")
    CHECK = "check", pgettext_lazy("onboarding task", "Check")


class TemplateGoal(models.Model):
    template = models.ForeignKey(OnboardingTemplate, on_delete=models.CASCADE, related_name="goals")
    week = models.PositiveSmallIntegerField(_("week"))
    title = models.CharField(_("goal"), max_length=200)

    class Meta:
        ordering = ["week", "id"]

    def __str__(self) -> str:
        return f"{self.week}: {self.title}"


class TemplateTask(models.Model):
    goal = models.ForeignKey(TemplateGoal, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.TASK)
    title = models.CharField(_("title"), max_length=200)
    # A "lesson" task names a lesson of the training app when one of that title exists.
    lesson = models.ForeignKey("training.Lesson", verbose_name=_("lesson"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class OnboardingPlan(models.Model):
    """A new hire started on a template: the template's goals copied with dates."""

    template = models.ForeignKey(OnboardingTemplate, verbose_name=_("template"), on_delete=models.PROTECT,
                                 related_name="plans")
    person = models.ForeignKey(Person, verbose_name=_("new hire"), on_delete=models.CASCADE,
                               related_name="onboarding_plans")
    start_date = models.DateField(_("start date"))
    started_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")

    def __str__(self) -> str:
        return f"{self.person.name}: {self.template.name}"


class PlanGoal(models.Model):
    plan = models.ForeignKey(OnboardingPlan, on_delete=models.CASCADE, related_name="goals")
    week = models.PositiveSmallIntegerField(_("week"))
    title = models.CharField(_("goal"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))

    class Meta:
        ordering = ["week", "id"]

    def __str__(self) -> str:
        return f"{self.week}: {self.title}"


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")


class PlanTask(models.Model):
    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="tasks")
    kind = models.CharField(_("kind"), max_length=10, choices=TaskKind.choices, default=TaskKind.TASK)
    title = models.CharField(_("title"), max_length=200)
    lesson = models.ForeignKey("training.Lesson", verbose_name=_("lesson"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    evidence = models.TextField(_("evidence and notes"), blank=True)
    result = models.CharField(_("result"), max_length=10, choices=CheckResult.choices, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------------------------- mentoring


class CertificationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class MentorCertification(models.Model):
    """A candidate mentor's checklist of criteria, approved (or not) by a training manager."""

    person = models.ForeignKey(Person, verbose_name=_("mentor"), on_delete=models.CASCADE,
                               related_name="mentor_certifications")
    criteria_met = models.JSONField(_("criteria met"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CertificationStatus.choices,
                              default=CertificationStatus.PENDING)
    note = models.TextField(_("note"), blank=True)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("mentor certification")
        verbose_name_plural = _("mentor certifications")

    def __str__(self) -> str:
        return self.person.name


class MentorAssignment(models.Model):
    mentor = models.ForeignKey(Person, verbose_name=_("mentor"), on_delete=models.PROTECT,
                               related_name="mentee_assignments")
    mentee = models.ForeignKey(Person, verbose_name=_("new hire"), on_delete=models.CASCADE,
                               related_name="mentor_assignments")
    start_date = models.DateField(_("start date"))
    probation_end = models.DateField(_("end of probation"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("mentor assignment")
        verbose_name_plural = _("mentor assignments")

    def __str__(self) -> str:
        return f"{self.mentor.name} → {self.mentee.name}"


class OneOnOne(models.Model):
    assignment = models.ForeignKey(MentorAssignment, on_delete=models.CASCADE, related_name="meetings")
    met_on = models.DateField(_("date"))
    questions = models.TextField(_("questions raised"))
    advice = models.TextField(_("advice given"), blank=True)
    next_steps = models.TextField(_("next steps"), blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-met_on", "-id"]

    def __str__(self) -> str:
        return f"{self.met_on}"


class ShadowingNote(models.Model):
    assignment = models.ForeignKey(MentorAssignment, on_delete=models.CASCADE, related_name="shadowing")
    observed_on = models.DateField(_("date"))
    senior = models.ForeignKey(Person, verbose_name=_("senior agent"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    observed = models.TextField(_("what was observed"))
    learned = models.TextField(_("what was learned"), blank=True)
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-observed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.observed_on}"


# ---------------------------------------------------------------------------------------------- needs analysis


class NeedsSurvey(models.Model):
    """A collection of training needs for one unit (and the units under it) over a list of skills."""

    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="needs_surveys")
    skills = models.JSONField(_("skills"), default=list)
    closes_on = models.DateField(_("closes on"))
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("needs survey")
        verbose_name_plural = _("needs surveys")

    def __str__(self) -> str:
        return self.title


class NeedsSource(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor's input")
    SELF = "self", _("Self-assessment")
    QA = "qa", _("QA weak points")
    EXAM = "exam", _("Low exam topics")


class NeedsResponse(models.Model):
    """One answer to a survey: how much each skill needs training (1 none … 5 urgent)."""

    survey = models.ForeignKey(NeedsSurvey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(_("source"), max_length=12, choices=NeedsSource.choices)
    ratings = models.JSONField(_("ratings"), default=dict)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["survey", "respondent", "source"],
                                               name="unique_needs_response")]

    def __str__(self) -> str:
        return f"{self.survey}: {self.get_source_display()}"
