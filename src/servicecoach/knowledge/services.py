"""Changing the knowledge base. Every change of an article writes a new version, an audit entry and an
``IndexChange`` row in one transaction, so the search index of every process catches up (knowledge.search).

The entry point other apps use (the QA review app publishes its case write-ups through it)::

    from servicecoach.knowledge.services import article_create
    article = article_create(
        kind="case", title="物流延误时主动致歉并补偿", author=request.user,
        fields={"outcome": "good", "background": "...", "problem": "...", "handling": "...", "result": "..."},
        category="物流", tags=["致歉", "补偿"],
        source_system="quality", source_id=str(conversation.pk), source_url=conversation_url,
    )

Documented in docs/knowledge.md ("For other apps").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.knowledge import kinds
from servicecoach.knowledge.engine.analysis import normalise
from servicecoach.knowledge.models import (
    Acknowledgement,
    AcknowledgementRequest,
    Article,
    ArticleVersion,
    Attachment,
    Category,
    DomainWord,
    IndexChange,
    IndexState,
    Kind,
    SearchQueryLog,
    Status,
    SynonymGroup,
    Tag,
)
from servicecoach.org.models import AuditAction, OrgUnit, Person, PersonStatus, User
from servicecoach.org.selectors import unit_subtree
from servicecoach.org.services import audit_record

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


# ---------------------------------------------------------------- helpers


def category_get_or_create(name: str) -> Category | None:
    name = (name or "").strip()
    if not name:
        return None
    if len(name) > 80:
        raise ValidationError({"category": _("A category name has at most 80 characters.")})
    return Category.objects.get_or_create(name=name)[0]


def _tags(names: Iterable[str]) -> list[Tag]:
    result: dict[str, Tag] = {}
    for raw in names or []:
        name = str(raw).strip()
        if not name:
            continue
        if len(name) > 60:
            raise ValidationError({"tags": _("A tag has at most 60 characters: “%(tag)s”.") % {"tag": name[:60]}})
        result.setdefault(name, Tag.objects.get_or_create(name=name)[0])
    return list(result.values())


def article_content(article: Article) -> dict[str, Any]:
    """The content a version keeps (everything an editor changes)."""
    return {
        "kind": article.kind,
        "title": article.title,
        "status": article.status,
        "fields": article.fields,
        "category": article.category.name if article.category_id else "",
        "tags": sorted(t.name for t in article.tags.all()),
        "owner_id": article.owner_id,
        "owner": str(article.owner) if article.owner_id else "",
        "review_date": article.review_date.isoformat() if article.review_date else "",
        "source_system": article.source_system,
        "source_id": article.source_id,
        "source_url": article.source_url,
        "related": sorted(article.related.values_list("pk", flat=True)),
    }


def _index_changed(article_id: int) -> None:
    IndexChange.objects.create(article_id=article_id)


def _check_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A title is required.")})
    if len(title) > 200:
        raise ValidationError({"title": _("A title has at most 200 characters.")})
    return title


def _check_source_url(url: str) -> str:
    """A link shown to every reader: only http(s) or a path of this site (never javascript: and the like)."""
    url = (url or "").strip()[:500]
    if url and not (url.startswith(("http://", "https://")) or (url.startswith("/") and not url.startswith("//"))):
        raise ValidationError({"source_url": _("A source link starts with http://, https:// or /.")})
    return url


def _check_status(status: str) -> str:
    if status not in Status.values:
        raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": status}})
    return status


def _save_version(article: Article, *, author: User | None, note: str = "", restored_from: int | None = None):
    article.version += 1
    Article.objects.filter(pk=article.pk).update(version=article.version)
    return ArticleVersion.objects.create(article=article, number=article.version, content=article_content(article),
                                         author=author if author and author.is_authenticated else None,
                                         note=note[:200], restored_from=restored_from)


# ---------------------------------------------------------------- articles


@transaction.atomic
def article_create(
    *,
    kind: str,
    title: str,
    fields: dict,
    author: User | None,
    category: str = "",
    tags: Iterable[str] = (),
    owner: Person | None = None,
    status: str = Status.PUBLISHED,
    review_date: date | None = None,
    source_system: str = "",
    source_id: str = "",
    source_url: str = "",
    related: Iterable[Article] = (),
    note: str = "",
    import_key: str | None = None,
) -> Article:
    """Create an article and its version 1. ``fields`` as ``knowledge.kinds.KIND_FIELDS[kind]`` describes;
    ValidationError naming the field when something is wrong (nothing is stored then)."""
    clean = kinds.clean_fields(kind, fields)
    article = Article.objects.create(
        kind=kind, title=_check_title(title), status=_check_status(status), fields=clean,
        category=category_get_or_create(category), owner=owner, review_date=review_date,
        source_system=source_system[:40], source_id=source_id[:100], source_url=_check_source_url(source_url),
        import_key=import_key, updated_by=author if author and author.is_authenticated else None,
    )
    article.tags.set(_tags(tags))
    article.related.set([a for a in related if a.pk != article.pk])
    _save_version(article, author=author, note=note or _("Created"))
    audit_record(actor=author, action=AuditAction.CREATE, obj=article,
                 changes={"kind": kind, "version": article.version})
    _index_changed(article.pk)
    return article


UNSET: Any = object()


@transaction.atomic
def article_update(
    *,
    article: Article,
    author: User | None,
    title: str = UNSET,
    fields: dict = UNSET,
    category: str = UNSET,
    tags: Iterable[str] = UNSET,
    owner: Person | None = UNSET,
    status: str = UNSET,
    review_date: date | None = UNSET,
    source_system: str = UNSET,
    source_id: str = UNSET,
    source_url: str = UNSET,
    related: Iterable[Article] = UNSET,
    note: str = "",
    restored_from: int | None = None,
) -> Article:
    """Change an article; every call that changes something writes a new version (none when nothing changed)."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    before = article_content(article)
    if title is not UNSET:
        article.title = _check_title(title)
    if fields is not UNSET:
        article.fields = kinds.clean_fields(article.kind, fields)
    if category is not UNSET:
        article.category = category_get_or_create(category)
    if owner is not UNSET:
        article.owner = owner
    if status is not UNSET:
        article.status = _check_status(status)
    if review_date is not UNSET:
        article.review_date = review_date
    if source_system is not UNSET:
        article.source_system = source_system[:40]
    if source_id is not UNSET:
        article.source_id = source_id[:100]
    if source_url is not UNSET:
        article.source_url = _check_source_url(source_url)
    article.updated_by = author if author and author.is_authenticated else None
    article.save()
    if tags is not UNSET:
        article.tags.set(_tags(tags))
    if related is not UNSET:
        article.related.set([a for a in related if a.pk != article.pk])
    after = article_content(article)
    changes = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if not changes:
        return article
    _save_version(article, author=author, note=note, restored_from=restored_from)
    audit_record(actor=author, action=AuditAction.UPDATE, obj=article,
                 changes={**{k: v for k, v in changes.items() if k != "fields"},
                          **({"fields": "changed"} if "fields" in changes else {}), "version": article.version})
    _index_changed(article.pk)
    return article


