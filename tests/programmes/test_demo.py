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
