"""Pages of the Assessment app. Thin: check the role and the scope, call a selector or a service,
render. Managers (administrator, training manager, trainer) run the bank, papers and exams;
candidates see their own exams and attempts; supervisors their units' results."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_service_errors
from servicecoach.core.permissions import role_required
from servicecoach.exams import selectors, services
from servicecoach.exams.engine import importers
from servicecoach.exams.engine.marking import key_points_found
from servicecoach.exams.forms import (
    EssayScoreForm,
    ExamForm,
    ImportForm,
    PaperForm,
    QuestionFilterForm,
    QuestionForm,
    QuotaFormSet,
    ReviewForm,
)
from servicecoach.exams.models import (
    Attempt,
    AttemptItem,
    AttemptStatus,
    Exam,
    Layout,
    Paper,
    PaperKind,
    Question,
    QuestionType,
)
from servicecoach.org.selectors import person_for_user

MANAGERS = selectors.MANAGERS
PAGE_SIZE = 30


# ---------------------------------------------------------------- question bank


def _filtered_questions(request):
    form = QuestionFilterForm(request.GET or None, topics=selectors.topics())
    f = form.cleaned_data if form.is_valid() else {}
    questions = selectors.question_list(
        topic=f.get("topic", ""), difficulty=f.get("difficulty", ""), qtype=f.get("qtype", ""),
        tag=(f.get("tag") or "").strip(), search=f.get("q", ""), archived=bool(f.get("archived")),
    )
    return form, questions


@role_required(*MANAGERS)
def question_list(request):
    form, questions = _filtered_questions(request)
    context = {"form": form, "page": Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page")),
               "query": request.GET.urlencode()}
    if request.htmx:
        return render(request, "exams/question_list_results.html", context)
    return render(request, "exams/question_list.html", context)


@role_required(*MANAGERS)
def question_detail(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    versions = list(question.versions.order_by("-number"))
    return render(request, "exams/question_detail.html", {
        "question": question, "versions": versions, "current": versions[0].to_engine(),
    })


@role_required(*MANAGERS)
def question_create(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.question_create(actor=request.user, question=form.engine_question)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Question %(key)s added.") % {"key": question.key})
            return redirect("exams:question-detail", pk=question.pk)
    return render(request, "exams/question_form.html", {"form": form, "question": None})


@role_required(*MANAGERS)
def question_update(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    initial = QuestionForm.initial_for(question.current.to_engine()) if request.method != "POST" else None
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        before = question.version
        try:
            question = services.question_update(actor=request.user, question=question, new=form.engine_question)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            if question.version == before:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("Saved as version %(n)s; earlier exams keep the version they used.")
                                 % {"n": question.version})
            return redirect("exams:question-detail", pk=question.pk)
    return render(request, "exams/question_form.html", {"form": form, "question": question})


@role_required(*MANAGERS)
@require_POST
def question_archive(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    archived = request.POST.get("archived") == "1"
    services.question_set_archived(actor=request.user, question=question, archived=archived)
    messages.success(request, _("Question archived.") if archived else _("Question restored."))
    return redirect("exams:question-detail", pk=pk)


@role_required(*MANAGERS)
def question_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = services.bank_import(actor=request.user, fmt=form.cleaned_data["fmt"], data=upload.read(),
                                      filename=upload.name, topic=form.cleaned_data.get("topic", ""))
    return render(request, "exams/question_import.html", {"form": form, "report": report})


@role_required(*MANAGERS)
def question_import_template(request):
    import io

    buffer = io.BytesIO()
    importers.write_excel_template(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''question-template.xlsx"
    return response


EXPORT_TYPES = {
    "excel": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "questions.xlsx"),
    "gift": ("text/plain; charset=utf-8", "questions.gift.txt"),
    "aiken": ("text/plain; charset=utf-8", "questions.aiken.txt"),
}


@role_required(*MANAGERS)
def question_export(request):
    fmt = request.GET.get("format", "excel")
    if fmt not in EXPORT_TYPES:
        raise Http404
    _form, questions = _filtered_questions(request)
    data, problems = services.bank_export(questions=list(questions), fmt=fmt)
    content_type, filename = EXPORT_TYPES[fmt]
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    if problems:
        # Questions the format cannot hold are left out; the header says which, for the curious.
        response["X-Export-Skipped"] = str(len(problems))
    return response


# ---------------------------------------------------------------- papers


@role_required(*MANAGERS)
def paper_list(request):
    papers = Paper.objects.all()
    return render(request, "exams/paper_list.html", {"papers": papers})


@role_required(*MANAGERS)
def paper_detail(request, pk: int):
    paper = get_object_or_404(Paper, pk=pk)
    context = {"paper": paper, "problems": services.paper_problems(paper)}
    if paper.kind == PaperKind.FIXED:
        context["fixed"] = list(paper.fixed_questions.select_related("question"))
    else:
        context["quotas"] = list(paper.quotas.all())
        if not context["problems"] and request.GET.get("preview"):
            plan, versions = services.paper_plan(paper)
            drawn = plan.draw(seed=int(request.GET.get("seed") or 1))
            context["preview"] = [(i, versions[i.question_key]) for i in drawn.items]
            context["preview_method"] = drawn.method
    return render(request, "exams/paper_detail.html", context)


def _paper_form(request, paper: Paper | None):
    topics = selectors.topics()
    initial = None
    quota_initial = None
    if paper is not None and request.method != "POST":
        initial = {"title": paper.title, "kind": paper.kind, "description": paper.description, "total": paper.total,
                   "questions": "\n".join(f"{pq.question.key}, {pq.points}" if pq.points else pq.question.key
                                          for pq in paper.fixed_questions.select_related("question"))}
        quota_initial = [{"topic": q.topic, "difficulty": q.difficulty, "qtype": q.qtype, "count": q.count,
                          "points_each": q.points_each} for q in paper.quotas.all()]
    form = PaperForm(request.POST or None, initial=initial or {"kind": PaperKind.BLUEPRINT})
    formset = QuotaFormSet(request.POST or None, initial=quota_initial, prefix="quota",
                           form_kwargs={"topics": topics})
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        rows = [r for r in (f.row() for f in formset.forms) if r]
        try:
            paper = services.paper_save(actor=request.user, paper=paper, title=d["title"], kind=d["kind"],
                                        description=d["description"], total=d.get("total"), fixed=form.fixed,
                                        quotas=rows)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Paper “%(title)s” saved.") % {"title": paper.title})
            return redirect("exams:paper-detail", pk=paper.pk)
    return render(request, "exams/paper_form.html", {"form": form, "formset": formset, "paper": paper})


@role_required(*MANAGERS)
def paper_create(request):
    return _paper_form(request, None)


@role_required(*MANAGERS)
def paper_update(request, pk: int):
    return _paper_form(request, get_object_or_404(Paper, pk=pk))


# ---------------------------------------------------------------- exams (managers)


@role_required(*MANAGERS)
def exam_list(request):
    return render(request, "exams/exam_list.html", {"exams": selectors.exam_list_for_manager(), "now": timezone.now()})


@login_required
def exam_detail(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    if selectors.can_manage(request.user):
        services.attempt_close_due(exam=exam)
        attempts = Attempt.objects.filter(exam=exam).select_related("person", "person__unit")
        return render(request, "exams/exam_detail.html", {
            "exam": exam, "attempts": attempts, "candidates": selectors.exam_candidates(exam),
            "queue_count": selectors.marking_queue(exam=exam).count(),
            "stats": selectors.exam_item_statistics(exam),
        })
    person = person_for_user(request.user)
    if not selectors.is_candidate(exam, person):
        raise Http404
    return redirect("exams:my-exams")


def _exam_form(request, exam: Exam | None):
    form = ExamForm(request.POST or None, instance=exam, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = dict(form.cleaned_data)
        people, units, programmes = d.pop("people"), d.pop("units"), d.pop("programmes")
        try:
            exam = services.exam_save(actor=request.user, exam=exam, people=people, units=units,
                                      programmes=programmes, **d)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Exam “%(title)s” saved.") % {"title": exam.title})
            return redirect("exams:exam-detail", pk=exam.pk)
    return render(request, "exams/exam_form.html", {"form": form, "exam": exam})


@role_required(*MANAGERS)
def exam_create(request):
    return _exam_form(request, None)


@role_required(*MANAGERS)
def exam_update(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    return _exam_form(request, Exam.objects.get(pk=exam.pk))


@role_required(*MANAGERS)
@require_POST
def exam_release(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    release = request.POST.get("release") == "1"
    services.exam_release(actor=request.user, exam=exam, release=release)
    messages.success(request, _("Results released to the candidates.") if release else _("Results withdrawn."))
    return redirect("exams:exam-detail", pk=pk)


# ---------------------------------------------------------------- candidates


@login_required
def my_exams(request):
    person = person_for_user(request.user)
    now = timezone.now()
    if person is not None:
        services.attempt_close_due(person=person, now=now)
    rows = []
    for exam in selectors.exams_for_candidate(request.user):
        attempts = list(Attempt.objects.filter(exam=exam, person=person).order_by("number"))
        open_attempt = next((a for a in attempts if a.status == AttemptStatus.IN_PROGRESS), None)
        can_start = (open_attempt is None and exam.opens_at <= now < exam.closes_at
                     and len(attempts) < exam.attempts_allowed)
        rows.append({"exam": exam, "attempts": attempts, "open_attempt": open_attempt, "can_start": can_start})
    from servicecoach.exams.models import Assessment, AssessmentCandidate

    mine = AssessmentCandidate.objects.filter(person=person).select_related("assessment") if person else []
    panels = Assessment.objects.filter(assessors=person) if person else []
    return render(request, "exams/my_exams.html", {"rows": rows, "now": now, "assessments": mine, "panels": panels})


@login_required
@require_POST
def exam_start(request, pk: int):
    exam = get_object_or_404(Exam, pk=pk)
    person = person_for_user(request.user)
    if not selectors.is_candidate(exam, person):
        raise Http404
    try:
        attempt = services.attempt_start(exam=exam, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exams:my-exams")
    return redirect("exams:attempt-take", pk=attempt.pk)


def _own_attempt_or_404(request, pk: int) -> Attempt:
    person = person_for_user(request.user)
    attempt = Attempt.objects.select_related("exam").filter(pk=pk, person=person).first() if person else None
    if attempt is None:
        raise Http404
    return attempt


def _item_view(item: AttemptItem) -> dict:
    """What the page shows for one item: options in the candidate's order under letters A, B..."""
    data = item.version.data
    view = {"item": item, "type": data["type"], "stem": data["stem"], "points": item.points, "answer": item.answer}
    if data["type"] in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        texts = {o["id"]: o["text"] for o in data["options"]}
        chosen = item.answer if isinstance(item.answer, list) else [item.answer]
        view["options"] = [{"id": oid, "letter": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i], "text": texts[oid],
                            "checked": oid in chosen} for i, oid in enumerate(item.option_order)]
    elif data["type"] == QuestionType.FILL_IN_BLANK:
        given = item.answer or []
        view["blanks"] = [given[i] if i < len(given) else "" for i in range(len(data["blanks"]))]
    return view


