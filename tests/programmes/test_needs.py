"""Training-needs analysis: answers from self-assessment and supervisors, the prioritised report, and a
programme seeded from it."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import Programme

SKILLS = ["退款流程", "情绪安抚", "工单系统"]


@pytest.fixture
def survey(people, org):
    return services.survey_create(actor=people.manager.user, title="2026 售前组培训需求", unit=org.pre, skills=SKILLS,
                                  closes_on=timezone.localdate() + timedelta(days=14))


def test_skills_text_is_read_one_a_line():
    assert services.parse_skills("退款流程\n\n情绪安抚\n退款流程\n") == ["退款流程", "情绪安抚"]
    with pytest.raises(ValidationError):
        services.parse_skills("  \n")


def test_report_weighs_supervisors_twice_and_orders_by_need(people, survey):
    services.survey_answer(actor=people.agent.user, survey=survey, source="self",
                           ratings={"退款流程": 2, "情绪安抚": 5, "工单系统": 1})
    services.survey_answer(actor=people.agent2.user, survey=survey, source="self",
                           ratings={"退款流程": 3, "情绪安抚": 4, "工单系统": 1})
    services.survey_answer(actor=people.supervisor.user, survey=survey, source="supervisor",
                           ratings={"退款流程": 5, "情绪安抚": 3, "工单系统": 2})
    report = selectors.needs_report(survey)
    # 退款流程: (2 + 3 + 2*5) / 4 = 3.75; 情绪安抚: (5 + 4 + 2*3) / 4 = 3.75; 工单系统: (1 + 1 + 4) / 4 = 1.5
    assert [(r["skill"], r["score"], r["priority"]) for r in report] == [
        ("情绪安抚", 3.75, "medium"), ("退款流程", 3.75, "medium"), ("工单系统", 1.5, "low")]
    assert report[1]["sources"] == {"self": 2.5, "supervisor": 5.0}


def test_answering_again_replaces_and_bad_answers_are_refused(people, survey):
    services.survey_answer(actor=people.agent.user, survey=survey, source="self",
                           ratings={"退款流程": 2, "情绪安抚": 5, "工单系统": 1})
    services.survey_answer(actor=people.agent.user, survey=survey, source="self",
                           ratings={"退款流程": 4, "情绪安抚": 5, "工单系统": 1})
    assert survey.responses.get().ratings["退款流程"] == 4
    with pytest.raises(ValidationError) as caught:
        services.survey_answer(actor=people.agent.user, survey=survey, source="self", ratings={"退款流程": 9})
    assert "工单系统" in caught.value.messages[0]
    with pytest.raises(PermissionDenied):
        services.survey_answer(actor=people.agent.user, survey=survey, source="supervisor",
                               ratings=dict.fromkeys(SKILLS, 3))
    with pytest.raises(ValidationError):
        services.survey_answer(actor=people.agent.user, survey=survey, source="self",
                               ratings=dict.fromkeys(SKILLS, 3), today=survey.closes_on + timedelta(days=1))


def test_a_programme_is_seeded_from_the_top_needs(people, survey):
    services.survey_answer(actor=people.supervisor.user, survey=survey, source="supervisor",
                           ratings={"退款流程": 5, "情绪安抚": 4, "工单系统": 1})
    programme = services.programme_from_needs(actor=people.manager.user, survey=survey, skills=["退款流程", "情绪安抚"],
                                              start_date=date(2026, 3, 2), end_date=date(2026, 3, 31))
    assert "退款流程" in programme.title and programme.kind == "specialist"
    assert programme.owner == people.manager
    # The active people of 售前组 (the survey's unit), not those of 售后组.
    assert people.agent in programme.participants.all() and people.outsider not in programme.participants.all()


def test_survey_pages(people, survey):
    def client(person):
        c = Client()
        c.force_login(person.user)
        return c

    url = reverse("programmes:survey-detail", args=[survey.pk])
    response = client(people.agent).post(url, {"source": "self", "skill_0": "4", "skill_1": "5", "skill_2": "2"})
    assert response.status_code == 302 and survey.responses.get().ratings == {"退款流程": 4, "情绪安抚": 5, "工单系统": 2}
    assert client(people.agent).get(url).context["report"] is None  # the report is for training staff
    assert client(people.outsider).get(url).status_code == 404  # another team's survey
    response = client(people.manager).post(reverse("programmes:survey-seed", args=[survey.pk]), {
        "skills": ["情绪安抚"], "kind": "specialist", "start_date": "2026-03-02", "end_date": "2026-03-20"})
    programme = Programme.objects.get()
    assert response["Location"] == reverse("programmes:programme-detail", args=[programme.pk])
