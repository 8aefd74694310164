"""Scoping: who sees which units and people."""

from __future__ import annotations

import pytest

from servicecoach.org import selectors, services
from servicecoach.org.models import PersonStatus, Role, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org, make_person):
    return {
        "pre_agent": make_person(Role.AGENT, unit=org.pre),
        "aft_agent": make_person(Role.AGENT, unit=org.aft),
        "tm_agent": make_person(Role.AGENT, unit=org.tm),
        "cs_supervisor": make_person(Role.SUPERVISOR, unit=org.cs),
        "pre_supervisor": make_person(Role.SUPERVISOR, unit=org.aft, scope=org.pre),
        "manager": make_person(Role.TRAINING_MANAGER, unit=org.hq),
        "admin": make_person(Role.ADMIN, unit=org.hq),
    }


def _people(user):
    return set(selectors.people_visible_to(user))


def test_admin_and_training_manager_see_everything(staff):
    everyone = set(staff.values())
    for key in ("admin", "manager"):
        user = staff[key].user
        assert _people(user) == everyone
        assert selectors.units_visible_to(user).count() == 6


def test_superuser_counts_as_administrator(staff):
    root = User.objects.create_superuser("root", password="x")
    assert Role.ADMIN in selectors.user_roles(root)
    assert _people(root) == set(staff.values())


def test_supervisor_sees_their_subtree(staff, org):
    user = staff["cs_supervisor"].user
    assert set(selectors.units_visible_to(user)) == {org.cs, org.pre, org.aft}
    assert _people(user) == {staff["pre_agent"], staff["aft_agent"], staff["cs_supervisor"],
                             staff["pre_supervisor"]}
    assert not selectors.can_see_person(user, staff["tm_agent"])


def test_supervisor_with_a_scope_unit_sees_that_unit_and_themselves(staff, org):
    user = staff["pre_supervisor"].user
    assert set(selectors.units_visible_to(user)) == {org.pre, org.aft}  # scope + own unit
    assert _people(user) == {staff["pre_agent"], staff["pre_supervisor"]}


def test_agent_sees_only_themselves(staff, org):
    agent = staff["pre_agent"]
    assert _people(agent.user) == {agent}
    assert set(selectors.units_visible_to(agent.user)) == {org.pre}
    assert not selectors.can_see_person(agent.user, staff["aft_agent"])


def test_anonymous_sees_nothing(staff):
    from django.contrib.auth.models import AnonymousUser

    assert _people(AnonymousUser()) == set()
    assert selectors.user_roles(AnonymousUser()) == frozenset()


def test_a_person_who_left_loses_their_roles(staff):
    supervisor = staff["cs_supervisor"]
    assert selectors.user_roles(supervisor.user) == {"supervisor"}
    services.person_update(actor=None, person=supervisor, status=PersonStatus.LEFT)
    user = User.objects.get(pk=supervisor.user_id)  # a fresh request
    assert selectors.user_roles(user) == frozenset()
    assert _people(user) == {supervisor}


def test_several_roles_add_up(org, make_person):
    person = make_person([Role.TRAINER, Role.SUPERVISOR], unit=org.tm)
    assert selectors.user_roles(person.user) == {"trainer", "supervisor"}
    agent = make_person(Role.AGENT, unit=org.tm)
    assert selectors.can_see_person(person.user, agent)
