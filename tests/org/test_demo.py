"""The demo organisation: contents, one login per role, idempotency, the supervisor's scope."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from servicecoach.org import calendar, selectors
from servicecoach.org.demo import DEMO_PASSWORD, demo_load
from servicecoach.org.models import (
    AuditEntry,
    CalendarOverride,
    OrgUnit,
    Person,
    PersonStatus,
    Role,
    RoleAssignment,
    UnitKind,
    User,
)

pytestmark = pytest.mark.django_db

LOGINS = {"admin": Role.ADMIN, "manager": Role.TRAINING_MANAGER, "trainer": Role.TRAINER, "mentor": Role.MENTOR,
          "qa": Role.QA_REVIEWER, "supervisor": Role.SUPERVISOR, "agent": Role.AGENT}


@pytest.fixture
def demo(db):
    return demo_load()


def test_counts(demo):
    assert OrgUnit.objects.filter(kind=UnitKind.COMPANY).count() == 1
    assert OrgUnit.objects.filter(kind=UnitKind.DEPARTMENT).count() == 2
    teams = OrgUnit.objects.filter(kind__in=[UnitKind.TEAM, UnitKind.SHOP])
    assert teams.count() == 5
    assert teams.filter(kind=UnitKind.SHOP).count() == 2
    assert Person.objects.count() == 40
    assert Person.objects.filter(status=PersonStatus.LEFT).count() == 2
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(Role.values)
    several = [p for p in Person.objects.all() if p.roles.count() > 1]
    assert len(several) >= 3
    assert all(len(p.name) in (2, 3) for p in Person.objects.all())  # Chinese names
    assert CalendarOverride.objects.filter(date__year=2027).exists()


def test_every_role_has_a_login(demo):
    for username, role in LOGINS.items():
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert role in selectors.user_roles(user)
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser
    assert {row["username"] for row in demo.logins} == set(LOGINS)


def test_running_twice_changes_nothing(demo):
    counts = (OrgUnit.objects.count(), Person.objects.count(), RoleAssignment.objects.count(),
              User.objects.count(), CalendarOverride.objects.count(), AuditEntry.objects.count())
    again = demo_load()
    assert not again.changed
    assert (OrgUnit.objects.count(), Person.objects.count(), RoleAssignment.objects.count(),
            User.objects.count(), CalendarOverride.objects.count(), AuditEntry.objects.count()) == counts


def test_edits_survive_a_second_run(demo):
    person = Person.objects.get(employee_no="HX0029")
    person.level = "senior"
    person.save()
    demo_load()
    assert Person.objects.get(employee_no="HX0029").level == "senior"


def test_supervisor_sees_their_teams_agents_only(demo):
    supervisor = User.objects.get(username="supervisor")
    agent = Person.objects.get(user__username="agent")
    team = agent.unit
    assert team.kind == UnitKind.SHOP
    visible = selectors.people_visible_to(supervisor)
    assert set(visible) == set(Person.objects.filter(unit=team))
    assert agent in visible
    assert not visible.filter(unit__code="HX-EC-JD").exists()
    assert set(selectors.units_visible_to(supervisor)) == {team}


def test_agent_sees_only_themselves(demo):
    agent = User.objects.get(username="agent")
    assert list(selectors.people_visible_to(agent)) == [agent.person]


def test_people_who_left_have_no_working_login_or_roles(demo):
    for person in Person.objects.filter(status=PersonStatus.LEFT):
        assert person.left_on is not None
        assert selectors.user_roles(person.user) == frozenset()


def test_demo_calendar(demo):
    assert not calendar.is_working_day(date(2027, 1, 1))
    assert calendar.is_working_day(date(2027, 2, 6))  # a Saturday the company works


def test_command_prints_the_logins_and_is_idempotent(db):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    first = out.getvalue()
    for username in LOGINS:
        assert username in first
    assert DEMO_PASSWORD in first
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "nothing changed" in out.getvalue()
    assert Person.objects.count() == 40
