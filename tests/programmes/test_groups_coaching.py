"""Group exercises (3 to 5 participants), remedial coaching tasks for those falling behind, and the notice a
new needs survey sends to its unit."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicecoach.programmes import services
from servicecoach.programmes.models import CoachingTask, GroupExercise, Notice


@pytest.fixture
def big_session(people, programme, make_person):
    extra = [make_person(name=f"学员{n}") for n in range(3)]
    start = programme.start_date
    session = services.session_schedule(
        actor=people.manager.user, programme=programme, title="小组练习班", trainer=people.trainer,
        start_date=start, end_date=start, day_start=time(9),
        day_end=time(17, 30), venue="B201", capacity=10,
        participants=[(p, "new_hire") for p in [people.agent, people.agent2, *extra]])
    return session, [people.agent, people.agent2, *extra]


def test_groups_have_three_to_five_participants(people, big_session):
    session, members = big_session
    with pytest.raises(ValidationError) as caught:
        services.group_exercise_add(actor=None, session=session, day=session.start_date, task="模拟投诉",
                                    members=members[:2])
    assert "2" in caught.value.message_dict["members"][0]
    with pytest.raises(ValidationError):
        services.group_exercise_add(actor=None, session=session, day=session.start_date, task="模拟投诉",
                                    members=[*members[:3], people.outsider])
    group = services.group_exercise_add(actor=None, session=session, day=session.start_date, task="模拟投诉",
                                        members=members[:4], remarks="分工清楚，结论偏弱")
    assert group.members.count() == 4 and GroupExercise.objects.count() == 1


def test_flagged_participant_gets_a_coaching_task_and_their_mentor_is_told(people, session):
    cert = services.certification_request(actor=None, person=people.mentor, criteria_met=list(services.MENTOR_CRITERIA))
    services.certification_decide(actor=people.manager.user, certification=cert, approve=True)
    today = timezone.localdate()
    services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=today,
                           probation_end=today + timedelta(days=90))
    with pytest.raises(ValidationError):
        services.coaching_task_assign(actor=None, session=session, person=people.agent, reason="x", task="y",
                                      due_on=today - timedelta(days=1))
    coaching = services.coaching_task_assign(actor=people.trainer.user, session=session, person=people.agent,
                                             reason="工单系统操作跟不上", task="导师陪练工单系统 2 小时",
                                             due_on=today + timedelta(days=3))
    assert {n.recipient for n in Notice.objects.filter(subject__contains=session.title)} == {people.agent,
                                                                                             people.mentor}
    with pytest.raises(ValidationError):
        services.coaching_task_done(actor=None, coaching=coaching, outcome="")
    services.coaching_task_done(actor=None, coaching=coaching, outcome="已能独立建单")
    coaching.refresh_from_db()
    assert coaching.done_at is not None


def test_coaching_pages(people, session):
    trainer = Client()
    trainer.force_login(people.trainer.user)
    due = (timezone.localdate() + timedelta(days=2)).isoformat()
    response = trainer.post(reverse("programmes:coaching-task-add", args=[session.pk]), {
        "person": people.agent.pk, "reason": "发言少", "task": "每天复盘 3 个会话", "due_on": due})
    assert response.status_code == 302
    coaching = CoachingTask.objects.get()
    agent = Client()
    agent.force_login(people.agent.user)
    page = agent.get(reverse("programmes:session-detail", args=[session.pk])).content.decode()
    assert "每天复盘 3 个会话" in page
    other = Client()
    other.force_login(people.agent2.user)
    assert "每天复盘 3 个会话" not in other.get(reverse("programmes:session-detail", args=[session.pk])).content.decode()
    assert agent.post(reverse("programmes:coaching-task-done", args=[session.pk, coaching.pk]),
                      {"outcome": "x"}).status_code == 403


def test_a_new_survey_asks_the_unit(people, org):
    survey = services.survey_create(actor=None, title="售前组需求", unit=org.pre, skills=["退款"],
                                    closes_on=timezone.localdate() + timedelta(days=7))
    asked = {n.recipient for n in Notice.objects.filter(url=reverse("programmes:survey-detail", args=[survey.pk]))}
    assert people.agent in asked and people.supervisor in asked and people.outsider not in asked
