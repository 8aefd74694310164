"""Models of the knowledge base (知识库).

An :class:`Article` is one FAQ, script template, case, risk case or service standard. What is specific to its
kind lives in ``fields`` (a JSON object described by ``knowledge.kinds``); every save through
``knowledge.services`` writes a new :class:`ArticleVersion` holding the whole content, so versions can be
compared and restored. Search runs on the in-memory engine (``knowledge.engine``), kept in step with these
tables through :class:`IndexChange` (see ``knowledge.search``).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from servicecoach.org.models import OrgUnit, Person, User


class Kind(models.TextChoices):
    FAQ = "faq", _("FAQ")
    SCRIPT = "script", _("Script template")
    CASE = "case", _("Case")
    RISK = "risk", _("Risk case")
    STANDARD = "standard", _("Service standard")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class Category(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Article(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PUBLISHED)
    fields = models.JSONField(_("content"), default=dict, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="articles")
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    owner = models.ForeignKey(Person, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="knowledge_articles")
    review_date = models.DateField(_("review date"), null=True, blank=True)
    related = models.ManyToManyField("self", verbose_name=_("related articles"), blank=True, symmetrical=True)
    # A loose reference to where a case came from (a quality-inspection conversation, say): no foreign key,
    # so the knowledge base does not depend on the app that holds the source.
    source_system = models.CharField(_("source"), max_length=40, blank=True)
    source_id = models.CharField(_("source id"), max_length=100, blank=True, db_index=True)
    source_url = models.CharField(_("source link"), max_length=500, blank=True)
    # Set by imports: the same row imported again finds this article instead of creating another.
    import_key = models.CharField(max_length=255, null=True, blank=True, unique=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(User, verbose_name=_("updated by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["kind", "status"]), models.Index(fields=["review_date"])]

    def __str__(self) -> str:
        return self.title


class ArticleVersion(models.Model):
    """The whole content of an article as one save left it; never changed afterwards."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE,
                                related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    restored_from = models.PositiveIntegerField(_("restored from"), null=True, blank=True)
    author = models.ForeignKey(User, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        ordering = ["article", "-number"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="knowledge_unique_version")]

    def __str__(self) -> str:
        return f"{self.article_id} v{self.number}"


def _attachment_path(instance: Attachment, filename: str) -> str:
    # A random folder: the stored name never collides and cannot be guessed from the article.
    return f"knowledge/attachments/{uuid.uuid4().hex}/{filename}"


class Attachment(models.Model):
    """A file attached to an article, served only through a view that checks who may read the article."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE,
                                related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=300)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    content_type = models.CharField(max_length=100, blank=True)
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class AcknowledgementRequest(models.Model):
    """A version of a service standard that everyone in some units must read and acknowledge.

    The people concerned are fixed when the request is made (one :class:`Acknowledgement` row each):
    the report then answers "who has not" for exactly the people who were asked."""

    article = models.ForeignKey(Article, verbose_name=_("article"), on_delete=models.CASCADE,
                                related_name="acknowledgement_requests")
    version = models.PositiveIntegerField(_("version"))
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units"), related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    requested_by = models.ForeignKey(User, verbose_name=_("requested by"), null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(_("requested"), auto_now_add=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("acknowledgement request")
        verbose_name_plural = _("acknowledgement requests")

    def __str__(self) -> str:
        return f"{self.article.title} v{self.version}"


class Acknowledgement(models.Model):
    request = models.ForeignKey(AcknowledgementRequest, verbose_name=_("request"), on_delete=models.CASCADE,
                                related_name="acknowledgements")
    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="knowledge_acknowledgements")
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["person__employee_no"]
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="knowledge_unique_ack")]

    def __str__(self) -> str:
        return f"{self.person} · {self.request}"


class DomainWord(models.Model):
    """A word of the administrators' domain dictionary (product names, jargon), used from the next rebuild."""

    word = models.CharField(_("word"), max_length=40, unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["word"]
        verbose_name = _("dictionary word")
        verbose_name_plural = _("dictionary words")

    def __str__(self) -> str:
        return self.word


class SynonymGroup(models.Model):
    """Words that mean the same for a search (one group), used from the next rebuild."""

    words = models.JSONField(_("words"), default=list)
    note = models.CharField(_("note"), max_length=200, blank=True)
    added_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return " ".join(self.words)


class IndexState(models.Model):
    """One row. ``epoch`` changes on every full rebuild (and whenever the row is created): a process whose
    in-memory index has another epoch must load a snapshot of this epoch or rebuild."""

    epoch = models.CharField(max_length=32)
    rebuilt_at = models.DateTimeField(null=True, blank=True)
    articles = models.PositiveIntegerField(default=0)
    config_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("search index state")
        verbose_name_plural = _("search index state")

    def __str__(self) -> str:
        return self.epoch


class IndexChange(models.Model):
    """An article changed (or went away): written in the same transaction as the change, so the index
    of every process can catch up, in any order of commits (see ``knowledge.search``)."""

    article_id = models.BigIntegerField(db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.article_id} @ {self.at:%Y-%m-%d %H:%M:%S}"


class SearchQueryLog(models.Model):
    """A search that found no good answer, for the owners to see what is missing."""

    query = models.CharField(_("query"), max_length=200)
    normalised = models.CharField(max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, blank=True)
    hits = models.PositiveIntegerField(_("results"), default=0)
    confidence = models.FloatField(_("confidence"), default=0)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("unanswered query")
        verbose_name_plural = _("unanswered queries")

    def __str__(self) -> str:
        return self.query
