"""Reading the knowledge base, and who may do what with it (docs/knowledge.md, "Who may do what").

- Everyone signed in reads published articles and their attachments, and fills script templates.
- Editors (administrators, training managers, trainers, QA reviewers) create articles and edit any of them;
  an article's owner edits their own article whatever their role. Drafts and archived articles are seen
  only by editors and the owner (others get 404).
- Administrators and training managers delete articles, import and export, and ask units to acknowledge a
  service standard; they see every acknowledgement report. A supervisor sees the reports for the people of
  their teams only. Everyone sees (and acknowledges) only their own acknowledgement tasks.
- Administrators keep the domain dictionary and synonyms and rebuild the index.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Count, Max, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from servicecoach.knowledge import search as knowledge_search
from servicecoach.knowledge.models import (
    Acknowledgement,
    AcknowledgementRequest,
    Article,
    ArticleVersion,
    Attachment,
    SearchQueryLog,
    Status,
)
from servicecoach.org.models import Role
from servicecoach.org.selectors import people_visible_to, person_for_user, user_has_role, user_roles

EDITOR_ROLES = (Role.ADMIN, Role.TRAINING_MANAGER, Role.TRAINER, Role.QA_REVIEWER)
MANAGER_ROLES = (Role.ADMIN, Role.TRAINING_MANAGER)
REPORT_ROLES = (Role.ADMIN, Role.TRAINING_MANAGER, Role.SUPERVISOR)
SEARCH_LIMIT = 10  # what an agent reads mid-conversation; highlighting costs per hit


def is_editor(user) -> bool:
    return user_has_role(user, *EDITOR_ROLES)


def is_manager(user) -> bool:
    return user_has_role(user, *MANAGER_ROLES)


def is_owner(user, article: Article) -> bool:
    person = person_for_user(user)
    return person is not None and article.owner_id == person.pk


def can_edit_article(user, article: Article) -> bool:
    return is_editor(user) or is_owner(user, article)


def articles_visible_to(user) -> QuerySet[Article]:
    """Published articles for everyone signed in; every article for editors; their own for owners."""
    if user is None or not user.is_authenticated:
        return Article.objects.none()
    articles = Article.objects.select_related("category", "owner")
    if is_editor(user):
        return articles
    person = person_for_user(user)
    condition = Q(status=Status.PUBLISHED)
    if person is not None:
        condition |= Q(owner=person)
    return articles.filter(condition)


def article_for_user(user, pk: int) -> Article:
    article = articles_visible_to(user).filter(pk=pk).first()
    if article is None:
        raise Http404
    return article


def article_for_editor(user, pk: int) -> Article:
    """The article if the user may edit it; 404 when they may not even see it, 403 (PermissionDenied) when
    they see but may not edit it."""
    from django.core.exceptions import PermissionDenied

    article = article_for_user(user, pk)
    if not can_edit_article(user, article):
        raise PermissionDenied
    return article


def article_list(*, user, kind: str = "", status: str = "", category=None, tag=None, text: str = "",
                 owner=None) -> QuerySet[Article]:
    """The editors' list: visible articles filtered, newest change first."""
    articles = articles_visible_to(user)
    if kind:
        articles = articles.filter(kind=kind)
    if status:
        articles = articles.filter(status=status)
    if category is not None:
        articles = articles.filter(category=category)
    if tag is not None:
        articles = articles.filter(tags=tag)
    if owner is not None:
        articles = articles.filter(owner=owner)
    text = text.strip()
    if text:
        articles = articles.filter(title__icontains=text)
    return articles.order_by("-updated_at", "-id")


def article_search(*, user, query: str, kind: str = "", category: str = "", tag: str = "",
                   limit: int = SEARCH_LIMIT):
    """Search the published articles. Returns ``(result, articles)``: the engine's result and the matching
    ``Article`` rows by id (a hit whose article went away since is dropped)."""
    result = knowledge_search.search(query, kind=kind, category=category, tag=tag, limit=limit)
    ids = [int(hit.id) for hit in result.hits]
    rows = {a.pk: a for a in articles_visible_to(user).filter(pk__in=ids, status=Status.PUBLISHED)}
    result.hits = [hit for hit in result.hits if int(hit.id) in rows]
    return result, rows


def article_versions(article: Article) -> QuerySet[ArticleVersion]:
    return article.versions.select_related("author").order_by("-number")


def article_version(article: Article, number: int) -> ArticleVersion:
    version = article.versions.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def attachment_for_user(user, pk: int) -> Attachment:
    attachment = Attachment.objects.select_related("article").filter(pk=pk).first()
    if attachment is None or not articles_visible_to(user).filter(pk=attachment.article_id).exists():
        raise Http404
    return attachment


