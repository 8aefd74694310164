"""Models of the quality review app: sampling plans, reviews (regular and calibration), case
write-ups, appeals and calibration sessions.

Conversations, scorecard versions and automatic hits belong to ``servicecoach.quality``; this app
points at them. Writes go through ``review.services``, reads through ``review.selectors``
(docs/quality-review.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.org.models import OrgUnit, Person
from servicecoach.quality.models import AutoResult, Conversation, ScorecardVersion


class ProblemType(models.TextChoices):
    ATTITUDE = "attitude", _("Attitude")
    KNOWLEDGE = "knowledge", _("Knowledge")
    COMMUNICATION = "communication", _("Communication")
    SYSTEM = "system", _("System operation")
    COMPLIANCE = "compliance", _("Compliance")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", pgettext_lazy("severity", "General")
    SEVERE = "severe", _("Severe")


# ---------------------------------------------------------------------------- sampling


class PlanKind(models.TextChoices):
    RANDOM = "random", _("Random percentage")
    PER_AGENT = "per_agent", _("N per agent")
    TARGETED = "targeted", _("Targeted")


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once (a chosen date range)")
    DAILY = "daily", _("Daily (the day before)")
    WEEKLY = "weekly", _("Weekly (the week before)")
    MONTHLY = "monthly", _("Monthly (the month before)")


class AssignMode(models.TextChoices):
    EVEN = "even", _("Evenly")
    WEIGHTED = "weighted", _("By weights")


class SamplingPlan(models.Model):
    """Which conversations of a unit to pick for people to review, how often, and who reviews them.

    ``targets`` (targeted plans) is a list of: ``red_line``, ``low_score`` (below ``score_below``),
    ``low_csat`` (at most ``csat_max``), ``angry`` (customer emotion over ``emotion_over``), ``rules``
    (a current hit of one of ``rule_ids``). A conversation matching any chosen target is picked."""

    name = models.CharField(_("name"), max_length=120)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=PlanKind.choices, default=PlanKind.RANDOM)
    percent = models.FloatField(pgettext_lazy("sampling", "percentage"), null=True, blank=True)
    per_agent = models.PositiveIntegerField(_("conversations per agent"), null=True, blank=True)
    targets = models.JSONField(_("targets"), default=list, blank=True)
    score_below = models.FloatField(_("score below"), null=True, blank=True)
    csat_max = models.PositiveSmallIntegerField(_("CSAT at most"), null=True, blank=True)
    emotion_over = models.FloatField(_("customer emotion over"), null=True, blank=True)
    rule_ids = models.JSONField(_("rules"), default=list, blank=True)
    limit = models.PositiveIntegerField(_("at most per run"), null=True, blank=True)
    recurrence = models.CharField(_("recurrence"), max_length=10, choices=Recurrence.choices,
                                  default=Recurrence.ONCE)
    date_from = models.DateField(pgettext_lazy("date range", "from"), null=True, blank=True)
    date_to = models.DateField(pgettext_lazy("date range", "to"), null=True, blank=True)
    assign_mode = models.CharField(_("assignment"), max_length=10, choices=AssignMode.choices,
                                   default=AssignMode.EVEN)
    active = models.BooleanField(pgettext_lazy("sampling plan", "active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("sampling plan")
        verbose_name_plural = _("sampling plans")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PlanReviewer(models.Model):
    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="reviewers")
    reviewer = models.ForeignKey(Person, verbose_name=pgettext_lazy("quality review", "reviewer"),
                                 on_delete=models.CASCADE, related_name="+")
    weight = models.PositiveIntegerField(_("weight"), default=1)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "reviewer"], name="review_plan_reviewer_unique")]

    def __str__(self) -> str:
        return f"{self.reviewer} ×{self.weight}"


class SamplingRun(models.Model):
    """One run of a plan over one period. Unique per (plan, period start): a plan never samples the
    same period twice, however often the scheduler calls it."""

    plan = models.ForeignKey(SamplingPlan, on_delete=models.CASCADE, related_name="runs")
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    pool = models.PositiveIntegerField(_("conversations in the period"), default=0)
    picked = models.PositiveIntegerField(_("picked"), default=0)
    ran_at = models.DateTimeField(_("ran at"), auto_now_add=True)
    ran_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")

    class Meta:
        ordering = ["-period_start", "-pk"]
        constraints = [models.UniqueConstraint(fields=["plan", "period_start"], name="review_run_plan_period")]

    def __str__(self) -> str:
        return f"{self.plan} {self.period_start}..{self.period_end}"


# ---------------------------------------------------------------------------- reviews


class ReviewKind(models.TextChoices):
    REGULAR = "regular", pgettext_lazy("quality review", "Review")
    CALIBRATION = "calibration", _("Calibration")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("To do")
    DRAFT = "draft", _("Draft saved")
    SUBMITTED = "submitted", pgettext_lazy("review status", "Submitted")


class Review(models.Model):
    """A person's review of one conversation against a scorecard version. A regular review is the one
    that counts (one per conversation); calibration reviews never count toward agents' scores.

    ``version`` is the optimistic-concurrency counter: every save must name the version it was
    edited from, and a save from an older version is refused (services.ReviewConflict)."""

    conversation = models.ForeignKey(Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE,
                                     related_name="reviews")
    kind = models.CharField(_("kind"), max_length=12, choices=ReviewKind.choices, default=ReviewKind.REGULAR)
    reviewer = models.ForeignKey(Person, verbose_name=pgettext_lazy("quality review", "reviewer"),
                                 on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(SamplingPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    run = models.ForeignKey(SamplingRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews")
    session = models.ForeignKey("CalibrationSession", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="reviews")
    is_reference = models.BooleanField(_("expert reference"), default=False)
    auto_result = models.ForeignKey(AutoResult, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scorecard = models.ForeignKey(ScorecardVersion, verbose_name=_("scorecard"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    comment = models.TextField(_("overall comment"), blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    red_line = models.BooleanField(_("red line"), default=False)
    version = models.PositiveIntegerField(default=0)
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["-assigned_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["conversation"], condition=models.Q(kind="regular"),
                                    name="review_one_regular_per_conversation"),
            models.UniqueConstraint(fields=["session", "conversation", "reviewer"],
                                    condition=models.Q(kind="calibration"), name="review_one_per_calibration_seat"),
        ]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="review_reviewer_status"),
            models.Index(fields=["kind", "submitted_at"], name="review_kind_submitted"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} ({self.conversation})"

    @property
    def submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class ReviewItem(models.Model):
    """One scorecard item of a review: scored (``earned`` of ``points``) or not applicable; a point
    taken names its problem type and severity."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    section = models.CharField(_("section"), max_length=80)
    item = models.CharField(_("item"), max_length=80)
    name = models.CharField(_("name"), max_length=200, blank=True)
    points = models.FloatField(_("points"))
    bonus = models.BooleanField(default=False)
    red_line = models.BooleanField(default=False)
    auto_earned = models.FloatField(null=True, blank=True)
    applicable = models.BooleanField(_("applicable"), default=True)
    earned = models.FloatField(_("earned"), null=True, blank=True)
    # A red-line item carries no points: it is crossed or not (crossed makes the review's score 0).
    violated = models.BooleanField(_("red line crossed"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    problem_type = models.CharField(_("problem type"), max_length=16, choices=ProblemType.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [models.UniqueConstraint(fields=["review", "section", "item"], name="review_item_unique")]

    def __str__(self) -> str:
        return f"{self.section}.{self.item}"

    @property
    def label(self) -> str:
        """The item's name in the interface language (``name`` keeps "中文 / English" as the scorecard had it)."""
        from django.utils.translation import get_language

        zh, sep, en = self.name.partition(" / ")
        if not sep:
            return self.name
        return zh if (get_language() or "zh-hans").lower().startswith("zh") else en

    @property
    def taken(self) -> bool:
        """A point taken (or a red line crossed): what needs a problem type and severity. A bonus not
        earned is never a loss."""
        if not self.applicable or self.bonus:
            return False
        if self.red_line:
            return self.violated
        return self.earned is not None and self.earned < self.points


# ---------------------------------------------------------------------------- case write-ups


class CaseOutcome(models.TextChoices):
    GOOD = "good", _("Good example")
    BAD = "bad", _("Bad example")


class CaseWriteUp(models.Model):
    """案例复盘: a reviewer's write-up of a reviewed conversation; published to the case library with
    personal data masked (the masked copy is what the library shows)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="case")
    title = models.CharField(_("title"), max_length=200)
    outcome = models.CharField(_("good or bad example"), max_length=6, choices=CaseOutcome.choices)
    background = models.TextField(_("background"))
    problem = models.TextField(_("problem description"))
    handling = models.TextField(_("handling"))
    result = models.TextField(_("result and impact"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The masked copy shown in the library: {"title", "background", "problem", "handling", "result",
    # "transcript": [{"role", "text"}]}; refreshed at every publication.
    published = models.JSONField(_("published copy"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case write-up")
        verbose_name_plural = _("case write-ups")
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title


# ---------------------------------------------------------------------------- appeals


class AppealStatus(models.TextChoices):
    SUPERVISOR = "supervisor", _("Waiting for the supervisor")
    QA_LEAD = "qa_lead", _("Waiting for the QA lead")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """申诉: an agent disputes items of a submitted review. The supervisor accepts, rejects or forwards;
    acceptance and forwarding go to the QA lead, whose decision is final; only an accepted appeal
    changes the review's score."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="appeals")
    agent = models.ForeignKey(Person, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=AppealStatus.choices,
                              default=AppealStatus.SUPERVISOR)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    due_on = models.DateField(_("due on"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    score_before = models.FloatField(_("score before"), null=True, blank=True)
    score_after = models.FloatField(_("score after"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.review.conversation}"

    @property
    def open(self) -> bool:
        return self.status in (AppealStatus.SUPERVISOR, AppealStatus.QA_LEAD)


class AppealItem(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="items")
    review_item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="+")
    earned_before = models.FloatField(null=True, blank=True)
    earned_after = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["review_item__position"]
        constraints = [models.UniqueConstraint(fields=["appeal", "review_item"], name="review_appeal_item_unique")]

    def __str__(self) -> str:
        return f"{self.appeal_id}:{self.review_item_id}"


class AppealStep(models.Model):
    """The appeal's history, append-only: who did what, when, and what they wrote."""

    class Action(models.TextChoices):
        SUBMIT = "submit", pgettext_lazy("appeal step", "Submitted")
        ACCEPT = "accept", _("Accepted")
        REJECT = "reject", _("Rejected")
        FORWARD = "forward", _("Forwarded to the QA lead")
        ESCALATE = "escalate", _("Forwarded automatically after the deadline")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="steps")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    stage = models.CharField(max_length=12)  # the status the appeal was in
    action = models.CharField(max_length=10, choices=Action.choices)
    comment = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.appeal_id}:{self.action}"


# ---------------------------------------------------------------------------- calibration


class CalibrationSession(models.Model):
    """校准: the same conversations reviewed blind by several reviewers, against an expert's review.
    Its reviews are ``kind=calibration`` and never count toward an agent's score."""

    title = models.CharField(_("title"), max_length=200)
    expert = models.ForeignKey(Person, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(Person, verbose_name=_("reviewers"), related_name="+")
    conversations = models.ManyToManyField(Conversation, verbose_name=_("conversations"), related_name="+")
    due_on = models.DateField(_("due on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calibration session")
        verbose_name_plural = _("calibration sessions")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def closed(self) -> bool:
        return self.closed_at is not None


class DailySummary(models.Model):
    """The dashboard's figures kept per local day, agent and unit at the time (the conversation's unit):
    sums and counts of the conversations started that day and of their submitted regular reviews. Kept
    up to date by ``review.summary`` from the quality services' change hook and the review services;
    ``review_summary_rebuild`` fills it from the detailed tables. Field names follow the dashboard's
    grouped counts (``metrics.CONV_SUMS`` and ``metrics.REVIEW_SUMS``)."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    n = models.PositiveIntegerField(default=0)
    score_sum = models.FloatField(default=0)
    with_score = models.PositiveIntegerField(default=0)
    red = models.PositiveIntegerField(default=0)
    auto_passed = models.PositiveIntegerField(default=0)
    csat_sum = models.PositiveIntegerField(default=0)
    csat_n = models.PositiveIntegerField(default=0)
    frt_sum = models.FloatField(default=0)
    frt_n = models.PositiveIntegerField(default=0)
    aht_sum = models.FloatField(default=0)
    aht_n = models.PositiveIntegerField(default=0)
    reviewed = models.PositiveIntegerField(default=0)
    review_sum = models.FloatField(default=0)
    passed = models.PositiveIntegerField(default=0)
    scored = models.PositiveIntegerField(default=0)
    r_auto_passed = models.PositiveIntegerField(default=0)
    auto_scored = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily QA summary")
        indexes = [models.Index(fields=["day", "unit"]), models.Index(fields=["day", "agent"])]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.unit_id}: {self.n}"


class RuleSummary(models.Model):
    """Current automatic hits per local day, agent, unit at the time and rule (the dashboard's top rules)."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    rule_id = models.CharField(max_length=120)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily rule-hit summary")
        indexes = [models.Index(fields=["day", "unit"]), models.Index(fields=["day", "agent"])]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.unit_id} {self.rule_id}: {self.n}"


class ItemSummary(models.Model):
    """Points taken in submitted regular reviews per local day, agent, unit at the time, scorecard item and
    problem type × severity (the dashboard's failing items and problem matrix)."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    section = models.CharField(max_length=80)
    item = models.CharField(max_length=80)
    name = models.CharField(max_length=200, blank=True)
    problem_type = models.CharField(max_length=16, blank=True)
    severity = models.CharField(max_length=10, blank=True)
    n = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("daily review-item summary")
        indexes = [models.Index(fields=["day", "unit"]), models.Index(fields=["day", "agent"])]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.unit_id} {self.section}.{self.item}: {self.n}"


class SummaryPending(models.Model):
    """A local day whose summary rows are to be recomputed: noted by a background job's batches (in the
    same transaction as the conversations they store) and settled once at the end of the job, by the
    periodic ``review.run_due`` task, or by ``review_summary_rebuild``. Durable, so the days of batches
    committed by a worker that was killed are still settled when the job is resumed."""

    day = models.DateField(_("day"), unique=True)
    noted_at = models.DateTimeField(_("noted at"), auto_now=True)

    class Meta:
        verbose_name = _("day of summary to update")

    def __str__(self) -> str:
        return str(self.day)


class ReviewerSummary(models.Model):
    """Submitted regular reviews per local day (of the conversation), agent, unit at the time and reviewer,
    with the review time counted as the dashboard's throughput counts it."""

    day = models.DateField(_("day"))
    agent = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    reviews = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("daily reviewer summary")
        indexes = [models.Index(fields=["day", "unit"]), models.Index(fields=["day", "agent"])]

    def __str__(self) -> str:
        return f"{self.day} {self.agent_id} {self.unit_id} {self.reviewer_id}: {self.reviews}"
