"""Tables of the Assessment app: the question bank (with frozen versions), papers and their
blueprints, exams, attempts and their answered items.

A question's content lives in ``QuestionVersion.data`` (the engine question as JSON, see
codec.py). Editing a question adds a version; attempt items point at the version the candidate
saw, so past exams never change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from servicecoach.exams.codec import question_from_data
from servicecoach.exams.engine.questions import Question as EngineQuestion


class QuestionType(models.TextChoices):
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True/false")
    FILL_IN_BLANK = "fill_in_blank", _("Fill in the blank")
    SHORT_ANSWER = "short_answer", _("Short answer")
    ESSAY = "essay", _("Essay")


class Difficulty(models.TextChoices):
    EASY = "easy", _("Easy")
    MEDIUM = "medium", _("Medium")
    HARD = "hard", _("Hard")


class QuestionSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    EXCEL = "excel", _("Excel import")
    GIFT = "gift", _("GIFT import")
    AIKEN = "aiken", _("Aiken import")
    DEMO = "demo", _("Demo data")


class Question(models.Model):
    """A question of the bank. The columns repeat the current version's metadata for filtering."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    qtype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices)
    stem = models.TextField(_("question"))
    topic = models.CharField(_("topic"), max_length=100, blank=True, db_index=True)
    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices,
                                  default=Difficulty.MEDIUM)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, default=1)
    fingerprint = models.CharField(max_length=64, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    archived = models.BooleanField(_("archived"), default=False)
    source = models.CharField(_("source"), max_length=10, choices=QuestionSource.choices,
                              default=QuestionSource.MANUAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["topic", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.stem[:60]

    @property
    def current(self) -> QuestionVersion:
        return self.versions.get(number=self.version)


class QuestionVersion(models.Model):
    """One frozen state of a question, exactly as candidates saw it."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    fingerprint = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="exams_version_unique")]

    def __str__(self) -> str:
        return f"{self.question.key} v{self.number}"

    def to_engine(self) -> EngineQuestion:
        return question_from_data(self.data, key=self.question.key, version=self.number)


class PaperKind(models.TextChoices):
    FIXED = "fixed", _("Fixed questions")
    BLUEPRINT = "blueprint", _("Drawn from a blueprint")


class Paper(models.Model):
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=PaperKind.choices, default=PaperKind.FIXED)
    total = models.PositiveIntegerField(
        _("total questions"), null=True, blank=True,
        help_text=_("Only for blueprints whose rows overlap (e.g. '10 on topic A' and '5 hard'): the paper's size."),
    )
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")

    def __str__(self) -> str:
        return self.title


class PaperQuestion(models.Model):
    """A question of a fixed paper; ``points`` empty = the question's own points."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="fixed_questions")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()
    points = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["paper", "position"]
        constraints = [models.UniqueConstraint(fields=["paper", "question"], name="exams_paper_question_unique")]

    def __str__(self) -> str:
        return f"{self.paper} #{self.position}"


class BlueprintQuota(models.Model):
    """A row of a blueprint: how many questions of a topic × difficulty × type (empty = any)."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="quotas")
    position = models.PositiveIntegerField(default=0)
    topic = models.CharField(_("topic"), max_length=100, blank=True)
    difficulty = models.CharField(_("difficulty"), max_length=10, choices=Difficulty.choices, blank=True)
    qtype = models.CharField(_("type"), max_length=20, choices=QuestionType.choices, blank=True)
    count = models.PositiveIntegerField(_("count"))
    points_each = models.DecimalField(_("points each"), max_digits=6, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["paper", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.paper}: {self.count}"


class Layout(models.TextChoices):
    ONE_PAGE = "one_page", _("All questions on one page")
    PER_QUESTION = "per_question", _("One question per page")


class MultipleChoicePolicy(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    PROPORTIONAL = "proportional", _("Proportional (each wrong choice cancels a right one)")
    MOODLE_FRACTIONS = "moodle_fractions", _("Option fractions (Moodle)")


class Exam(models.Model):
    title = models.CharField(_("title"), max_length=200)
    paper = models.ForeignKey(Paper, on_delete=models.PROTECT, related_name="exams", verbose_name=_("paper"))
    opens_at = models.DateTimeField(_("opens at"))
    closes_at = models.DateTimeField(_("closes at"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    attempts_allowed = models.PositiveIntegerField(_("attempts allowed"), default=1)
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=True)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    layout = models.CharField(_("layout"), max_length=20, choices=Layout.choices, default=Layout.ONE_PAGE)
    mc_policy = models.CharField(_("multiple-choice marking"), max_length=20, choices=MultipleChoicePolicy.choices,
                                 default=MultipleChoicePolicy.ALL_OR_NOTHING)
    pass_percent = models.DecimalField(_("pass mark (%)"), max_digits=5, decimal_places=2, default=60)
    people = models.ManyToManyField("org.Person", blank=True, related_name="+", verbose_name=_("candidates"))
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("candidate units"))
    programmes = models.ManyToManyField(
        "programmes.Programme", blank=True, related_name="+", verbose_name=_("candidate training programmes"),
        help_text=_("Everyone taking part in these programmes when the candidate list is read (later joiners "
                    "included)."))
    results_released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_at", "-pk"]
        verbose_name = _("exam")
        verbose_name_plural = _("exams")

    def __str__(self) -> str:
        return self.title

    @property
    def released(self) -> bool:
        return self.results_released_at is not None


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    SUBMITTED = "submitted", _("Submitted, marking")
    MARKED = "marked", _("Marked")


class Attempt(models.Model):
    exam = models.ForeignKey(Exam, on_delete=models.PROTECT, related_name="attempts")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(default=1)
    seed = models.CharField(max_length=24, help_text="the paper's draw seed (audit)")
    method = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    auto_submitted = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.IN_PROGRESS)
    score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(max_digits=8, decimal_places=2, default=0)

    class Meta:
        ordering = ["exam", "person", "number"]
        constraints = [models.UniqueConstraint(fields=["exam", "person", "number"], name="exams_attempt_unique")]

    def __str__(self) -> str:
        return f"{self.exam} / {self.person} #{self.number}"

    @property
    def percent(self):
        if self.score is None or not self.max_score:
            return None
        return (self.score * 100 / self.max_score).quantize(self.score.__class__("0.01"))


class ItemStatus(models.TextChoices):
    UNMARKED = "", _("Not marked yet")
    MARKED = "marked", _("Marked")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    PENDING = "pending", _("Waiting for hand marking")


class AttemptItem(models.Model):
    """One question of one candidate's paper, and the answer saved for it.

    ``answer`` is in original option ids; ``revision`` counts accepted saves and ``client_time``
    (ms, the candidate's clock when they answered) decides between two tabs: the later edit wins.
    """

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    version = models.ForeignKey(QuestionVersion, on_delete=models.PROTECT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2)
    option_order = models.JSONField(default=list, blank=True)
    answer = models.JSONField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=0)
    client_time = models.BigIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=ItemStatus.choices, default=ItemStatus.UNMARKED, blank=True)
    score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    auto_score = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="exams_item_unique")]

    def __str__(self) -> str:
        return f"{self.attempt} #{self.position}"


# ---------------------------------------------------------------- practical exams and the composite grade


class ScenarioCard(models.Model):
    """模拟场景卡: the situation, the customer's role and the expected handling."""

    key = models.CharField(_("key"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    situation = models.TextField(_("situation"))
    customer_role = models.TextField(_("customer's role"))
    expected_handling = models.TextField(_("expected handling"), blank=True, help_text=_("One step per line."))
    tags = models.JSONField(_("tags"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]
        verbose_name = _("scenario card")
        verbose_name_plural = _("scenario cards")

    def __str__(self) -> str:
        return self.title

    def to_engine(self):
        from servicecoach.exams.engine.practical import ScenarioCard as EngineCard

        return EngineCard(key=self.key, title=self.title, situation=self.situation, customer_role=self.customer_role,
                          expected_handling=tuple(s for s in self.expected_handling.splitlines() if s.strip()),
                          tags=tuple(self.tags))


class PracticalRubric(models.Model):
    """实操考核评分表: items with points and level descriptors (JSON, read by the engine)."""

    title = models.CharField(_("title"), max_length=200)
    items = models.JSONField(default=list)  # [{key, title, points, levels: [{label, points, descriptor}]}]
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("practical rubric")
        verbose_name_plural = _("practical rubrics")

    def __str__(self) -> str:
        return self.title

    def to_engine(self):
        from decimal import Decimal

        from servicecoach.exams.engine.practical import Rubric, RubricItem
        from servicecoach.exams.engine.questions import RubricLevel

        return Rubric(key=f"rubric-{self.pk}", title=self.title, items=tuple(
            RubricItem(key=i["key"], title=i["title"], points=Decimal(i["points"]), levels=tuple(
                RubricLevel(label=lv["label"], points=Decimal(lv["points"]), descriptor=lv.get("descriptor", ""))
                for lv in i.get("levels", ())))
            for i in self.items))


class RoundingRule(models.TextChoices):
    NONE = "none", _("No rounding before banding")
    INTEGER_HALF_UP = "integer_half_up", _("Round half up to a whole number before banding")
    ONE_DECIMAL_HALF_UP = "one_decimal_half_up", _("Round half up to one decimal before banding")


class Assessment(models.Model):
    """One cohort's assessment (考核): the theory exam, the practical exam scored by a panel, and
    overall conduct, combined into the composite grade."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    theory_exam = models.ForeignKey(Exam, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("theory exam"))
    rubric = models.ForeignKey(PracticalRubric, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("practical rubric"))
    card_tags = models.JSONField(_("scenario card tags"), default=list, blank=True)
    margin_share = models.DecimalField(_("assessor margin (share of an item's points)"), max_digits=4,
                                       decimal_places=2, default=Decimal("0.20"))
    weight_theory = models.DecimalField(_("theory weight"), max_digits=4, decimal_places=2, default=Decimal("0.30"))
    weight_practical = models.DecimalField(_("practical weight"), max_digits=4, decimal_places=2,
                                           default=Decimal("0.50"))
    weight_overall = models.DecimalField(_("overall conduct weight"), max_digits=4, decimal_places=2,
                                         default=Decimal("0.20"))
    rounding = models.CharField(_("rounding rule"), max_length=30, choices=RoundingRule.choices,
                                default=RoundingRule.NONE)
    band_excellent = models.DecimalField(_("优秀 (excellent) from"), max_digits=5, decimal_places=2, default=Decimal(90))
    band_good = models.DecimalField(_("良好 (good) from"), max_digits=5, decimal_places=2, default=Decimal(80))
    band_pass = models.DecimalField(_("合格 (pass) from"), max_digits=5, decimal_places=2, default=Decimal(70))
    programme = models.ForeignKey(
        "programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("training programme"),
        help_text=_("The programme assessed: its classroom attendance can be taken as the attendance part of "
                    "overall conduct."))
    conduct_attendance = models.DecimalField(_("conduct: attendance weight"), max_digits=4, decimal_places=2,
                                             default=Decimal("0.40"))
    conduct_participation = models.DecimalField(_("conduct: participation weight"), max_digits=4, decimal_places=2,
                                                default=Decimal("0.30"))
    conduct_teamwork = models.DecimalField(_("conduct: teamwork weight"), max_digits=4, decimal_places=2,
                                           default=Decimal("0.30"))
    people = models.ManyToManyField("org.Person", blank=True, related_name="+", verbose_name=_("candidates"))
    units = models.ManyToManyField("org.OrgUnit", blank=True, related_name="+", verbose_name=_("candidate units"))
    assessors = models.ManyToManyField("org.Person", related_name="+", verbose_name=_("panel of assessors"))
    results_released_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self) -> str:
        return self.title


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    PROGRAMME = "programme", _("From the programme's classroom attendance")


class AssessmentCandidate(models.Model):
    """A candidate of an assessment: their scenario draw (the audit record), conduct inputs,
    computed result, advice and feedback."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="candidates")
    person = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    draw_seed = models.CharField(max_length=24, blank=True)
    draw_pool = models.JSONField(default=list, blank=True)
    card = models.ForeignKey(ScenarioCard, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    drawn_at = models.DateTimeField(null=True, blank=True)
    attendance_rate = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True)
    attendance_source = models.CharField(max_length=12, choices=AttendanceSource.choices,
                                         default=AttendanceSource.MANUAL)
    participation = models.JSONField(default=list, blank=True)
    teamwork = models.JSONField(default=list, blank=True)
    theory_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    practical_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    overall_percent = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    composite_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    banded_score = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    band_code = models.CharField(max_length=20, blank=True)
    band_label = models.CharField(max_length=40, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    areas = models.JSONField(default=list, blank=True)  # [[kind, key, name, percent]]
    advice = models.JSONField(default=list, blank=True)  # [{kind, key, percent, zh, en}]
    flagged_items = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    feedback_due = models.DateField(null=True, blank=True)
    feedback_text = models.TextField(blank=True)
    feedback_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "person__employee_no"]
        constraints = [models.UniqueConstraint(fields=["assessment", "person"], name="exams_candidate_unique")]

    def __str__(self) -> str:
        return f"{self.assessment} / {self.person}"


class PanelScore(models.Model):
    """One assessor's score of one rubric item for one candidate: points or a level label."""

    candidate = models.ForeignKey(AssessmentCandidate, on_delete=models.CASCADE, related_name="panel_scores")
    assessor = models.ForeignKey("org.Person", on_delete=models.PROTECT, related_name="+")
    item_key = models.CharField(max_length=64)
    value = models.CharField(max_length=40)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["candidate", "assessor", "item_key"]
        constraints = [models.UniqueConstraint(fields=["candidate", "assessor", "item_key"],
                                               name="exams_panel_score_unique")]

    def __str__(self) -> str:
        return f"{self.candidate} / {self.assessor}: {self.item_key}={self.value}"