def article_restore(*, article: Article, number: int, author: User | None) -> Article:
    """Make the content of version ``number`` the current one, as a new version (history is never rewritten)."""
    version = ArticleVersion.objects.filter(article=article, number=number).first()
    if version is None:
        raise ValidationError(_("Version %(number)s of this article does not exist.") % {"number": number})
    content = version.content
    if content.get("kind", article.kind) != article.kind:
        raise ValidationError(_("That version is of another kind and cannot be restored."))
    related = Article.objects.filter(pk__in=content.get("related", []))
    review = content.get("review_date") or None
    return article_update(
        article=article, author=author, title=content["title"], fields=content["fields"],
        category=content.get("category", ""), tags=content.get("tags", []),
        review_date=date.fromisoformat(review) if review else None,
        source_system=content.get("source_system", ""), source_id=content.get("source_id", ""),
        source_url=content.get("source_url", ""), related=list(related),
        note=_("Restored from version %(number)s") % {"number": number}, restored_from=number,
    )


@transaction.atomic
def article_delete(*, article: Article, actor: User | None) -> None:
    pk, title = article.pk, article.title
    for attachment in article.attachments.all():
        attachment.file.delete(save=False)
    article.delete()
    audit_record(actor=actor, action=AuditAction.DELETE, object_type=Article._meta.label_lower,
                 object_id=str(pk), object_repr=title)
    _index_changed(pk)


# ---------------------------------------------------------------- attachments


@transaction.atomic
def attachment_add(*, article: Article, upload, actor: User | None) -> Attachment:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": _("A file may have at most %(mb)s MB.") % {"mb": MAX_ATTACHMENT_BYTES // 2**20}})
    name = (upload.name or "file").rsplit("/", 1)[-1][:200]
    attachment = Attachment(article=article, name=name, size=upload.size,
                            content_type=(getattr(upload, "content_type", "") or "")[:100],
                            uploaded_by=actor if actor and actor.is_authenticated else None)
    attachment.file.save(name, upload, save=False)
    attachment.save()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=article, changes={"attachment added": name})
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor: User | None) -> None:
    article, name = attachment.article, attachment.name
    attachment.file.delete(save=False)
    attachment.delete()
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=article, changes={"attachment removed": name})


