"""Needs analysis, second part: what the exams show (low exam topics per unit) feeds the survey, and from the
report a manager creates a learning path (training app) or a classroom session in one step, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.programmes.conftest import future_start
from tests.programmes.exam_helpers import sat_exam

from servicecoach.org.models import Person, PersonStatus
from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import ClassroomSession, NeedsResponse, Programme
from servicecoach.training.models import Course, Enrolment, LearningPath

SKILLS = ["退款流程", "情绪安抚"]


@pytest.fixture
def survey(people, org):
    survey = services.survey_create(actor=None, title="售前组需求", unit=org.pre, skills=SKILLS,
                                    closes_on=timezone.localdate() + timedelta(days=7))
    services.survey_answer(actor=people.supervisor.user, survey=survey, source="supervisor",
                           ratings={"退款流程": 5, "情绪安抚": 2})
    return survey


@pytest.fixture
def courses(db):
    return [Course.objects.create(code=f"C-{n}", title=title, published=True)
            for n, title in ((1, "退款流程入门"), (2, "退款流程进阶"))]


def _manager(people) -> Client:
    client = Client()
    client.force_login(people.manager.user)
    return client


def _unit_people(org) -> set[int]:
    return set(Person.objects.filter(unit__path__startswith=org.pre.path, status=PersonStatus.ACTIVE)
               .values_list("pk", flat=True))


# ------------------------------------------------------------------------------------------- low exam topics


def test_low_exam_topics_are_per_unit_lowest_first(people, org):
    assert selectors.exam_weak_topics(org.pre) == []
    sat_exam({people.agent: {"产品知识"}, people.agent2: set(), people.outsider: {"投诉处理"}})
    weak = selectors.exam_weak_topics(org.pre)
    # 售前组: 投诉处理 all wrong (0 of 4 answers), 产品知识 half right (agent right, agent2 wrong).
    assert [(w["topic"], w["rate"], w["answers"], w["people"]) for w in weak] == [
        ("投诉处理", 0.0, 4, 2), ("产品知识", 0.5, 4, 2)]
    # 售后组 only has the outsider, who got 投诉处理 right: that topic is not low there.
    assert [w["topic"] for w in selectors.exam_weak_topics(org.aft)] == ["产品知识"]


def test_people_who_left_no_longer_count(people, org):
    sat_exam({people.agent: set(), people.agent2: {"投诉处理", "产品知识"}})
    Person.objects.filter(pk=people.agent.pk).update(status=PersonStatus.LEFT)
    assert selectors.exam_weak_topics(org.pre) == []


def test_exam_input_adds_topics_to_the_survey_and_weighs_in_the_report(people, org, survey):
    with pytest.raises(ValidationError):
        services.survey_add_exam_input(actor=people.manager.user, survey=survey)
    sat_exam({people.agent: {"产品知识"}, people.agent2: set()})
    response = services.survey_add_exam_input(actor=people.manager.user, survey=survey)
    survey.refresh_from_db()
    assert survey.skills == SKILLS + ["投诉处理", "产品知识"]
    assert response.ratings == {"投诉处理": 5, "产品知识": 3}
    report = {row["skill"]: row for row in selectors.needs_report(survey)}
    assert report["投诉处理"]["sources"] == {"exam": 5.0} and report["投诉处理"]["priority"] == "high"
    services.survey_add_exam_input(actor=people.manager.user, survey=survey)
    assert NeedsResponse.objects.filter(survey=survey, source="exam").count() == 1


def test_report_page_shows_the_exam_topics_and_the_actions(people, survey):
    sat_exam({people.agent: set()})
    page = _manager(people).get(reverse("programmes:survey-detail", args=[survey.pk]))
    html = page.content.decode()
    assert {w["topic"] for w in page.context["exam_weak"]} == {"投诉处理", "产品知识"} and "exam-weak" in html
    assert reverse("programmes:survey-path", args=[survey.pk]) in html
    assert reverse("programmes:survey-session", args=[survey.pk]) in html
    response = _manager(people).post(reverse("programmes:survey-exam-input", args=[survey.pk]))
    assert response.status_code == 302 and survey.responses.filter(source="exam").exists()


# ------------------------------------------------------------------------------------------- a learning path


def test_learning_path_from_the_needs_in_one_step(people, org, survey, courses):
    response = _manager(people).post(reverse("programmes:survey-path", args=[survey.pk]), {
        "skills": ["退款流程"], "code": "NEEDS-PRE", "title": "售前组：退款流程", "courses": [c.pk for c in courses],
        "in_order": "on", "due_days": "45", "enrol_unit": "on"})
    path = LearningPath.objects.get(code="NEEDS-PRE")
    assert response.status_code == 302 and response["Location"] == reverse("training:path-detail", args=[path.pk])
    steps = list(path.steps.order_by("position"))
    assert [s.course.code for s in steps] == ["C-1", "C-2"]
    assert list(steps[0].prerequisites.all()) == [] and list(steps[1].prerequisites.all()) == [courses[0]]
    assert "售前组需求" in path.description and "退款流程" in path.description and path.due_days == 45
    assert set(Enrolment.objects.filter(path=path).values_list("person_id", flat=True)) == _unit_people(org)


def test_a_refused_path_leaves_nothing_behind(people, survey, courses):
    LearningPath.objects.create(code="TAKEN", title="已有路径")
    client = _manager(people)
    url = reverse("programmes:survey-path", args=[survey.pk])
    page = client.post(url, {"skills": ["退款流程"], "code": "TAKEN", "title": "新路径",
                             "courses": [courses[0].pk], "due_days": "30", "enrol_unit": "on"})
    assert page.status_code == 200 and page.context["form"].errors["code"]
    page = client.post(url, {"skills": ["退款流程"], "code": "NEW", "title": "新路径", "due_days": "30"})
    assert page.context["form"].errors["courses"]
    assert LearningPath.objects.count() == 1 and not Enrolment.objects.exists()


# ------------------------------------------------------------------------------------------- a session


def _session_data(people, **changes):
    start = future_start(10)
    data = {"skills": ["退款流程"], "kind": "specialist", "title": "退款流程强化班", "trainer": people.trainer.pk,
            "start_date": start.isoformat(), "end_date": start.isoformat(), "day_start": "09:00", "day_end": "17:30",
            "venue": "三楼培训室", "capacity": "20", "override_reason": ""}
    data.update(changes)
    return data


def test_session_from_the_needs_in_one_step(people, org, survey):
    response = _manager(people).post(reverse("programmes:survey-session", args=[survey.pk]), _session_data(people))
    session = ClassroomSession.objects.get(title="退款流程强化班")
    assert response.status_code == 302 and response["Location"] == reverse("programmes:session-detail",
                                                                          args=[session.pk])
    assert set(session.enrolments.values_list("person_id", flat=True)) == _unit_people(org)
    assert session.trainer == people.trainer and session.equipment.count() > 0
    assert "售前组需求" in session.programme.description and session.programme.participants.count() == len(
        _unit_people(org))


def test_a_refused_session_leaves_no_programme_behind(people, survey):
    client = _manager(people)
    url = reverse("programmes:survey-session", args=[survey.pk])
    too_soon = timezone.localdate().isoformat()
    page = client.post(url, _session_data(people, start_date=too_soon, end_date=too_soon))
    assert page.status_code == 200 and page.context["form"].errors["start_date"]
    page = client.post(url, _session_data(people, capacity="1"))
    assert page.context["form"].errors["capacity"]
    assert not Programme.objects.exists() and not ClassroomSession.objects.exists()


def test_only_skills_of_the_survey_are_accepted(people, survey):
    with pytest.raises(ValidationError) as caught:
        services.session_from_needs(actor=people.manager.user, survey=survey, skills=["编造的技能"], title="x",
                                    trainer=people.trainer, start_date=future_start(), end_date=future_start(),
                                    day_start=None, day_end=None, venue="x", capacity=5)
    assert "skills" in caught.value.message_dict
