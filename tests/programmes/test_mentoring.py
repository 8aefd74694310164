"""Mentoring: certification approved by a training manager (audited), assignments, 1:1 logs, shadowing notes,
and the mentor's page (progress, pass rates, who stayed past probation)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from servicecoach.org.models import AuditEntry, PersonStatus, Role
from servicecoach.programmes import selectors, services
from servicecoach.programmes.models import PlanTask

ALL = list(services.MENTOR_CRITERIA)


def certify(people, person):
    cert = services.certification_request(actor=people.manager.user, person=person, criteria_met=ALL)
    return services.certification_decide(actor=people.manager.user, certification=cert, approve=True)


def test_approval_needs_every_criterion_and_a_training_manager(people):
    cert = services.certification_request(actor=None, person=people.agent, criteria_met=["tenure", "quality"])
    with pytest.raises(PermissionDenied):
        services.certification_decide(actor=people.supervisor.user, certification=cert, approve=True)
    with pytest.raises(ValidationError) as caught:
        services.certification_decide(actor=people.manager.user, certification=cert, approve=True)
    assert "导师培训" in caught.value.messages[0] or "mentor training" in caught.value.messages[0]
    with pytest.raises(ValidationError):
        services.certification_decide(actor=people.manager.user, certification=cert, approve=False, note="")
    services.certification_decide(actor=people.manager.user, certification=cert, approve=False, note="质检分不足")
    cert.refresh_from_db()
    assert cert.status == "rejected" and not selectors.is_certified_mentor(people.agent)


def test_approved_certification_is_audited_and_grants_the_mentor_role(people):
    cert = certify(people, people.agent2)
    assert cert.status == "approved" and cert.decided_by == people.manager.user
    assert selectors.is_certified_mentor(people.agent2)
    assert people.agent2.roles.filter(role=Role.MENTOR).exists()
    entry = AuditEntry.objects.get(object_type="programmes.mentorcertification", action="update")
    assert entry.changes["status"] == ["pending", "approved"]


def test_only_certified_mentors_get_new_hires_and_one_mentor_at_a_time(people):
    with pytest.raises(ValidationError):
        services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=date(2025, 9, 1),
                               probation_end=date(2025, 12, 1))
    certify(people, people.mentor)
    services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=date(2025, 9, 1),
                           probation_end=date(2025, 12, 1))
    with pytest.raises(ValidationError) as caught:
        services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=date(2025, 9, 1),
                               probation_end=date(2025, 12, 1))
    assert "导师" in caught.value.messages[0] or "mentor" in caught.value.messages[0]


def test_logs_before_the_mentoring_started_are_refused(people):
    certify(people, people.mentor)
    a = services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=date(2025, 9, 1),
                               probation_end=date(2025, 12, 1))
    with pytest.raises(ValidationError):
        services.one_on_one_log(actor=None, assignment=a, met_on=date(2025, 8, 1), questions="q", advice="",
                                next_steps="")
    services.one_on_one_log(actor=None, assignment=a, met_on=date(2025, 9, 5), questions="退款流程不熟",
                            advice="先看流程图", next_steps="下周独立处理退款")
    services.shadowing_log(actor=None, assignment=a, observed_on=date(2025, 9, 3), senior=people.supervisor,
                           observed="安抚情绪激动的客户", learned="先共情再解决")
    assert a.meetings.count() == 1 and a.shadowing.count() == 1


def test_mentor_page_shows_progress_pass_rate_and_probation(people):
    certify(people, people.mentor)
    template = services.onboarding_template_save(actor=None, name="t", description="",
                                                 text="week 1: g\n- check: c1\n- check: c2")
    stayed = services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent,
                                    start_date=date(2025, 1, 6), probation_end=date(2025, 4, 6))
    left = services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent2,
                                  start_date=date(2025, 1, 6), probation_end=date(2025, 4, 6))
    people.agent2.status, people.agent2.left_on = PersonStatus.LEFT, date(2025, 3, 1)
    people.agent2.save()
    plan = services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 1, 6))
    c1, c2 = PlanTask.objects.filter(goal__plan=plan)
    services.plan_task_tick(actor=None, task=c1, done=True, evidence="90", result="passed")
    services.plan_task_tick(actor=None, task=c2, done=True, evidence="50", result="failed")
    overview = selectors.mentor_overview(people.mentor, today=date(2025, 6, 1))
    assert overview["certified"] and overview["pass_rate"] == 50 and overview["checks"] == 2
    assert overview["retention"] == 50 and overview["decided"] == 2
    outcomes = {r["assignment"]: r["stayed"] for r in overview["rows"]}
    assert outcomes == {stayed: True, left: False}
    assert selectors.stayed_past_probation(stayed, today=date(2025, 3, 1)) is None


def test_mentoring_pages_scope(people):
    certify(people, people.mentor)
    a = services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.outsider,
                               start_date=date(2025, 9, 1), probation_end=date(2025, 12, 1))

    def client(person):
        c = Client()
        c.force_login(person.user)
        return c

    url = reverse("programmes:assignment-detail", args=[a.pk])
    assert client(people.mentor).get(url).status_code == 200
    assert client(people.outsider).get(url).status_code == 200
    assert client(people.supervisor).get(url).status_code == 404  # the outsider is not in their team
    response = client(people.outsider).post(reverse("programmes:one-on-one-add", args=[a.pk]),
                                            {"met_on": "2025-09-08", "questions": "x"})
    assert response.status_code == 403
    response = client(people.mentor).post(reverse("programmes:one-on-one-add", args=[a.pk]),
                                          {"met_on": "2025-09-08", "questions": "怎么查物流"})
    assert response.status_code == 302 and a.meetings.get().questions == "怎么查物流"
    assert client(people.mentor).get(reverse("programmes:mentor-detail", args=[people.mentor.pk])).status_code == 200
    assert client(people.agent).get(reverse("programmes:mentor-detail", args=[people.mentor.pk])).status_code == 404
    me = client(people.mentor).get(reverse("programmes:mentor-me"))
    assert me["Location"] == reverse("programmes:mentor-detail", args=[people.mentor.pk])
