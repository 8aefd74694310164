"""The demo data: loads on the demo organisation, twice without change, and shows what the demo logins need."""

from __future__ import annotations

import pytest

from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.org.models import User
from servicecoach.programmes import selectors
from servicecoach.programmes.demo import demo_load
from servicecoach.programmes.models import (
    AgendaBlock,
    ClassroomSession,
    DailyFeedback,
    MentorAssignment,
    NeedsResponse,
    Notice,
    OnboardingPlan,
)


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org_demo_load()
    return demo_load()


def test_demo_loads_and_a_second_run_changes_nothing(demo):
    assert "2 sessions" in demo
    counts = [ClassroomSession.objects.count(), AgendaBlock.objects.count(), Notice.objects.count(),
              OnboardingPlan.objects.count(), MentorAssignment.objects.count(), NeedsResponse.objects.count()]
    again = demo_load()
    assert "0 sessions" in again
    assert counts == [ClassroomSession.objects.count(), AgendaBlock.objects.count(), Notice.objects.count(),
                      OnboardingPlan.objects.count(), MentorAssignment.objects.count(), NeedsResponse.objects.count()]


def test_demo_logins_find_their_part(demo):
    agent, mentor, supervisor = (User.objects.get(username=n) for n in ("agent", "mentor", "supervisor"))
    notices = selectors.home_notices(agent)
    assert notices["unread"] == 2  # the coming session's notice and the needs survey of 电商运营部
    assert {bool(n.session_id) for n in notices["notices"]} == {True, False}
    overview = selectors.mentor_overview(mentor.person)
    assert overview["certified"] and len(overview["rows"]) == 3 and overview["retention"] == 100
    behind = selectors.plan_overview(user=supervisor, behind_only=True)
    assert [r["plan"].person.name for r in behind] == ["罗晨"]
    assert DailyFeedback.objects.count() == 4
    assert selectors.needs_report(selectors.surveys_visible_to(
        User.objects.get(username="manager")).get())[0]["priority"] == "high"


def test_every_page_renders_on_the_demo_data(demo):
    """Each demo login opens the pages of its part, on real demo content (templates, filters, links)."""
    from django.test import Client
    from django.urls import reverse

    from servicecoach.programmes.models import MentorAssignment, NeedsSurvey, OnboardingTemplate

    session = ClassroomSession.objects.order_by("start_date").first()
    coming = ClassroomSession.objects.order_by("start_date").last()
    plan = OnboardingPlan.objects.get(person__name="罗晨")
    assignment = MentorAssignment.objects.get(mentee__name="罗晨")
    survey = NeedsSurvey.objects.get()
    template = OnboardingTemplate.objects.get()
    pages = {
        "manager": ["programmes:programme-list", ("programmes:programme-detail", session.programme_id),
                    "programmes:session-list", ("programmes:session-detail", session.pk),
                    ("programmes:session-agenda", session.pk), ("programmes:session-attendance", session.pk),
                    ("programmes:session-feedback-summary", session.pk), ("programmes:session-update", coming.pk),
                    ("programmes:session-code", coming.pk), "programmes:template-list",
                    ("programmes:template-detail", template.pk), ("programmes:template-update", template.pk),
                    "programmes:plan-list", ("programmes:plan-detail", plan.pk), "programmes:mentor-list",
                    "programmes:certification-list", "programmes:assignment-create",
                    ("programmes:assignment-detail", assignment.pk), "programmes:survey-list",
                    ("programmes:survey-detail", survey.pk), ("programmes:survey-seed", survey.pk),
                    ("programmes:record", plan.person_id), ("programmes:record-export", plan.person_id), "home"],
        "trainer": [("programmes:session-detail", coming.pk), ("programmes:session-attendance", session.pk), "home"],
        "agent": [("programmes:session-detail", coming.pk), ("programmes:session-feedback", session.pk),
                  "programmes:notice-list", "programmes:plan-list", "programmes:record-me", "home"],
        "mentor": [("programmes:mentor-detail", assignment.mentor_id), ("programmes:assignment-detail", assignment.pk),
                   ("programmes:plan-detail", plan.pk), ("programmes:record", plan.person_id), "home"],
        "supervisor": ["programmes:plan-list", ("programmes:plan-detail", plan.pk), ("programmes:survey-detail",
                                                                                      survey.pk), "home"],
    }
    for username, names in pages.items():
        client = Client()
        client.force_login(User.objects.get(username=username))
        for entry in names:
            name, args = (entry, []) if isinstance(entry, str) else (entry[0], [entry[1]])
            response = client.get(reverse(name, args=args), follow=True)
            assert response.status_code == 200, (username, name, response.status_code)
