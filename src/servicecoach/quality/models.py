"""Models of the Quality inspection app: conversations, rule-set and scorecard versions, automatic
results and their hits, agents not yet mapped to a person, and background jobs.

The shape and what other apps (``servicecoach.review``) may rely on is described in
docs/quality-web.md. Writes go through ``quality.services``, reads through ``quality.selectors``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from servicecoach.org.models import OrgUnit, Person
from servicecoach.quality.fields import JSONValuesField


class Channel(models.TextChoices):
    CHAT = "chat", _("Chat")
    CALL = "call", _("Call")
    EMAIL = "email", _("E-mail")
    SOCIAL = "social", _("Social media")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class _Version(models.Model):
    """A version of a YAML document (a rule set or a scorecard). Exactly one version of each kind is
    published at a time; a published or retired version is never edited again (results point at it)."""

    number = models.PositiveIntegerField(_("version number"))
    key = models.CharField(_("id in the YAML"), max_length=120)
    label = models.CharField(_("version in the YAML"), max_length=60)
    yaml_text = models.TextField(_("YAML"))
    status = models.CharField(_("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    note = models.CharField(_("note"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.key} v{self.number} ({self.label})"

    @property
    def editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class RuleSetVersion(_Version):
    class Meta(_Version.Meta):
        verbose_name = _("rule set version")
        verbose_name_plural = _("rule set versions")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="quality_ruleset_unique_number"),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="quality_ruleset_one_published"
            ),
        ]


class ScorecardVersion(_Version):
    class Meta(_Version.Meta):
        verbose_name = _("QA scorecard version")
        verbose_name_plural = _("QA scorecard versions")
        constraints = [
            models.UniqueConstraint(fields=["number"], name="quality_scorecard_unique_number"),
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="published"), name="quality_scorecard_one_published"
            ),
        ]


class Conversation(models.Model):
    """One customer conversation as received (conversation-v1), linked to the agent's person when the
    employee number is known. ``messages`` is the compact transcript: a list of
    ``{"role", "text", "t", "end", "agent_id"}`` (``t``/``end`` in seconds since the start, or null).

    The current automatic result is copied onto the row (``score``, ``grade``, ``red_line``) so that
    the list filters and sorts on indexed columns without a join."""

    source = models.CharField(_("source"), max_length=80, default="default")
    external_id = models.CharField(_("conversation id"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.CHAT)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    agent = models.ForeignKey(
        Person, verbose_name=_("agent"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="conversations",
    )
    agent_employee_no = models.CharField(_("agent employee number (as received)"), max_length=80, blank=True)
    agent_name = models.CharField(_("agent name (as received)"), max_length=120, blank=True)
    # The agent's unit when the conversation was linked: moving a person later does not move history.
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    customer_id = models.CharField(_("customer id"), max_length=200, blank=True)
    customer = JSONValuesField(_("customer"), default=dict, blank=True)
    labels = JSONValuesField(_("labels"), default=dict, blank=True)
    csat = models.PositiveSmallIntegerField(_("CSAT"), null=True, blank=True)
    tags = JSONValuesField(_("tags"), default=list, blank=True)
    messages = JSONValuesField(_("messages"), default=list)
    message_count = models.PositiveIntegerField(_("messages"), default=0)
    first_response_seconds = models.FloatField(_("first response (s)"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration (s)"), null=True, blank=True)
    content_hash = models.CharField(max_length=40, editable=False, default="")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The current automatic result, denormalised for filtering (kept by quality.services).
    current_result = models.OneToOneField(
        "AutoResult", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    red_line = models.BooleanField(_("red line"), default=False)
    # Set by the review app when a person has reviewed the conversation.
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="quality_conversation_source_id"),
        ]
        indexes = [
            # with the id: the default order, and counts by date read from the index alone
            models.Index(fields=["-started_at", "-id"], name="quality_conv_started_id"),
            models.Index(fields=["unit", "started_at"], name="quality_conv_unit_started"),
            models.Index(fields=["agent", "started_at"], name="quality_conv_agent_started"),
            models.Index(fields=["source", "agent_employee_no"], name="quality_conv_source_agent_no"),
            # red-line conversations are a few in a hundred: their own small index answers that filter
            models.Index(fields=["-started_at", "csat"], condition=models.Q(red_line=True),
                         name="quality_conv_red_started"),
            # low scores, what reviewers filter for; partial, so that sorting a unit's conversations by
            # score does not walk a whole-table score index instead of the unit's rows
            models.Index(fields=["score"], condition=models.Q(score__lt=80), name="quality_conv_low_score"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.external_id}"


class AutoResult(models.Model):
    """One automatic scoring of a conversation with a rule-set and a scorecard version. Re-scoring adds
    a new result and makes it current; the earlier ones stay as history."""

    conversation = models.ForeignKey(
        Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE, related_name="auto_results"
    )
    ruleset = models.ForeignKey(RuleSetVersion, verbose_name=_("rule set"), on_delete=models.PROTECT,
                                related_name="results")
    scorecard = models.ForeignKey(ScorecardVersion, verbose_name=_("scorecard"), on_delete=models.PROTECT,
                                  related_name="results")
    score = models.FloatField(_("score"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    red_line = models.BooleanField(_("red line"), default=False)
    customer_emotion = models.FloatField(_("customer emotion"), null=True, blank=True)
    emotion_trend = models.CharField(_("emotion trend"), max_length=20, blank=True)
    # The engine's per-item breakdown: section, item, points, earned, applicable, red_line, bonus, manual, rules.
    items = JSONValuesField(_("items"), default=list)
    not_applicable = JSONValuesField(_("rules not applicable"), default=list)
    is_current = models.BooleanField(_("current"), default=True)
    scored_at = models.DateTimeField(_("scored at"), auto_now_add=True)

    class Meta:
        verbose_name = _("automatic result")
        verbose_name_plural = _("automatic results")
        ordering = ["-scored_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["conversation"], condition=models.Q(is_current=True), name="quality_one_current_result"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.conversation} {self.score}"


class Verdict(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class RuleHit(models.Model):
    """One piece of evidence of a fired rule: where in the transcript (message index and character
    span; all null for a conversation-level hit such as a missing greeting) and a reviewer's verdict."""

    result = models.ForeignKey(AutoResult, verbose_name=_("result"), on_delete=models.CASCADE, related_name="hits")
    # indexed with is_current below (a conversation's hits); no separate index to keep up on every insert
    conversation = models.ForeignKey(Conversation, verbose_name=_("conversation"), on_delete=models.CASCADE,
                                     related_name="rule_hits", db_index=False)
    rule_id = models.CharField(_("rule"), max_length=120)
    message_index = models.PositiveIntegerField(_("message"), null=True, blank=True)
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    text = models.CharField(_("matched text"), max_length=500, blank=True)
    category = models.CharField(_("category"), max_length=20, blank=True)
    severity = models.CharField(_("severity"), max_length=10, blank=True)
    is_current = models.BooleanField(default=True)
    verdict = models.CharField(_("verdict"), max_length=10, choices=Verdict.choices, default=Verdict.PENDING)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("verdict by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", db_index=False,
    )
    verdict_at = models.DateTimeField(_("verdict at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule hit")
        verbose_name_plural = _("rule hits")
        ordering = ["result", "message_index", "start", "pk"]
        indexes = [
            # "conversations with a current hit of rule X": read from the index alone
            models.Index(fields=["rule_id", "conversation"], condition=models.Q(is_current=True),
                         name="quality_hit_rule_conv_current"),
            models.Index(fields=["conversation", "is_current"], name="quality_hit_conv_current"),
            models.Index(fields=["rule_id", "verdict"], name="quality_hit_rule_verdict"),
            # only judged hits have a reviewer: a small index (deleting a user updates their verdicts)
            models.Index(fields=["verdict_by"], condition=models.Q(verdict_by__isnull=False),
                         name="quality_hit_verdict_by"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} @ {self.message_index}"


class UnmappedAgent(models.Model):
    """An employee number received from a source that matches no person. An administrator maps it to
    a person; the mapping then links the conversations already stored and every later import."""

    source = models.CharField(_("source"), max_length=80)
    employee_no = models.CharField(_("employee number"), max_length=80)
    name = models.CharField(_("name (as received)"), max_length=120, blank=True)
    conversation_count = models.PositiveIntegerField(_("conversations"), default=0)
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)
    mapped_to = models.ForeignKey(
        Person, verbose_name=_("mapped to"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    mapped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("mapped by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    mapped_at = models.DateTimeField(_("mapped at"), null=True, blank=True)

    class Meta:
        verbose_name = _("unmapped agent")
        verbose_name_plural = _("unmapped agents")
        ordering = ["mapped_to", "-conversation_count", "employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["source", "employee_no"], name="quality_unmapped_source_no"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.employee_no}"


class JobKind(models.TextChoices):
    IMPORT = "import", _("Import")
    RESCORE = "rescore", _("Re-score")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", pgettext_lazy("job status", "Failed")


class Job(models.Model):
    """A background job (an import or a re-scoring), processed in batches. Each batch commits in one
    transaction together with ``checkpoint`` (records consumed so far), so a killed worker leaves no
    half batch and a resumed job starts after the last committed batch."""

    kind = models.CharField(_("kind"), max_length=10, choices=JobKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    file = models.FileField(_("file"), upload_to="quality/uploads/%Y/%m/", blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    total = models.PositiveIntegerField(_("records in all"), null=True, blank=True)
    done = models.PositiveIntegerField(_("records done"), default=0)
    checkpoint = models.PositiveIntegerField(_("checkpoint"), default=0)
    counts = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    ruleset = models.ForeignKey(RuleSetVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scorecard = models.ForeignKey(ScorecardVersion, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))


class JobSkip(models.Model):
    """A record a job skipped, with where it is and why (downloadable as CSV)."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="skips")
    position = models.PositiveIntegerField(_("record"))  # the job's record counter, for idempotent re-runs
    line = models.PositiveIntegerField(_("line or row"))
    conversation_id = models.CharField(_("conversation id"), max_length=200, blank=True)
    field = models.CharField(_("field"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="quality_jobskip_position")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}: {self.reason[:60]}"