@login_required
def attempt_take(request, pk: int):
    attempt = _own_attempt_or_404(request, pk)
    services.attempt_close_due(exam=attempt.exam, person=attempt.person)
    attempt.refresh_from_db()
    if attempt.status != AttemptStatus.IN_PROGRESS:
        messages.info(request, _("This attempt has been submitted."))
        return redirect("exams:attempt-detail", pk=attempt.pk)
    items = [_item_view(i) for i in attempt.items.select_related("version")]
    return render(request, "exams/attempt_take.html", {
        "attempt": attempt, "exam": attempt.exam, "items": items,
        "per_question": attempt.exam.layout == Layout.PER_QUESTION,
        "remaining": max(0, int((attempt.deadline - timezone.now()).total_seconds())),
        "state": {"saveUrl": reverse("exams:attempt-answer", args=[attempt.pk]),
                  "storageKey": f"servicecoach-attempt-{attempt.pk}",
                  "revisions": {str(i["item"].position): i["item"].client_time for i in items}},
    })


@login_required
@require_POST
def attempt_answer(request, pk: int):
    """Autosave of one answer: JSON {position, answer, client_time}; answers JSON with the stored state."""
    try:
        body = json.loads(request.body or b"{}")
        position = int(body["position"])
        client_time = int(body.get("client_time") or 0)
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "error": _("The request must be JSON with position, answer and client_time.")},
                            status=400)
    try:
        # one locking query checks the owner, the attempt's state and the item (the hot path under load)
        result = services.answer_save(attempt=pk, position=position, answer=body.get("answer"),
                                      client_time=client_time, user_id=request.user.pk)
    except services.AttemptNotFound:
        raise Http404 from None
    except services.AnswerRefused as error:
        return JsonResponse({"ok": False, "error": " ".join(error.messages)}, status=409)
    return JsonResponse({"ok": True, "applied": result.applied, "revision": result.revision,
                         "answer": result.answer, "client_time": result.client_time})


