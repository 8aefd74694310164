"""Training pages: my learning, courses and lessons, lesson quizzes and files, the daily quiz, learning paths,
the managers' report and its Excel export, re-read follow-up.

Thin: read through training.selectors (scoped to the user), write through training.services, render.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from servicecoach.core.forms import apply_service_errors as _apply_service_errors
from servicecoach.core.forms import flash_form_errors
from servicecoach.core.permissions import role_required
from servicecoach.org.models import Person
from servicecoach.org.selectors import person_for_user, user_has_role
from servicecoach.training import exporting, selectors, services
from servicecoach.training.forms import (
    CourseForm,
    EnrolForm,
    LessonFileForm,
    LessonForm,
    LessonUpdateForm,
    ModuleForm,
    PathCourseForm,
    PathForm,
    PathUpdateForm,
    QuestionForm,
    ReportFilterForm,
)
from servicecoach.training.models import (
    Course,
    DailyQuiz,
    LearningPath,
    LessonFile,
    LessonVersion,
    Module,
    QuizQuestion,
)
from servicecoach.training.selectors import COURSE_MANAGERS, REPORT_VIEWERS


def _learner_or_redirect(request) -> Person | None:
    person = person_for_user(request.user)
    if person is None:
        messages.info(request, _("This login is not linked to a person of the organisation, so it has no learning."))
    return person


def _visible_course_or_404(user, pk: int) -> Course:
    course = selectors.courses_visible_to(user).filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


def _visible_lesson_or_404(user, pk: int):
    lesson = selectors.lessons_visible_to(user).filter(pk=pk).first()
    if lesson is None:
        raise Http404
    return lesson


def _locked_for(user, lesson) -> bool:
    if selectors.can_manage_courses(user):
        return False
    person = person_for_user(user)
    return person is not None and lesson.module.course_id in selectors.locked_course_ids(person)


def _answers_from(request, questions) -> dict[int, list[str]]:
    return {q.pk: request.POST.getlist(f"q{q.pk}") for q in questions}


# ---------------------------------------------------------------- learners


@login_required
def my_learning(request):
    person = person_for_user(request.user)
    context = {"person": person, "can_manage": selectors.can_manage_courses(request.user),
               "can_report": user_has_role(request.user, *REPORT_VIEWERS)}
    if person is not None:
        context.update(selectors.my_learning(person))
    return render(request, "training/my_learning.html", context)


@login_required
def person_learning(request, pk: int):
    """One learner's learning as they see it, for the people who may follow them (404 for anyone else)."""
    person = selectors.learners_visible_to(request.user).filter(pk=pk).first()
    if person is None:
        raise Http404
    context = {"person": person, "viewing_other": person != person_for_user(request.user),
               "can_manage": selectors.can_manage_courses(request.user),
               "can_report": user_has_role(request.user, *REPORT_VIEWERS)}
    context.update(selectors.my_learning(person))
    return render(request, "training/my_learning.html", context)


@login_required
def daily_quiz(request):
    person = _learner_or_redirect(request)
    if person is None:
        return redirect("training:my-learning")
    daily = services.daily_quiz_get_or_draw(person=person)
    questions = []
    if daily is not None:
        questions = list(QuizQuestion.objects.filter(pk__in=daily.question_ids).prefetch_related("choices")
                         .order_by("pk"))
    error = None
    if request.method == "POST" and daily is not None:
        try:
            services.daily_quiz_submit(daily=daily, answers=_answers_from(request, questions))
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Daily quiz submitted."))
            return redirect("training:daily-quiz")
        daily = DailyQuiz.objects.get(pk=daily.pk)
    chosen = {int(k): set(v) for k, v in (daily.answers if daily else {}).items()}
    return render(request, "training/daily_quiz.html", {
        "daily": daily, "questions": questions, "chosen": chosen, "error": error,
        "lookback": services.DAILY_QUIZ_LOOKBACK_DAYS,
    })


# ---------------------------------------------------------------- courses


@login_required
def course_list(request):
    courses = selectors.courses_visible_to(request.user).order_by("code")
    return render(request, "training/course_list.html", {
        "courses": courses, "can_manage": selectors.can_manage_courses(request.user)})


@role_required(*COURSE_MANAGERS)
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.course_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Course “%(title)s” created.") % {"title": course.title})
            return redirect("training:course-detail", pk=course.pk)
    return render(request, "training/form.html", {"form": form, "title": _("New course"),
                                                  "back": "training:course-list"})