# ---------------------------------------------------------------- acknowledgements


@transaction.atomic
def acknowledgement_request_create(
    *, article: Article, units: Iterable[OrgUnit], actor: User | None, note: str = "", due_date: date | None = None,
) -> AcknowledgementRequest:
    """Ask every active person in ``units`` (and the units under them) to acknowledge the article's current
    version. Only service standards are acknowledged."""
    units = list(units)
    if article.kind != Kind.STANDARD:
        raise ValidationError(_("Only service standards are acknowledged."))
    if article.status != Status.PUBLISHED:
        raise ValidationError(_("Publish the standard before asking people to acknowledge it."))
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    people = Person.objects.filter(unit__in=unit_subtree(units), status=PersonStatus.ACTIVE)
    if not people.exists():
        raise ValidationError({"units": _("Nobody active works in the chosen units.")})
    request = AcknowledgementRequest.objects.create(
        article=article, version=article.version, note=note[:300], due_date=due_date,
        requested_by=actor if actor and actor.is_authenticated else None,
    )
    request.units.set(units)
    Acknowledgement.objects.bulk_create([Acknowledgement(request=request, person=p) for p in people])
    audit_record(actor=actor, action=AuditAction.CREATE, obj=request,
                 changes={"units": [u.name for u in units], "people": people.count()})
    return request


@transaction.atomic
def acknowledge(*, acknowledgement: Acknowledgement, actor: User | None) -> Acknowledgement:
    """Record that the person read the version; acknowledging twice keeps the first time. Having read a
    version also settles the person's pending requests for older versions of the same standard."""
    row = Acknowledgement.objects.select_related("request").select_for_update().get(pk=acknowledgement.pk)
    if row.acknowledged_at is None:
        row.acknowledged_at = timezone.now()
        row.save(update_fields=["acknowledged_at"])
        older = Acknowledgement.objects.filter(
            person=row.person_id, acknowledged_at__isnull=True, request__article=row.request.article_id,
            request__version__lt=row.request.version)
        settled = older.update(acknowledged_at=row.acknowledged_at)
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=row.request,
                     changes={"acknowledged by": str(row.person), **({"older versions": settled} if settled else {})})
    return row


# ---------------------------------------------------------------- dictionary, synonyms, index


def _config_changed() -> None:
    state = IndexState.objects.first()
    if state is not None:
        state.config_changed_at = timezone.now()
        state.save(update_fields=["config_changed_at"])


@transaction.atomic
def domain_word_add(*, word: str, actor: User | None, note: str = "") -> DomainWord:
    word = normalise((word or "").strip())
    if not word:
        raise ValidationError({"word": _("Enter a word.")})
    if any(ch.isspace() for ch in word):
        raise ValidationError({"word": _("A dictionary word cannot contain spaces.")})
    if len(word) > 40:
        raise ValidationError({"word": _("A dictionary word has at most 40 characters.")})
    if DomainWord.objects.filter(word=word).exists():
        raise ValidationError({"word": _("“%(word)s” is already in the dictionary.") % {"word": word}})
    entry = DomainWord.objects.create(word=word, note=note[:200], added_by=actor if actor else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=entry)
    _config_changed()
    return entry


@transaction.atomic
def domain_word_delete(*, entry: DomainWord, actor: User | None) -> None:
    audit_record(actor=actor, action=AuditAction.DELETE, obj=entry)
    entry.delete()
    _config_changed()


@transaction.atomic
def synonym_group_add(*, words: str | Iterable[str], actor: User | None, note: str = "") -> SynonymGroup:
    if isinstance(words, str):
        words = words.replace("，", " ").replace(",", " ").split()
    clean: list[str] = []
    for word in words:
        word = normalise(str(word).strip())
        if word and word not in clean:
            clean.append(word)
    if len(clean) < 2:
        raise ValidationError({"words": _("A synonym group needs at least two different words.")})
    if any(len(w) > 40 for w in clean):
        raise ValidationError({"words": _("A word has at most 40 characters.")})
    group = SynonymGroup.objects.create(words=clean, note=note[:200], added_by=actor if actor else None)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=group)
    _config_changed()
    return group


@transaction.atomic
def synonym_group_delete(*, group: SynonymGroup, actor: User | None) -> None:
    audit_record(actor=actor, action=AuditAction.DELETE, obj=group)
    group.delete()
    _config_changed()


def query_log(*, query: str, kind: str, hits: int, confidence: float, user: User | None) -> SearchQueryLog:
    query = query.strip()[:200]
    return SearchQueryLog.objects.create(
        query=query, normalised=" ".join(normalise(query).split())[:200], kind=kind[:20], hits=hits,
        confidence=round(confidence, 3), user=user if user and user.is_authenticated else None,
    )