@login_required
@require_POST
def attempt_submit(request, pk: int):
    attempt = _own_attempt_or_404(request, pk)
    services.attempt_submit(attempt=attempt)
    messages.success(request, _("Your answers have been submitted."))
    return redirect("exams:attempt-detail", pk=attempt.pk)


@login_required
def attempt_detail(request, pk: int):
    attempt = selectors.attempts_visible_to(request.user).filter(pk=pk).first()
    if attempt is None:
        raise Http404
    own = attempt.person.user_id == request.user.pk
    manager = selectors.can_manage(request.user)
    show_marks = manager or attempt.exam.released
    items = []
    if show_marks:
        for item in attempt.items.select_related("version"):
            view = _item_view(item)
            view["explanation_text"] = item.version.data.get("explanation", "")
            view["correct"] = _correct_answer_text(item)
            items.append(view)
    return render(request, "exams/attempt_detail.html", {
        "attempt": attempt, "items": items, "show_marks": show_marks, "own": own, "manager": manager,
    })


def _correct_answer_text(item: AttemptItem) -> str:
    q = item.version.to_engine()
    row = dict(zip(importers.EXCEL_COLUMNS, importers._question_row(q)))
    if item.option_order:
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        correct = {o["id"] for o in item.version.data["options"] if o.get("correct")}
        return "".join(letters[i] for i, oid in enumerate(item.option_order) if oid in correct)
    return row["正确答案"]