def review_due(*, user, today: date | None = None, all_owners: bool = False) -> QuerySet[Article]:
    """Articles whose review date has come: the user's own, or everyone's for ``all_owners`` (editors)."""
    today = today or timezone.localdate()
    articles = Article.objects.select_related("category", "owner").filter(review_date__lte=today).exclude(
        status=Status.ARCHIVED)
    if not all_owners:
        person = person_for_user(user)
        articles = articles.filter(owner=person) if person is not None else articles.none()
    return articles.order_by("review_date", "title")


def review_due_count(user) -> int:
    return review_due(user=user).count()


# ---------------------------------------------------------------- acknowledgements


def my_acknowledgements(user) -> QuerySet[Acknowledgement]:
    person = person_for_user(user)
    if person is None:
        return Acknowledgement.objects.none()
    return (Acknowledgement.objects.filter(person=person).select_related("request__article")
            .order_by("acknowledged_at", "-request__requested_at"))


def my_pending_acknowledgements(user) -> QuerySet[Acknowledgement]:
    return my_acknowledgements(user).filter(acknowledged_at__isnull=True)


def my_acknowledgement_for(user, pk: int) -> Acknowledgement:
    row = my_acknowledgements(user).filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def acknowledgement_requests_visible_to(user) -> QuerySet[AcknowledgementRequest]:
    """Managers: every request; supervisors: those that ask someone of their teams; others: none."""
    requests = AcknowledgementRequest.objects.select_related("article", "requested_by").prefetch_related("units")
    roles = user_roles(user)
    if roles & set(MANAGER_ROLES):
        return requests
    if Role.SUPERVISOR in roles:
        people = people_visible_to(user).values("pk")
        return requests.filter(acknowledgements__person__in=people).distinct()
    return requests.none()


def acknowledgement_request_for(user, pk: int) -> AcknowledgementRequest:
    request = acknowledgement_requests_visible_to(user).filter(pk=pk).first()
    if request is None:
        raise Http404
    return request


def acknowledgement_report(*, user, request: AcknowledgementRequest) -> dict:
    """Who has acknowledged and who has not, limited to the people the user may see, with counts per unit."""
    rows = (request.acknowledgements.filter(person__in=people_visible_to(user).values("pk"))
            .select_related("person__unit").order_by("person__unit__path", "person__employee_no"))
    rows = list(rows)
    pending = [r for r in rows if r.acknowledged_at is None]
    done = [r for r in rows if r.acknowledged_at is not None]
    units: dict[int, dict] = {}
    for row in rows:
        unit = units.setdefault(row.person.unit_id, {"unit": row.person.unit, "total": 0, "done": 0})
        unit["total"] += 1
        unit["done"] += row.acknowledged_at is not None
    for unit in units.values():
        unit["pending"] = unit["total"] - unit["done"]
    return {
        "total": len(rows), "done": done, "pending": pending,
        "percent": round(100 * len(done) / len(rows)) if rows else 0,
        "units": list(units.values()),
        "overdue": bool(request.due_date and request.due_date < timezone.localdate() and pending),
    }


def acknowledgement_request_summaries(user) -> list[dict]:
    requests = acknowledgement_requests_visible_to(user)
    visible = people_visible_to(user).values("pk")
    counted = requests.annotate(
        asked=Count("acknowledgements", filter=Q(acknowledgements__person__in=visible), distinct=True),
        acked=Count("acknowledgements", filter=Q(acknowledgements__person__in=visible,
                                                  acknowledgements__acknowledged_at__isnull=False), distinct=True),
    ).order_by("-requested_at", "-id")
    return [{"request": r, "asked": r.asked, "acked": r.acked, "pending": r.asked - r.acked} for r in counted]


# ---------------------------------------------------------------- unanswered queries


def unanswered_queries(*, days: int = 30) -> list[dict]:
    """The queries with no good answer in the last ``days``, most frequent first (same text counted once)."""
    since = timezone.now() - timedelta(days=days)
    rows = (SearchQueryLog.objects.filter(at__gte=since).values("normalised")
            .annotate(times=Count("id"), users=Count("user", distinct=True), last=Max("at"), query=Max("query"),
                      confidence=Max("confidence"))
            .order_by("-times", "-last")[:200])
    return list(rows)


def home_panel(user) -> dict:
    """The home page panel: standards to acknowledge and the user's articles past their review date."""
    return {"pending": my_pending_acknowledgements(user).count(), "review_due": review_due_count(user)}
