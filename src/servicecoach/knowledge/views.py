"""Pages of the knowledge base. Thin: permission and scope through knowledge.selectors (built on
org.selectors), writes through knowledge.services, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors
from servicecoach.core.permissions import role_required
from servicecoach.knowledge import diff, importing, kinds, selectors, services, tasks
from servicecoach.knowledge import search as knowledge_search
from servicecoach.knowledge.forms import (
    AcknowledgementRequestForm,
    ArticleFilterForm,
    ArticleForm,
    AttachmentForm,
    DomainWordForm,
    ImportForm,
    SearchForm,
    SynonymGroupForm,
)
from servicecoach.knowledge.models import DomainWord, Kind, SynonymGroup
from servicecoach.knowledge.selectors import EDITOR_ROLES, MANAGER_ROLES, REPORT_ROLES
from servicecoach.org.models import Role
from servicecoach.org.selectors import units_visible_to

PAGE_SIZE = 25


def _posted(request):
    """The posted data for a form (an empty POST still binds it, so its errors show), else None."""
    return request.POST if request.method == "POST" else None


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# ---------------------------------------------------------------- search


@login_required
def search(request):
    form = SearchForm(request.GET or None)
    context = {"form": form, "result": None, "articles": {}, "query": ""}
    if form.is_valid() and form.cleaned_data["q"].strip():
        data = form.cleaned_data
        query = data["q"].strip()
        result, articles = selectors.article_search(user=request.user, query=query, kind=data["kind"],
                                                    category=data["category"], tag=data["tag"].strip())
        # typing updates the results live (live=1); only a submitted query counts as asked
        logged = result.no_good_answer and not request.GET.get("live")
        if logged:
            services.query_log(query=query, kind=data["kind"], hits=len(result.hits),
                               confidence=result.confidence, user=request.user)
        context.update(result=result, articles=articles, query=query, logged=logged)
    template = "knowledge/search_results.html" if request.htmx else "knowledge/search.html"
    context["pending"] = selectors.my_pending_acknowledgements(request.user).count() if not request.htmx else 0
    context["can_create"] = selectors.is_editor(request.user)
    return render(request, template, context)


# ---------------------------------------------------------------- articles


@role_required(*EDITOR_ROLES)
def article_list(request):
    form = ArticleFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    articles = selectors.article_list(user=request.user, kind=filters.get("kind", ""),
                                      status=filters.get("status", ""), category=filters.get("category"),
                                      tag=filters.get("tag"), text=filters.get("q", ""))
    return render(request, "knowledge/article_list.html", {
        "form": form, "page": _page(request, articles.prefetch_related("tags")), "kinds": Kind.choices,
    })


def _article_context(request, article, **extra):
    query = request.GET.get("q", "").strip()[:200]
    terms = knowledge_search.query_terms(query) if query else set()
    specs = kinds.field_specs(article.kind)
    fields = []
    for spec in specs:
        value = article.fields.get(spec.name)
        if spec.shape == "scenarios":
            items = [{"scenario": i["scenario"], "text": i["text"],
                      "spans": knowledge_search.highlight_spans(i["text"], terms)} for i in value or []]
            fields.append({"spec": spec, "items": items, "empty": not items})
        elif spec.shape == "lines":
            items = [{"text": v, "spans": knowledge_search.highlight_spans(v, terms)} for v in value or []]
            fields.append({"spec": spec, "items": items, "empty": not items})
        else:
            text = kinds.field_text(spec, value)
            fields.append({"spec": spec, "text": text, "spans": knowledge_search.highlight_spans(text, terms),
                           "empty": not text})
    pending = selectors.my_pending_acknowledgements(request.user).filter(request__article=article).first()
    context = {
        "article": article, "fields": fields, "query": query,
        "title_spans": knowledge_search.highlight_spans(article.title, terms),
        "can_edit": selectors.can_edit_article(request.user, article),
        "can_manage": selectors.is_manager(request.user),
        "attachments": article.attachments.all(),
        "related": selectors.articles_visible_to(request.user).filter(pk__in=article.related.values("pk")),
        "pending_ack": pending,
        "placeholders": kinds.placeholders(kinds.search_body(article.kind, article.fields))
        if article.kind == Kind.SCRIPT else [],
        "attachment_form": AttachmentForm(),
    }
    context.update(extra)
    return context


@login_required
def article_detail(request, pk: int):
    article = selectors.article_for_user(request.user, pk)
    return render(request, "knowledge/article_detail.html", _article_context(request, article))


def _save_article(request, form, article=None):
    data = form.cleaned_data
    common = dict(title=data["title"], fields=form.structured(), category=data["category"], tags=form.tag_list(),
                  owner=data["owner"], status=data["status"], review_date=data["review_date"],
                  related=list(data["related"]), note=data["note"])
    if form.kind == Kind.CASE:
        common.update(source_system=data["source_system"], source_id=data["source_id"],
                      source_url=data["source_url"])
    if article is None:
        return services.article_create(kind=form.kind, author=request.user, **common)
    return services.article_update(article=article, author=request.user, **common)


@role_required(*EDITOR_ROLES)
def article_create(request, kind: str):
    if kind not in Kind.values:
        raise Http404
    form = ArticleForm(_posted(request), kind=kind, initial={"owner": getattr(request.user, "person", None)})
    if request.method == "POST" and form.is_valid():
        try:
            article = _save_article(request, form)
        except ValidationError as error:
            apply_service_errors(form, error, field_prefixes=("f_",))
        else:
            messages.success(request, _("Article “%(title)s” created.") % {"title": article.title})
            return redirect("knowledge:article-detail", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": None, "kind": kind,
                                                           "kind_label": Kind(kind).label})


@login_required
def article_edit(request, pk: int):
    article = selectors.article_for_editor(request.user, pk)
    form = ArticleForm(_posted(request), kind=article.kind, article=article)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save_article(request, form, article)
        except ValidationError as error:
            apply_service_errors(form, error, field_prefixes=("f_",))
        else:
            if saved.version != article.version:
                messages.success(request, _("Saved as version %(number)s.") % {"number": saved.version})
            else:
                messages.info(request, _("Nothing changed: no new version."))
            if saved.kind == Kind.STANDARD and saved.version != article.version and selectors.is_manager(
                    request.user) and saved.status == "published":
                messages.info(request, _("Ask the units concerned to acknowledge the new version if it changes how "
                                         "they work."))
            return redirect("knowledge:article-detail", pk=article.pk)
    return render(request, "knowledge/article_form.html", {"form": form, "article": article, "kind": article.kind,
                                                           "kind_label": article.get_kind_display()})


@role_required(*MANAGER_ROLES)
@require_POST
def article_delete(request, pk: int):
    article = selectors.article_for_user(request.user, pk)
    services.article_delete(article=article, actor=request.user)
    messages.success(request, _("Article “%(title)s” deleted.") % {"title": article.title})
    return redirect("knowledge:article-list")


# ---------------------------------------------------------------- versions


@login_required
def article_versions(request, pk: int):
    article = selectors.article_for_editor(request.user, pk)
    versions = list(selectors.article_versions(article))
    return render(request, "knowledge/article_versions.html", {"article": article, "versions": versions})


@login_required
def article_compare(request, pk: int):
    article = selectors.article_for_editor(request.user, pk)
    try:
        a = int(request.GET.get("a", max(article.version - 1, 1)))
        b = int(request.GET.get("b", article.version))
    except ValueError:
        raise Http404 from None
    old, new = selectors.article_version(article, min(a, b)), selectors.article_version(article, max(a, b))
    return render(request, "knowledge/article_compare.html", {
        "article": article, "old": old, "new": new, "parts": diff.compare(old.content, new.content),
        "numbers": list(article.versions.order_by("number").values_list("number", flat=True)),
    })


@login_required
@require_POST
def article_restore(request, pk: int, number: int):
    article = selectors.article_for_editor(request.user, pk)
    selectors.article_version(article, number)
    try:
        saved = services.article_restore(article=article, number=number, author=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("knowledge:article-versions", pk=pk)
    if saved.version != article.version:
        messages.success(request, _("Version %(old)s restored as version %(new)s.") % {"old": number,
                                                                                     "new": saved.version})
    else:
        messages.info(request, _("Version %(old)s is the same as the current one: nothing to restore.")
                      % {"old": number})
    return redirect("knowledge:article-detail", pk=pk)


# ---------------------------------------------------------------- attachments


@login_required
@require_POST
def attachment_upload(request, pk: int):
    article = selectors.article_for_editor(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_add(article=article, upload=form.cleaned_data["file"], actor=request.user)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            messages.success(request, _("File attached."))
            return redirect("knowledge:article-detail", pk=pk)
    return render(request, "knowledge/article_detail.html", _article_context(request, article, attachment_form=form),
                  status=400)


@login_required
def attachment_download(request, pk: int):
    attachment = selectors.attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name,
                        content_type=attachment.content_type or "application/octet-stream")


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = selectors.attachment_for_user(request.user, pk)
    if not selectors.can_edit_article(request.user, attachment.article):
        raise PermissionDenied
    services.attachment_delete(attachment=attachment, actor=request.user)
    messages.success(request, _("Attachment removed."))
    return redirect("knowledge:article-detail", pk=attachment.article_id)


# ---------------------------------------------------------------- script templates


@login_required
def script_fill(request, pk: int):
    article = selectors.article_for_user(request.user, pk)
    if article.kind != Kind.SCRIPT:
        raise Http404
    parts = []
    if article.fields.get("opening"):
        parts.append({"label": _("Opening"), "text": article.fields["opening"]})
    for item in article.fields.get("scenarios", []):
        parts.append({"label": item["scenario"] or _("Answer"), "text": item["text"]})
    if article.fields.get("closing"):
        parts.append({"label": _("Closing"), "text": article.fields["closing"]})
    names = kinds.placeholders("\n".join(p["text"] for p in parts))
    values = {name: request.GET.get(name, "").strip()[:100] for name in names}
    for part in parts:  # filled on the server too, so the page works without JavaScript
        filled = part["text"]
        for name, value in values.items():
            if value:
                filled = filled.replace("{" + name + "}", value)
        part["filled"] = filled
    return render(request, "knowledge/script_fill.html", {"article": article, "parts": parts,
                                                          "placeholders": [(n, values[n]) for n in names]})


# ---------------------------------------------------------------- acknowledgements


@role_required(*MANAGER_ROLES)
def acknowledgement_request_create(request, pk: int):
    article = selectors.article_for_user(request.user, pk)
    if article.kind != Kind.STANDARD:
        raise Http404
    form = AcknowledgementRequestForm(_posted(request), units=units_visible_to(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            ack_request = services.acknowledgement_request_create(
                article=article, units=form.cleaned_data["units"], actor=request.user,
                note=form.cleaned_data["note"], due_date=form.cleaned_data["due_date"])
        except ValidationError as error:
            apply_service_errors(form, error, field_prefixes=("f_",))
        else:
            messages.success(request, _("%(n)s people are asked to acknowledge version %(v)s.") % {
                "n": ack_request.acknowledgements.count(), "v": ack_request.version})
            return redirect("knowledge:acknowledgement-report", pk=ack_request.pk)
    return render(request, "knowledge/acknowledgement_request_form.html", {"form": form, "article": article})


@login_required
def my_acknowledgements(request):
    rows = list(selectors.my_acknowledgements(request.user))
    return render(request, "knowledge/my_acknowledgements.html", {
        "pending": [r for r in rows if r.acknowledged_at is None],
        "done": [r for r in rows if r.acknowledged_at is not None],
        "today": timezone.localdate(),
    })


@login_required
@require_POST
def acknowledge(request, pk: int):
    row = selectors.my_acknowledgement_for(request.user, pk)
    services.acknowledge(acknowledgement=row, actor=request.user)
    messages.success(request, _("Thank you: you acknowledged “%(title)s”, version %(v)s.") % {
        "title": row.request.article.title, "v": row.request.version})
    return redirect(request.POST.get("next") if request.POST.get("next", "").startswith("/kb/")
                    else "knowledge:my-acknowledgements")


@role_required(*REPORT_ROLES)
def acknowledgement_requests(request):
    return render(request, "knowledge/acknowledgement_requests.html", {
        "summaries": selectors.acknowledgement_request_summaries(request.user),
    })


@role_required(*REPORT_ROLES)
def acknowledgement_report(request, pk: int):
    ack_request = selectors.acknowledgement_request_for(request.user, pk)
    report = selectors.acknowledgement_report(user=request.user, request=ack_request)
    return render(request, "knowledge/acknowledgement_report.html", {"req": ack_request, "report": report,
                                                                     "today": timezone.localdate()})


@role_required(*REPORT_ROLES)
def acknowledgement_report_export(request, pk: int):
    ack_request = selectors.acknowledgement_request_for(request.user, pk)
    report = selectors.acknowledgement_report(user=request.user, request=ack_request)
    response = HttpResponse(importing.acknowledgement_workbook(ack_request, report),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="acknowledgements-{ack_request.pk}.xlsx"'
    return response


# ---------------------------------------------------------------- owners' lists


@login_required
def review_list(request):
    everyone = request.GET.get("all") == "1" and selectors.is_editor(request.user)
    articles = selectors.review_due(user=request.user, all_owners=everyone)
    return render(request, "knowledge/review_list.html", {
        "page": _page(request, articles), "everyone": everyone, "can_see_all": selectors.is_editor(request.user),
        "today": timezone.localdate(),
    })


@role_required(*EDITOR_ROLES)
def unanswered(request):
    try:
        days = min(max(int(request.GET.get("days", 30)), 1), 365)
    except ValueError:
        days = 30
    return render(request, "knowledge/unanswered.html", {"rows": selectors.unanswered_queries(days=days),
                                                         "days": days})


# ---------------------------------------------------------------- import / export


@role_required(*MANAGER_ROLES)
def import_view(request):
    form = ImportForm(_posted(request), request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = importing.import_file(data=upload.read(), name=upload.name, actor=request.user)
        if result.ok:
            messages.success(request, _("Import done: %(c)s created, %(u)s updated, %(s)s unchanged.") % {
                "c": result.created, "u": result.updated, "s": result.unchanged})
    return render(request, "knowledge/import.html", {"form": form, "result": result},
                  status=400 if result is not None and not result.ok else 200)


@role_required(*MANAGER_ROLES)
def export_view(request):
    articles = selectors.articles_visible_to(request.user).prefetch_related("tags").order_by("kind", "title")
    response = HttpResponse(importing.export_workbook(articles),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="knowledge-{stamp}.xlsx"'
    return response


# ---------------------------------------------------------------- dictionary, synonyms, index


@role_required(Role.ADMIN)
def search_settings(request):
    word_form = DomainWordForm(prefix="word")
    synonym_form = SynonymGroupForm(prefix="syn")
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "add_word":
                word_form = DomainWordForm(request.POST, prefix="word")
                if word_form.is_valid():
                    services.domain_word_add(actor=request.user, **word_form.cleaned_data)
                    messages.success(request, _("Word added; it is used from the next rebuild."))
                    return redirect("knowledge:search-settings")
            elif action == "add_synonyms":
                synonym_form = SynonymGroupForm(request.POST, prefix="syn")
                if synonym_form.is_valid():
                    services.synonym_group_add(actor=request.user, **synonym_form.cleaned_data)
                    messages.success(request, _("Synonyms added; they are used from the next rebuild."))
                    return redirect("knowledge:search-settings")
            elif action == "delete_word":
                entry = DomainWord.objects.filter(pk=request.POST.get("id") or 0).first()
                if entry is None:
                    raise Http404
                services.domain_word_delete(entry=entry, actor=request.user)
                messages.success(request, _("Word removed; the change applies from the next rebuild."))
                return redirect("knowledge:search-settings")
            elif action == "delete_synonyms":
                group = SynonymGroup.objects.filter(pk=request.POST.get("id") or 0).first()
                if group is None:
                    raise Http404
                services.synonym_group_delete(group=group, actor=request.user)
                messages.success(request, _("Synonym group removed; the change applies from the next rebuild."))
                return redirect("knowledge:search-settings")
            elif action == "rebuild":
                if tasks.index_rebuild_later():
                    messages.success(request, _("Index rebuilt with the current dictionary and synonyms."))
                else:
                    messages.success(request, _("The rebuild has started in the background; searches use the "
                                                "new index as soon as it is ready."))
                return redirect("knowledge:search-settings")
            else:
                messages.error(request, _("Unknown action."))
        except ValidationError as error:
            target = synonym_form if action == "add_synonyms" else word_form
            for name, errors in error.message_dict.items():
                target.add_error(name if name in target.fields else None, errors)
    return render(request, "knowledge/search_settings.html", {
        "word_form": word_form, "synonym_form": synonym_form,
        "words": DomainWord.objects.all(), "groups": SynonymGroup.objects.all(),
        "status": knowledge_search.index_status(),
    })