@role_required(*selectors.RESULT_VIEWERS)
def result_list(request):
    attempts = selectors.attempts_visible_to(request.user).exclude(status=AttemptStatus.IN_PROGRESS)
    exam_id = request.GET.get("exam", "")
    if exam_id.isdigit():
        attempts = attempts.filter(exam_id=int(exam_id))
    attempts = attempts.order_by("-submitted_at")
    return render(request, "exams/result_list.html", {
        "page": Paginator(attempts, PAGE_SIZE).get_page(request.GET.get("page")),
        "exams": Exam.objects.filter(pk__in=attempts.values("exam_id")), "exam_id": exam_id,
    })


# ---------------------------------------------------------------- marking


@role_required(*MANAGERS)
def marking_queue(request):
    items = selectors.marking_queue()
    return render(request, "exams/marking_queue.html", {
        "page": Paginator(items, PAGE_SIZE).get_page(request.GET.get("page")),
    })


@role_required(*MANAGERS)
def item_mark(request, pk: int):
    item = get_object_or_404(AttemptItem.objects.select_related("attempt", "attempt__person", "attempt__exam",
                                                                  "version", "version__question"), pk=pk)
    q = item.version.to_engine()
    is_essay = q.type.value == QuestionType.ESSAY
    form = (EssayScoreForm if is_essay and not q.rubric else ReviewForm)(request.POST or None)
    if is_essay and q.rubric:
        form = None
    error = None
    if request.method == "POST":
        try:
            if is_essay and q.rubric:
                levels = {c.id: request.POST.get(f"level_{c.id}", "") for c in q.rubric}
                services.item_mark_essay(actor=request.user, item=item, levels=levels)
            elif is_essay:
                if not form.is_valid():
                    raise ValidationError(_("Give a score."))
                services.item_mark_essay(actor=request.user, item=item, levels={"score": str(form.cleaned_data["score"])})
            else:
                if not form.is_valid():
                    raise ValidationError(_("Give an adjustment and a reason."))
                services.item_review(actor=request.user, item=item, adjustment=form.cleaned_data["adjustment"],
                                     reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Mark saved."))
            nxt = selectors.marking_queue().exclude(pk=item.pk).first()
            return redirect("exams:item-mark", pk=nxt.pk) if nxt else redirect("exams:marking-queue")
    found = key_points_found(q, item.answer or "") if q.type.value == QuestionType.SHORT_ANSWER else None
    return render(request, "exams/item_mark.html", {
        "item": item, "question": q, "form": form, "error": error, "found": found,
        "key_points": {kp.id: kp for kp in getattr(q, "key_points", ())},
        "is_essay": is_essay,
    })

