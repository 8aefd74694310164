"""Training pages through Django's test client: scope, files, quiz flow, report and its Excel export."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from tests.training.helpers import right_answers, wrong_answers

from servicecoach.org.models import Role
from servicecoach.training import services
from servicecoach.training.models import Enrolment, LessonProgress, ProgressStatus, QuizAttempt


def login(client, person):
    client.force_login(person.user)
    return client


@pytest.fixture
def path(course):
    path = services.path_create(actor=None, code="P-ETQ", title="礼仪路径", due_days=30)
    services.path_course_add(actor=None, path=path, course=course.course)
    return path


def test_agent_sees_only_courses_of_their_paths(client, make_person, course, path):
    enrolled, other = make_person(Role.AGENT), make_person(Role.AGENT)
    services.enrol(actor=None, person=enrolled, path=path)
    url = reverse("training:lesson-detail", args=[course.micro.pk])
    assert login(client, enrolled).get(url).status_code == 200
    assert login(client, other).get(url).status_code == 404
    assert "服务礼仪" not in login(client, other).get(reverse("training:course-list")).content.decode()


def test_draft_course_is_hidden_from_learners_even_when_enrolled(client, make_person, course, path):
    person = make_person(Role.AGENT)
    services.enrol(actor=None, person=person, path=path)
    services.course_set_published(actor=None, course=course.course, published=False)
    assert login(client, person).get(reverse("training:course-detail", args=[course.course.pk])).status_code == 404


def test_quiz_flow_completes_the_lesson_and_shows_on_my_learning(client, make_person, course, path):
    person = make_person(Role.AGENT)
    services.enrol(actor=None, person=person, path=path)
    login(client, person)
    response = client.get(reverse("training:my-learning"))
    assert course.micro.title in response.content.decode()  # the next lesson
    assert client.post(reverse("training:lesson-read", args=[course.micro.pk])).url == reverse(
        "training:lesson-quiz", args=[course.micro.pk])
    data = {f"q{q}": [str(c) for c in choices] for q, choices in wrong_answers(course.micro).items()}
    page = client.post(reverse("training:lesson-quiz", args=[course.micro.pk]), data).content.decode()
    assert "尚未通过" in page
    assert 'class="right"' not in page and page.count("答错") == 2  # which were wrong, not the answers
    data = {f"q{q}": [str(c) for c in choices] for q, choices in right_answers(course.micro).items()}
    page = client.post(reverse("training:lesson-quiz", args=[course.micro.pk]), data).content.decode()
    assert "本课时已完成" in page
    assert 'class="right"' in page  # after a pass the answers are shown
    assert LessonProgress.objects.get(person=person, lesson=course.micro).status == ProgressStatus.COMPLETED
    assert QuizAttempt.objects.filter(person=person).count() == 2
    page = client.get(reverse("training:my-learning")).content.decode()
    assert "50%" in page  # one of the course's two lessons


def test_unanswered_quiz_comes_back_with_the_question_number(client, make_person, course, path):
    person = make_person(Role.AGENT)
    services.enrol(actor=None, person=person, path=path)
    page = login(client, person).post(reverse("training:lesson-quiz", args=[course.micro.pk]), {}).content.decode()
    assert "尚未作答：1, 2" in page
    assert not QuizAttempt.objects.exists()


def test_locked_lesson_redirects_to_its_course(client, make_person, course, path):
    later = services.course_create(actor=None, code="C-2", title="进阶")
    module = services.module_create(actor=None, course=later, title="流程", topic="process")
    lesson = services.lesson_create(actor=None, module=module, title="进阶课", body="x", minutes=10)
    services.course_set_published(actor=None, course=later, published=True)
    services.path_course_add(actor=None, path=path, course=later, prerequisites=[course.course])
    person = make_person(Role.AGENT)
    services.enrol(actor=None, person=person, path=path)
    response = login(client, person).get(reverse("training:lesson-detail", args=[lesson.pk]))
    assert response.status_code == 302 and response.url == reverse("training:course-detail", args=[later.pk])
    page = client.get(response.url).content.decode()
    assert "尚需完成" in page and "服务礼仪" in page
    assert not LessonProgress.objects.filter(person=person, lesson=lesson).exists()


def _upload(course, content=b"0123456789" * 10, name="intro.mp4", kind="video"):
    return services.lesson_file_add(actor=None, lesson=course.micro, kind=kind, title="介绍",
                                    upload=SimpleUploadedFile(name, content))


def test_lesson_file_is_served_only_to_people_who_may_see_the_lesson(client, make_person, course, path):
    item = _upload(course)
    enrolled, other = make_person(Role.AGENT), make_person(Role.AGENT)
    services.enrol(actor=None, person=enrolled, path=path)
    url = reverse("training:lesson-file", args=[item.pk])
    response = login(client, enrolled).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"0123456789" * 10
    assert response["Content-Type"] == "video/mp4" and response["Accept-Ranges"] == "bytes"
    assert login(client, other).get(url).status_code == 404
    # and there is no public address for stored files
    assert login(client, enrolled).get(settings.MEDIA_URL + item.file.name).status_code == 404


def test_lesson_file_answers_byte_ranges(client, make_person, course, path):
    item = _upload(course)
    person = make_person(Role.AGENT)
    services.enrol(actor=None, person=person, path=path)
    login(client, person)
    url = reverse("training:lesson-file", args=[item.pk])
    response = client.get(url, HTTP_RANGE="bytes=10-19")
    assert response.status_code == 206
    assert response.content == b"0123456789"
    assert response["Content-Range"] == "bytes 10-19/100"
    response = client.get(url, HTTP_RANGE="bytes=-5")
    assert response.status_code == 206 and response.content == b"56789"
    assert client.get(url, HTTP_RANGE="bytes=200-").status_code == 416


def test_trainer_uploads_through_the_page_and_a_wrong_file_is_named(client, make_person, course):
    trainer = make_person(Role.TRAINER)
    login(client, trainer)
    url = reverse("training:lesson-file-upload", args=[course.micro.pk])
    response = client.post(url, {"kind": "pdf", "upload": SimpleUploadedFile("virus.exe", b"MZ")}, follow=True)
    assert "virus.exe" in response.content.decode()
    assert not course.micro.files.exists()
    client.post(url, {"kind": "pdf", "title": "讲义", "upload": SimpleUploadedFile("notes.pdf", b"%PDF-1.4")})
    assert course.micro.files.get().title == "讲义"


def test_enrol_form_names_unknown_employee_numbers_and_enrols_nobody(client, make_person, course, path):
    manager = make_person(Role.TRAINING_MANAGER)
    agent = make_person(Role.AGENT, employee_no="A100")
    page = login(client, manager).post(reverse("training:path-enrol", args=[path.pk]),
                                       {"employee_numbers": "A100, NOPE1"}).content.decode()
    assert "NOPE1" in page
    assert not Enrolment.objects.filter(person=agent).exists()
    client.post(reverse("training:path-enrol", args=[path.pk]), {"employee_numbers": "A100"})
    assert Enrolment.objects.filter(person=agent, path=path).exists()


def test_supervisor_report_covers_only_their_units(client, org, make_person, course, path):
    supervisor = make_person(Role.SUPERVISOR, unit=org.pre, scope=org.pre)
    mine, theirs = make_person(Role.AGENT, unit=org.pre), make_person(Role.AGENT, unit=org.aft)
    for person in (mine, theirs):
        services.enrol(actor=None, person=person, path=path)
    services.quiz_submit(person=mine, lesson=course.micro, answers=right_answers(course.micro))
    services.quiz_submit(person=mine, lesson=course.micro, answers=wrong_answers(course.micro))
    page = login(client, supervisor).get(reverse("training:report")).content.decode()
    assert "售前组" in page and "售后组" not in page
    assert "50.0%" in page  # one pass out of two attempts


def test_report_lists_overdue_learners_and_exports_them(client, org, make_person, course, path):
    manager = make_person(Role.TRAINING_MANAGER, unit=org.trn)
    late = make_person(Role.AGENT, unit=org.pre, name="逾期学员")

    services.enrol(actor=None, person=late, path=path, on=datetime.date.today() - datetime.timedelta(days=40))
    page = login(client, manager).get(reverse("training:report")).content.decode()
    assert "逾期学员" in page
    response = client.get(reverse("training:report-export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    units, overdue = book.worksheets
    assert [c.value for c in units[2]][:4] == ["售前组", 1, 1, 0]
    row = [c.value for c in overdue[2]]
    assert row[:4] == ["售前组", late.employee_no, "逾期学员", "礼仪路径"]
    assert row[6] == 10  # 40 days ago with 30 days to complete


def test_material_change_through_the_page_and_the_rereads_page(client, org, make_person, course):
    trainer = make_person(Role.TRAINER, unit=org.trn)
    learner = make_person(Role.AGENT, unit=org.pre, name="重学者")
    services.quiz_submit(person=learner, lesson=course.micro, answers=right_answers(course.micro))
    login(client, trainer)
    response = client.post(reverse("training:lesson-update", args=[course.micro.pk]), {
        "title": "开场白", "minutes": 15, "is_micro": "on", "body": "新版", "material_change": "on", "note": ""})
    assert "请说明变更内容" in response.content.decode()
    client.post(reverse("training:lesson-update", args=[course.micro.pk]), {
        "title": "开场白", "minutes": 15, "is_micro": "on", "body": "新版", "material_change": "on",
        "note": "新增报工号"})
    page = client.get(reverse("training:lesson-rereads", args=[course.micro.pk])).content.decode()
    assert "重学者" in page and "尚未完成" in page
    assert "新增报工号" in page


def test_trainer_previewing_a_lesson_leaves_no_progress(client, org, make_person, course):
    trainer = make_person(Role.TRAINER, unit=org.trn)
    page = login(client, trainer).get(reverse("training:lesson-detail", args=[course.micro.pk])).content.decode()
    assert "添加题目" in page  # the quiz editor
    assert not LessonProgress.objects.filter(person=trainer).exists()


def test_supervisor_follows_a_learner_of_their_team_only(client, org, make_person, course, path):
    supervisor = make_person(Role.SUPERVISOR, unit=org.pre, scope=org.pre)
    mine, theirs = make_person(Role.AGENT, unit=org.pre, name="本组学员"), make_person(Role.AGENT, unit=org.aft)
    services.enrol(actor=None, person=mine, path=path)
    login(client, supervisor)
    page = client.get(reverse("training:person-learning", args=[mine.pk])).content.decode()
    assert "本组学员" in page and "礼仪路径" in page
    assert 'id="next-lesson"' not in page  # not a link to study in someone else's name
    assert client.get(reverse("training:person-learning", args=[theirs.pk])).status_code == 404
    assert login(client, mine).get(reverse("training:person-learning", args=[theirs.pk])).status_code == 404


def test_report_filtered_by_path_counts_only_that_path(client, org, make_person, course, path):
    manager = make_person(Role.TRAINING_MANAGER, unit=org.trn)
    other_path = services.path_create(actor=None, code="P-OTHER", title="其他路径")
    learner = make_person(Role.AGENT, unit=org.pre)
    services.enrol(actor=None, person=learner, path=path)
    services.enrol(actor=None, person=learner, path=other_path)
    services.quiz_submit(person=learner, lesson=course.micro, answers=right_answers(course.micro))
    login(client, manager)

    def sheet(**params):
        response = client.get(reverse("training:report-export"), params)
        return [c.value for c in load_workbook(BytesIO(response.content)).worksheets[0][2]][:8]

    assert sheet() == ["售前组", 1, 2, 0, 0.0, 1, 1, 100.0]  # both enrolments, the one attempt
    assert sheet(path=path.pk) == ["售前组", 1, 1, 0, 0.0, 1, 1, 100.0]
    assert sheet(path=other_path.pk) == ["售前组", 1, 1, 0, 0.0, 0, 0, None]  # no attempt on its courses
    assert client.get(reverse("training:report"), {"path": other_path.pk}).status_code == 200