@role_required(*COURSE_MANAGERS)
def course_update(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = CourseForm(request.POST or None, initial={"code": course.code, "title": course.title,
                                                     "description": course.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.course_update(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Course saved."))
            return redirect("training:course-detail", pk=course.pk)
    return render(request, "training/form.html", {"form": form, "title": _("Edit course"), "course": course})


@login_required
def course_detail(request, pk: int):
    course = _visible_course_or_404(request.user, pk)
    can_manage = selectors.can_manage_courses(request.user)
    person = None if can_manage else person_for_user(request.user)
    locked = person is not None and course.pk in selectors.locked_course_ids(person)
    return render(request, "training/course_detail.html", {
        "course": course, "outline": selectors.course_outline(course, person), "can_manage": can_manage,
        "locked": locked, "module_form": ModuleForm() if can_manage else None,
        "missing": selectors.missing_prerequisites(person, course) if locked else [],
        "problems": services.course_publish_problems(course) if can_manage else [],
    })


@role_required(*COURSE_MANAGERS)
@require_POST
def course_publish(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    publish = request.POST.get("published") == "1"
    try:
        services.course_set_published(actor=request.user, course=course, published=publish)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Course published.") if publish else _("Course withdrawn from learners."))
    return redirect("training:course-detail", pk=course.pk)


@role_required(*COURSE_MANAGERS)
def module_create(request, pk: int):
    course = get_object_or_404(Course, pk=pk)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.module_create(actor=request.user, course=course, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Module added."))
            return redirect("training:course-detail", pk=course.pk)
    return render(request, "training/form.html", {"form": form, "title": _("New module"), "course": course})


@role_required(*COURSE_MANAGERS)
def module_update(request, pk: int):
    module = get_object_or_404(Module.objects.select_related("course"), pk=pk)
    form = ModuleForm(request.POST or None, initial={"title": module.title, "topic": module.topic})
    if request.method == "POST" and form.is_valid():
        try:
            services.module_update(actor=request.user, module=module, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Module saved."))
            return redirect("training:course-detail", pk=module.course_id)
    return render(request, "training/form.html", {"form": form, "title": _("Edit module"), "course": module.course,
                                                  "delete_url": reverse("training:module-delete", args=[module.pk])})


@role_required(*COURSE_MANAGERS)
@require_POST
def module_delete(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    course_pk = module.course_id
    try:
        services.module_delete(actor=request.user, module=module)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Module removed."))
    return redirect("training:course-detail", pk=course_pk)


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_delete(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    try:
        services.lesson_delete(actor=request.user, lesson=lesson)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("training:lesson-detail", pk=lesson.pk)
    messages.success(request, _("Lesson removed."))
    return redirect("training:course-detail", pk=lesson.module.course_id)


@role_required(*COURSE_MANAGERS)
@require_POST
def module_move(request, pk: int):
    module = get_object_or_404(Module, pk=pk)
    try:
        services.module_move(actor=request.user, module=module, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("training:course-detail", pk=module.course_id)


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_move(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    try:
        services.lesson_move(actor=request.user, lesson=lesson, direction=request.POST.get("direction", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("training:course-detail", pk=lesson.module.course_id)


# ---------------------------------------------------------------- lessons


@role_required(*COURSE_MANAGERS)
def lesson_create(request, pk: int):
    module = get_object_or_404(Module.objects.select_related("course"), pk=pk)
    form = LessonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.lesson_create(actor=request.user, module=module, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Lesson added."))
            return redirect("training:lesson-detail", pk=lesson.pk)
    return render(request, "training/form.html", {"form": form, "title": _("New lesson in “%(module)s”") % {
        "module": module.title}, "course": module.course})


@role_required(*COURSE_MANAGERS)
def lesson_update(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    form = LessonUpdateForm(request.POST or None, initial={
        "title": lesson.title, "minutes": lesson.minutes, "is_micro": lesson.is_micro,
        "standard_code": lesson.standard_code, "body": lesson.body})
    if request.method == "POST" and form.is_valid():
        try:
            created = services.lesson_update(actor=request.user, lesson=lesson, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Lesson saved as a new version."))
            if form.cleaned_data["material_change"]:
                messages.info(request, _("%(n)s people who had completed it are asked to re-read it.") % {"n": created})
            return redirect("training:lesson-detail", pk=lesson.pk)
    return render(request, "training/form.html", {"form": form, "title": _("Edit lesson"),
                                                  "course": lesson.module.course, "lesson": lesson,
                                                  "delete_url": reverse("training:lesson-delete", args=[lesson.pk])})


@login_required
def lesson_detail(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    if _locked_for(request.user, lesson):
        messages.warning(request, _("This course is locked until you complete its prerequisites."))
        return redirect("training:course-detail", pk=lesson.module.course_id)
    can_manage = selectors.can_manage_courses(request.user)
    person = person_for_user(request.user)
    # A course manager previewing a lesson is not learning it, unless the course is on one of their own paths.
    learning = person is not None and (not can_manage or selectors.is_enrolled_on_course(person, lesson.module.course))
    progress = services.lesson_open(person=person, lesson=lesson) if learning else None
    questions = list(QuizQuestion.objects.filter(quiz__lesson=lesson).prefetch_related("choices"))
    return render(request, "training/lesson_detail.html", {
        "lesson": lesson, "course": lesson.module.course, "progress": progress, "has_quiz": bool(questions),
        "questions": questions, "files": list(lesson.files.all()), "can_manage": can_manage,
        "can_report": user_has_role(request.user, *REPORT_VIEWERS),
        "file_form": LessonFileForm() if can_manage else None,
        "question_form": QuestionForm() if can_manage else None,
        "versions": list(LessonVersion.objects.filter(lesson=lesson)[:10]) if can_manage else [],
        "reread": person.reread_tasks.filter(lesson=lesson, done_at__isnull=True).first() if person else None,
    })


@login_required
@require_POST
def lesson_read(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    person = _learner_or_redirect(request)
    if person is None or _locked_for(request.user, lesson):
        return redirect("training:my-learning")
    progress = services.lesson_mark_read(person=person, lesson=lesson)
    if progress.status == "completed" and not services.lesson_has_quiz(lesson):
        messages.success(request, _("Lesson completed."))
        return redirect("training:my-learning")
    return redirect("training:lesson-quiz", pk=lesson.pk)


@login_required
def lesson_quiz(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    person = _learner_or_redirect(request)
    if person is None or _locked_for(request.user, lesson):
        return redirect("training:my-learning")
    questions = list(QuizQuestion.objects.filter(quiz__lesson=lesson).prefetch_related("choices"))
    if not questions:
        raise Http404
    attempt, error = None, None
    if request.method == "POST":
        try:
            attempt = services.quiz_submit(person=person, lesson=lesson, answers=_answers_from(request, questions))
        except ValidationError as exc:
            error = " ".join(exc.messages)
    chosen = {int(k): set(v) for k, v in attempt.answers.items()} if attempt else {
        q.pk: {int(c) for c in request.POST.getlist(f"q{q.pk}") if c.isdigit()} for q in questions}
    # After a failed attempt the learner learns which questions were wrong, not the right answers (they would
    # simply copy them into the retry); after a pass, the answers and explanations are shown.
    verdicts = {}
    if attempt is not None:
        verdicts = {q.pk: chosen.get(q.pk, set()) == {c.pk for c in q.choices.all() if c.correct} for q in questions}
    return render(request, "training/lesson_quiz.html", {
        "verdicts": verdicts,
        "lesson": lesson, "course": lesson.module.course, "questions": questions, "attempt": attempt,
        "error": error, "chosen": chosen, "pass_mark": lesson.quiz.pass_mark,
    })


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_question_add(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            services.quiz_question_add(actor=request.user, lesson=lesson, kind=form.cleaned_data["kind"],
                                       text=form.cleaned_data["text"], choices=form.parsed_choices(),
                                       explanation=form.cleaned_data["explanation"],
                                       pass_mark=form.cleaned_data["pass_mark"])
        except ValidationError as error:
            _apply_service_errors(form, error)
    if not flash_form_errors(request, form):
        messages.success(request, _("Question added."))
    return redirect("training:lesson-detail", pk=lesson.pk)


@role_required(*COURSE_MANAGERS)
def lesson_bank(request, pk: int):
    """Pick questions of the question bank (exams app) to copy into the lesson's quiz."""
    from servicecoach.exams.models import Question as BankQuestion

    lesson = _visible_lesson_or_404(request.user, pk)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("question") if i.isdigit()]
        chosen = list(BankQuestion.objects.filter(pk__in=ids, archived=False).order_by("pk"))
        if not chosen:
            messages.error(request, _("Tick at least one question."))
        else:
            versions = [q.versions.get(number=q.version) for q in chosen]
            added, skipped = services.quiz_questions_from_bank(actor=request.user, lesson=lesson, versions=versions)
            messages.success(request, _("%(n)s question(s) added to the quiz.") % {"n": added})
            for reason in skipped:
                messages.warning(request, reason)
            return redirect("training:lesson-detail", pk=lesson.pk)
    search = request.GET.get("q", "").strip()[:100]
    topic = request.GET.get("topic", "").strip()[:100]
    questions = BankQuestion.objects.filter(archived=False, qtype__in=list(services.BANK_KINDS))
    if search:
        questions = questions.filter(stem__icontains=search)
    if topic:
        questions = questions.filter(topic=topic)
    copied = set(QuizQuestion.objects.filter(quiz__lesson=lesson).exclude(bank_key="")
                 .values_list("bank_key", flat=True))
    topics = sorted(t for t in BankQuestion.objects.filter(archived=False).values_list("topic", flat=True)
                    .distinct() if t)
    return render(request, "training/lesson_bank.html", {
        "lesson": lesson, "course": lesson.module.course, "questions": questions.order_by("topic", "pk")[:200],
        "copied": copied, "search": search, "topic": topic, "topics": topics})


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_question_delete(request, pk: int, question_pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    question = get_object_or_404(QuizQuestion, pk=question_pk, quiz__lesson=lesson)
    services.quiz_question_delete(actor=request.user, question=question)
    messages.success(request, _("Question removed."))
    return redirect("training:lesson-detail", pk=lesson.pk)


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_file_upload(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    form = LessonFileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.lesson_file_add(actor=request.user, lesson=lesson, kind=form.cleaned_data["kind"],
                                     title=form.cleaned_data["title"], upload=form.cleaned_data["upload"])
        except ValidationError as error:
            _apply_service_errors(form, error)
    if not flash_form_errors(request, form):
        messages.success(request, _("File added."))
    return redirect("training:lesson-detail", pk=lesson.pk)


@role_required(*COURSE_MANAGERS)
@require_POST
def lesson_file_delete(request, pk: int):
    item = get_object_or_404(LessonFile, pk=pk, lesson__in=selectors.lessons_visible_to(request.user))
    lesson_pk = item.lesson_id
    services.lesson_file_delete(actor=request.user, item=item)
    messages.success(request, _("File removed."))
    return redirect("training:lesson-detail", pk=lesson_pk)


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


@login_required
def lesson_file(request, pk: int):
    """Serve a lesson's file to someone who may see the lesson (404 otherwise), with single byte ranges so
    that video can be sought."""
    item = get_object_or_404(LessonFile, pk=pk, lesson__in=selectors.lessons_visible_to(request.user))
    if _locked_for(request.user, item.lesson):
        raise PermissionDenied
    handle = item.file.storage.open(item.file.name, "rb")
    size = item.file.storage.size(item.file.name)
    match = _RANGE.match(request.headers.get("Range", "").strip())
    if match and (match.group(1) or match.group(2)):
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        else:
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            handle.close()
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        handle.seek(start)
        data = handle.read(end - start + 1)
        handle.close()
        response = HttpResponse(data, status=206, content_type=item.content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(handle, content_type=item.content_type)
        response["Content-Length"] = str(size)
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private"
    inline = item.kind in ("video", "pdf")
    response["Content-Disposition"] = ("inline" if inline else "attachment") + \
        f"; filename*=UTF-8''{quote(item.file.name.rsplit('/', 1)[-1])}"
    return response


# ---------------------------------------------------------------- re-reads


@role_required(*REPORT_VIEWERS)
def reread_list(request):
    return render(request, "training/reread_list.html", {"lessons": selectors.reread_overview(user=request.user)})


@role_required(*REPORT_VIEWERS)
def lesson_rereads(request, pk: int):
    lesson = _visible_lesson_or_404(request.user, pk)
    tasks = selectors.reread_status(user=request.user, lesson=lesson)
    return render(request, "training/lesson_rereads.html", {
        "lesson": lesson, "course": lesson.module.course, "tasks": tasks,
        "done": sum(1 for t in tasks if t.done_at), "versions": LessonVersion.objects.filter(
            lesson=lesson, material_change=True)})


# ---------------------------------------------------------------- paths


@login_required
def path_list(request):
    return render(request, "training/path_list.html", {
        "paths": selectors.paths_visible_to(request.user).distinct().order_by("code"),
        "can_manage": selectors.can_manage_courses(request.user)})


@role_required(*COURSE_MANAGERS)
def path_create(request):
    form = PathForm(request.POST or None, units=selectors.report_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            path = services.path_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Learning path created; now add its courses."))
            return redirect("training:path-detail", pk=path.pk)
    return render(request, "training/form.html", {"form": form, "title": _("New learning path"),
                                                  "back": "training:path-list"})


@role_required(*COURSE_MANAGERS)
def path_update(request, pk: int):
    path = get_object_or_404(LearningPath, pk=pk)
    initial = {name: getattr(path, name) for name in services.PATH_FIELDS}
    initial["units"] = list(path.units.all())
    form = PathUpdateForm(request.POST or None, initial=initial, units=selectors.report_units(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.path_update(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Learning path saved."))
            return redirect("training:path-detail", pk=path.pk)
    return render(request, "training/form.html", {"form": form, "title": _("Edit learning path"),
                                                  "back": "training:path-list"})


def _path_forms(request, path, course_form=None, enrol_form=None):
    on_path = [s.course_id for s in path.steps.all()]
    return {
        "course_form": course_form or PathCourseForm(courses=Course.objects.exclude(pk__in=on_path),
                                                     earlier=Course.objects.filter(pk__in=on_path)),
        "enrol_form": enrol_form or EnrolForm(units=selectors.report_units(request.user)),
    }


@login_required
def path_detail(request, pk: int):
    path = get_object_or_404(selectors.paths_visible_to(request.user).distinct(), pk=pk)
    can_manage = selectors.can_manage_courses(request.user)
    enrolments = path.enrolments.filter(person__in=selectors.learners_visible_to(request.user)).select_related(
        "person__unit", "path")
    context = {"path": path, "steps": path.steps.select_related("course").prefetch_related("prerequisites"),
               "can_manage": can_manage, "today": timezone.localdate(),
               "statuses": selectors.path_statuses(enrolments.order_by("person__employee_no"))}
    if can_manage:
        context.update(_path_forms(request, path))
    return render(request, "training/path_detail.html", context)


@role_required(*COURSE_MANAGERS)
@require_POST
def path_course_add(request, pk: int):
    path = get_object_or_404(selectors.paths_visible_to(request.user).distinct(), pk=pk)
    on_path = [s.course_id for s in path.steps.all()]
    form = PathCourseForm(request.POST, courses=Course.objects.exclude(pk__in=on_path),
                          earlier=Course.objects.filter(pk__in=on_path))
    if form.is_valid():
        try:
            services.path_course_add(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            _apply_service_errors(form, error)
        else:
            messages.success(request, _("Course added to the path."))
            return redirect("training:path-detail", pk=path.pk)
    return _path_detail_with(request, path, course_form=form)


@role_required(*COURSE_MANAGERS)
@require_POST
def path_enrol(request, pk: int):
    path = get_object_or_404(selectors.paths_visible_to(request.user).distinct(), pk=pk)
    form = EnrolForm(request.POST, units=selectors.report_units(request.user))
    if form.is_valid():
        numbers = form.cleaned_data["numbers"]
        visible = selectors.learners_visible_to(request.user)
        people = list(visible.filter(employee_no__in=numbers))
        unknown = sorted(set(numbers) - {p.employee_no for p in people})
        if unknown:
            form.add_error("employee_numbers", _("No person you can see has the employee number(s): %(numbers)s.")
                           % {"numbers": ", ".join(unknown)})
        else:
            created = services.enrol_people(actor=request.user, path=path, people=people)
            if form.cleaned_data.get("unit"):
                created += services.enrol_unit(actor=request.user, path=path, unit=form.cleaned_data["unit"])
            messages.success(request, _("%(n)s new enrolment(s); people already enrolled were left as they were.")
                             % {"n": created})
            return redirect("training:path-detail", pk=path.pk)
    return _path_detail_with(request, path, enrol_form=form)


def _path_detail_with(request, path, **forms):
    enrolments = path.enrolments.filter(person__in=selectors.learners_visible_to(request.user)).select_related(
        "person__unit", "path")
    context = {"path": path, "steps": path.steps.select_related("course").prefetch_related("prerequisites"),
               "can_manage": True, "today": timezone.localdate(),
               "statuses": selectors.path_statuses(enrolments.order_by("person__employee_no"))}
    context.update(_path_forms(request, path, **forms))
    return render(request, "training/path_detail.html", context)


# ---------------------------------------------------------------- report


def _report_rows(request):
    form = ReportFilterForm(request.GET or None, units=selectors.report_units(request.user))
    data = form.cleaned_data if form.is_valid() else {}
    return form, selectors.learning_report(user=request.user, unit=data.get("unit"), path=data.get("path"))


@role_required(*REPORT_VIEWERS)
def report(request):
    form, rows = _report_rows(request)
    return render(request, "training/report.html", {"form": form, "rows": rows, "today": timezone.localdate(),
                                                    "query": request.GET.urlencode()})


@role_required(*REPORT_VIEWERS)
def report_export(request):
    _form, rows = _report_rows(request)
    content = exporting.report_workbook(rows, today=timezone.localdate())
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="learning-report-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
