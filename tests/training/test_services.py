"""Courses, lessons, quizzes, paths, enrolment and re-reads, through training.services on a real database."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from tests.training.helpers import add_single, right_answers, wrong_answers

from servicecoach.org import services as org_services
from servicecoach.org.importing import people_import
from servicecoach.org.models import AuditEntry, Level, Role
from servicecoach.training import selectors, services
from servicecoach.training.models import (
    Enrolment,
    EnrolmentSource,
    LessonProgress,
    LessonVersion,
    ModuleKind,
    ModuleTopic,
    ProgressStatus,
    QuestionKind,
    RereadTask,
)


def test_module_kind_follows_its_topic(course):
    module = services.module_create(actor=None, course=course.course, title="CRM", topic=ModuleTopic.TOOLS)
    assert module.kind == ModuleKind.SPECIALIST
    assert course.module.kind == ModuleKind.GENERAL


@pytest.mark.parametrize("minutes", [14, 21])
def test_micro_lesson_outside_15_to_20_minutes_is_refused(course, minutes):
    with pytest.raises(ValidationError) as info:
        services.lesson_create(actor=None, module=course.module, title="太长", body="x", minutes=minutes,
                               is_micro=True)
    assert "minutes" in info.value.error_dict
    assert "15" in str(info.value)


def test_lesson_body_is_sanitised(course):
    lesson = services.lesson_create(actor=None, module=course.module, title="安全", minutes=5,
                                    body='<p onclick="steal()">看<script>alert(1)</script><a href="javascript:x()">链接</a></p>')
    assert "script" not in lesson.body
    assert "onclick" not in lesson.body
    assert "javascript" not in lesson.body
    assert lesson.body.startswith("<p>看<a")


def test_micro_lesson_without_quiz_blocks_publishing(course):
    services.lesson_create(actor=None, module=course.module, title="新微课", body="x", minutes=18, is_micro=True)
    services.course_set_published(actor=None, course=course.course, published=False)
    with pytest.raises(ValidationError) as info:
        services.course_set_published(actor=None, course=course.course, published=True)
    assert "新微课" in str(info.value)
    course.course.refresh_from_db()
    assert not course.course.published


def test_single_choice_needs_exactly_one_correct_answer(course):
    with pytest.raises(ValidationError) as info:
        services.quiz_question_add(actor=None, lesson=course.plain, kind=QuestionKind.SINGLE, text="?",
                                   choices=[("a", True), ("b", True)])
    assert "2" in str(info.value)
    assert not hasattr(course.plain, "quiz") or not course.plain.quiz.questions.exists()


def test_multiple_choice_is_all_or_nothing(make_person, course):
    person = make_person(Role.AGENT)
    question = services.quiz_question_add(actor=None, lesson=course.plain, kind=QuestionKind.MULTIPLE,
                                          text="哪些是礼貌用语？", choices=[("您好", True), ("请", True), ("喂", False)])
    every_box = {question.pk: [c.pk for c in question.choices.all()]}
    attempt = services.quiz_submit(person=person, lesson=course.plain, answers=every_box)
    assert attempt.score == 0 and not attempt.passed
    attempt = services.quiz_submit(person=person, lesson=course.plain, answers=right_answers(course.plain))
    assert attempt.score == 100 and attempt.passed


def test_unanswered_question_is_named(make_person, course):
    person = make_person(Role.AGENT)
    answers = right_answers(course.micro)
    answers.pop(next(iter(answers)))
    with pytest.raises(ValidationError) as info:
        services.quiz_submit(person=person, lesson=course.micro, answers=answers)
    assert "1" in str(info.value)
    assert not LessonProgress.objects.filter(person=person, status=ProgressStatus.COMPLETED).exists()


def test_forged_choice_of_another_question_counts_for_nothing(make_person, course):
    person = make_person(Role.AGENT)
    first, second = course.micro.quiz.questions.all()
    right_of_second = [c.pk for c in second.choices.all() if c.correct]
    with pytest.raises(ValidationError):
        services.quiz_submit(person=person, lesson=course.micro, answers={first.pk: right_of_second,
                                                                          second.pk: right_of_second})


def test_reading_a_lesson_with_quiz_does_not_complete_it_until_passed(make_person, course):
    person = make_person(Role.AGENT)
    progress = services.lesson_mark_read(person=person, lesson=course.micro)
    assert progress.status == ProgressStatus.READ
    failed = services.quiz_submit(person=person, lesson=course.micro, answers=wrong_answers(course.micro))
    assert not failed.passed
    assert LessonProgress.objects.get(person=person, lesson=course.micro).status == ProgressStatus.READ
    passed = services.quiz_submit(person=person, lesson=course.micro, answers=right_answers(course.micro))
    assert passed.passed
    progress = LessonProgress.objects.get(person=person, lesson=course.micro)
    assert progress.status == ProgressStatus.COMPLETED and progress.completed_version == course.micro.version


def test_reading_a_lesson_without_quiz_completes_it(make_person, course):
    person = make_person(Role.AGENT)
    assert services.lesson_mark_read(person=person, lesson=course.plain).status == ProgressStatus.COMPLETED


def _path_of_two(course, second_title="售后流程"):
    path = services.path_create(actor=None, code="P-NEW", title="新人路径", role=Role.AGENT, level=Level.JUNIOR)
    services.path_course_add(actor=None, path=path, course=course.course)
    second = services.course_create(actor=None, code="C-AFT", title=second_title)
    module = services.module_create(actor=None, course=second, title="退换货", topic=ModuleTopic.PROCESS)
    lesson = services.lesson_create(actor=None, module=module, title="退货流程", body="x", minutes=20)
    services.course_set_published(actor=None, course=second, published=True)
    services.path_course_add(actor=None, path=path, course=second, prerequisites=[course.course], due_days=14)
    return path, second, lesson


def test_course_is_locked_until_its_prerequisites_are_completed(make_person, course):
    person = make_person(Role.AGENT)
    path, second, _lesson = _path_of_two(course)
    services.enrol(actor=None, person=person, path=path)
    assert selectors.locked_course_ids(person) == {second.pk}
    services.quiz_submit(person=person, lesson=course.micro, answers=right_answers(course.micro))
    assert selectors.locked_course_ids(person) == {second.pk}  # one lesson of the first course left
    services.lesson_mark_read(person=person, lesson=course.plain)
    assert selectors.locked_course_ids(person) == set()


def test_prerequisite_must_already_be_on_the_path(course):
    path = services.path_create(actor=None, code="P-X", title="路径")
    other = services.course_create(actor=None, code="C-OTHER", title="其他")
    with pytest.raises(ValidationError) as info:
        services.path_course_add(actor=None, path=path, course=other, prerequisites=[course.course])
    assert "prerequisites" in info.value.error_dict
    assert not path.steps.exists()


def test_enrolment_completes_when_every_course_is_completed(make_person, course):
    person = make_person(Role.AGENT)
    path, _second, last_lesson = _path_of_two(course)
    enrolment, created = services.enrol(actor=None, person=person, path=path)
    assert created
    services.quiz_submit(person=person, lesson=course.micro, answers=right_answers(course.micro))
    services.lesson_mark_read(person=person, lesson=course.plain)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    services.lesson_mark_read(person=person, lesson=last_lesson)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_enrolling_twice_is_idempotent(make_person, course):
    person = make_person(Role.AGENT)
    path = services.path_create(actor=None, code="P-1", title="路径")
    assert services.enrol(actor=None, person=person, path=path)[1] is True
    assert services.enrol(actor=None, person=person, path=path)[1] is False
    assert Enrolment.objects.filter(person=person, path=path).count() == 1


def test_enrol_unit_takes_the_units_below_and_only_active_people(org, make_person):
    path = services.path_create(actor=None, code="P-U", title="路径", due_days=10)
    inside = make_person(Role.AGENT, unit=org.pre)
    below = make_person(Role.AGENT, unit=org.aft)
    gone = make_person(Role.AGENT, unit=org.pre, status="left")
    outside = make_person(Role.AGENT, unit=org.trn)
    assert services.enrol_unit(actor=None, path=path, unit=org.cs) == 2
    enrolled = set(Enrolment.objects.filter(path=path).values_list("person_id", flat=True))
    assert enrolled == {inside.pk, below.pk}
    assert gone.pk not in enrolled and outside.pk not in enrolled
    enrolment = Enrolment.objects.get(person=inside)
    assert enrolment.source == EnrolmentSource.UNIT
    assert enrolment.due_on == enrolment.enrolled_on + datetime.timedelta(days=10)
    assert services.enrol_unit(actor=None, path=path, unit=org.cs) == 0


def test_new_person_with_the_role_is_enrolled_automatically(org, make_person, django_capture_on_commit_callbacks):
    path = services.path_create(actor=None, code="P-AUTO", title="新人必修", role=Role.AGENT, level=Level.JUNIOR,
                                auto_enrol=True, units=[org.cs])
    services.path_create(actor=None, code="P-SENIOR", title="高级", role=Role.AGENT, level=Level.SENIOR,
                         auto_enrol=True)
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = make_person(Role.AGENT, unit=org.pre)
    with django_capture_on_commit_callbacks(execute=True):
        trainer = make_person(Role.TRAINER, unit=org.trn)
    with django_capture_on_commit_callbacks(execute=True):
        elsewhere = make_person(Role.AGENT, unit=org.trn)
    assert list(Enrolment.objects.filter(person=newcomer).values_list("path__code", "source")) == [
        (path.code, EnrolmentSource.AUTO)]
    assert not Enrolment.objects.filter(person__in=[trainer, elsewhere]).exists()


def test_person_imported_without_the_role_then_granted_it_is_enrolled(org, make_person,
                                                                      django_capture_on_commit_callbacks):
    services.path_create(actor=None, code="P-AUTO", title="新人必修", role=Role.AGENT, auto_enrol=True)
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(None, unit=org.pre)
    assert not Enrolment.objects.filter(person=person).exists()
    with django_capture_on_commit_callbacks(execute=True):
        org_services.role_grant(actor=None, person=person, role=Role.AGENT)
    assert Enrolment.objects.filter(person=person, source=EnrolmentSource.AUTO).count() == 1


def test_material_change_asks_those_who_completed_to_reread_and_repass(make_person, course):
    done = make_person(Role.AGENT)
    started = make_person(Role.AGENT)
    services.quiz_submit(person=done, lesson=course.micro, answers=right_answers(course.micro))
    services.lesson_open(person=started, lesson=course.micro)

    created = services.lesson_update(actor=None, lesson=course.micro, title="开场白", body="<p>新版</p>",
                                     minutes=15, is_micro=True, standard_code="STD-OPEN", material_change=True,
                                     note="开场白增加工号")
    assert created == 1
    task = RereadTask.objects.get()
    assert (task.person, task.version, task.done_at) == (done, 2, None)
    assert LessonVersion.objects.filter(lesson=course.micro, material_change=True).count() == 1

    services.lesson_mark_read(person=done, lesson=course.micro)
    task.refresh_from_db()
    assert task.read_at is not None and task.done_at is None  # read, quiz still to pass again
    services.quiz_submit(person=done, lesson=course.micro, answers=wrong_answers(course.micro))
    task.refresh_from_db()
    assert task.done_at is None
    course.micro.refresh_from_db()
    services.quiz_submit(person=done, lesson=course.micro, answers=right_answers(course.micro))
    task.refresh_from_db()
    assert task.done_at is not None


def test_minor_change_sends_no_reread(make_person, course):
    person = make_person(Role.AGENT)
    services.quiz_submit(person=person, lesson=course.micro, answers=right_answers(course.micro))
    services.lesson_update(actor=None, lesson=course.micro, title="开场白", body="错别字", minutes=15, is_micro=True)
    assert not RereadTask.objects.exists()


def test_material_change_needs_a_note(course):
    with pytest.raises(ValidationError) as info:
        services.lesson_update(actor=None, lesson=course.micro, title="t", body="b", minutes=15, is_micro=True,
                               material_change=True, note=" ")
    assert "note" in info.value.error_dict
    course.micro.refresh_from_db()
    assert course.micro.version == 1


def test_daily_quiz_draws_from_recent_lessons_and_is_stable_for_the_day(make_person, course):
    person = make_person(Role.AGENT)
    assert services.daily_quiz_get_or_draw(person=person) is None  # nothing studied yet
    extra = services.lesson_create(actor=None, module=course.module, title="更多", body="x", minutes=16, is_micro=True)
    for i in range(6):
        add_single(extra, f"题{i}", "是", ("否",))
    services.lesson_open(person=person, lesson=course.micro)
    services.lesson_open(person=person, lesson=extra)
    daily = services.daily_quiz_get_or_draw(person=person)
    pool = set(course.micro.quiz.questions.values_list("pk", flat=True)) | set(
        extra.quiz.questions.values_list("pk", flat=True))
    assert len(daily.question_ids) == services.DAILY_QUIZ_QUESTIONS
    assert set(daily.question_ids) <= pool
    assert services.daily_quiz_get_or_draw(person=person).pk == daily.pk
    submitted = services.daily_quiz_submit(daily=daily, answers={
        q: [c for c in services.QuizChoice.objects.filter(question_id=q, correct=True).values_list("pk", flat=True)]
        for q in daily.question_ids})
    assert submitted.score == 100
    with pytest.raises(ValidationError):
        services.daily_quiz_submit(daily=daily, answers={})


def test_lessons_studied_long_ago_are_not_in_the_daily_pool(make_person, course):
    person = make_person(Role.AGENT)
    services.lesson_open(person=person, lesson=course.micro)
    later = datetime.date.today() + datetime.timedelta(days=services.DAILY_QUIZ_LOOKBACK_DAYS + 2)
    assert services.daily_quiz_pool(person, later) == []
    assert services.daily_quiz_pool(person, datetime.date.today())


def test_lesson_file_extension_must_fit_its_kind(course):
    with pytest.raises(ValidationError) as info:
        services.lesson_file_add(actor=None, lesson=course.micro, kind="video", title="",
                                 upload=SimpleUploadedFile("notes.exe", b"MZ"))
    assert "notes.exe" in str(info.value)
    assert not course.micro.files.exists()


def test_course_changes_are_audited(course):
    assert AuditEntry.objects.filter(object_type="training.course", object_id=str(course.course.pk)).count() >= 2


def test_path_cannot_end_before_one_of_its_courses_is_due(course):
    path = services.path_create(actor=None, code="P-D", title="路径", due_days=30)
    services.path_course_add(actor=None, path=path, course=course.course, due_days=20)
    with pytest.raises(ValidationError) as info:
        services.path_update(actor=None, path=path, due_days=10)
    assert "20" in str(info.value)
    path.refresh_from_db()
    assert path.due_days == 30
    services.path_update(actor=None, path=path, due_days=25, auto_enrol=True, active=False)
    path.refresh_from_db()
    assert (path.due_days, path.auto_enrol, path.active) == (25, True, False)
    assert AuditEntry.objects.filter(object_type="training.learningpath", action="update").exists()


def test_inactive_automatic_path_enrols_nobody(org, make_person, django_capture_on_commit_callbacks):
    path = services.path_create(actor=None, code="P-OFF", title="停用", role=Role.AGENT, auto_enrol=True)
    services.path_update(actor=None, path=path, active=False)
    with django_capture_on_commit_callbacks(execute=True):
        person = make_person(Role.AGENT)
    assert not Enrolment.objects.filter(person=person).exists()


def _people_xlsx(rows) -> bytes:
    book = Workbook()
    book.active.append(["工号", "姓名", "部门/团队编码", "入职日期", "级别", "角色", "状态", "邮箱", "手机", "登录名"])
    for row in rows:
        book.active.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def test_people_imported_from_excel_are_enrolled_on_joining_but_not_by_a_dry_run(org, transactional_db):
    services.path_create(actor=None, code="P-AUTO", title="新人必修", role=Role.AGENT, level=Level.JUNIOR,
                         auto_enrol=True)
    rows = [["N001", "新人甲", "CS-PRE", "2026-11-01", "初级", "客服", "在职", "", "", ""],
            ["N002", "老员工", "CS-PRE", "2020-01-01", "高级", "客服", "在职", "", "", ""]]
    assert people_import(actor=None, file=_people_xlsx(rows), dry_run=True).ok
    assert not Enrolment.objects.exists()
    report = people_import(actor=None, file=_people_xlsx(rows))
    assert report.ok, report.errors
    assert list(Enrolment.objects.values_list("person__employee_no", "source")) == [("N001", EnrolmentSource.AUTO)]


def test_lesson_with_progress_cannot_be_removed_but_an_untouched_one_can(make_person, course):
    services.lesson_open(person=make_person(Role.AGENT), lesson=course.micro)
    with pytest.raises(ValidationError) as info:
        services.lesson_delete(actor=None, lesson=course.micro)
    assert "开场白" in str(info.value)
    services.lesson_delete(actor=None, lesson=course.plain)
    assert list(course.module.lessons.values_list("title", flat=True)) == ["开场白"]


def test_only_an_empty_module_can_be_removed(course):
    with pytest.raises(ValidationError):
        services.module_delete(actor=None, module=course.module)
    empty = services.module_create(actor=None, course=course.course, title="空", topic=ModuleTopic.CULTURE)
    services.module_update(actor=None, module=empty, title="产品", topic=ModuleTopic.PRODUCT)
    empty.refresh_from_db()
    assert (empty.title, empty.kind) == ("产品", ModuleKind.SPECIALIST)
    services.module_delete(actor=None, module=empty)
    assert list(course.course.modules.all()) == [course.module]


def test_lessons_and_modules_move_up_and_down(course):
    third = services.lesson_create(actor=None, module=course.module, title="第三课", body="x", minutes=5)
    assert services.lesson_move(actor=None, lesson=third, direction="up")
    assert list(course.module.lessons.values_list("title", flat=True)) == ["开场白", "第三课", "结束语"]
    assert not services.lesson_move(actor=None, lesson=course.micro, direction="up")  # already first
    second = services.module_create(actor=None, course=course.course, title="第二模块", topic=ModuleTopic.TOOLS)
    services.module_move(actor=None, module=second, direction="up")
    assert list(course.course.modules.values_list("title", flat=True)) == ["第二模块", "礼貌用语"]
    with pytest.raises(ValidationError):
        services.module_move(actor=None, module=second, direction="sideways")
