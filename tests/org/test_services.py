"""The organisation services: unit paths, person changes, logins and roles, each audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from servicecoach.org import services
from servicecoach.org.models import AuditAction, AuditEntry, OrgUnit, Person, PersonStatus, Role, UnitKind

pytestmark = pytest.mark.django_db


def _path(*units):
    return "/" + "".join(f"{u.pk}/" for u in units)


def test_unit_paths_on_create(org):
    assert org.hq.path == _path(org.hq) and org.hq.depth == 0
    assert org.pre.path == _path(org.hq, org.cs, org.pre) and org.pre.depth == 2
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="org.orgunit", object_id=str(org.pre.pk))
    assert entry.changes == {"name": "售前组", "code": "CS-PRE", "kind": "team", "parent": "客户服务部"}


def test_moving_a_unit_moves_its_subtree(org, admin_user):
    night = services.unit_create(actor=None, name="夜班", code="CS-PRE-N", kind=UnitKind.TEAM, parent=org.pre)
    services.unit_update(actor=admin_user, unit=org.pre, parent=org.ec)
    pre, night = OrgUnit.objects.get(pk=org.pre.pk), OrgUnit.objects.get(pk=night.pk)
    assert pre.path == _path(org.hq, org.ec, pre) and pre.depth == 2
    assert night.path == _path(org.hq, org.ec, pre, night) and night.depth == 3
    # a move two levels up
    services.unit_update(actor=admin_user, unit=pre, parent=None)
    night.refresh_from_db()
    assert night.path == _path(pre, night) and night.depth == 1
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(pre.pk)).first()
    assert entry.actor == admin_user and entry.changes == {"parent": ["电商运营部", None]}


@pytest.mark.parametrize("target", ["cs", "pre"])
def test_moving_a_unit_under_itself_is_refused(org, target):
    with pytest.raises(ValidationError) as caught:
        services.unit_update(actor=None, unit=org.cs, parent=getattr(org, target))
    assert "parent" in caught.value.message_dict
    org.cs.refresh_from_db()
    assert org.cs.parent == org.hq


def test_unit_update_without_change_writes_nothing(org):
    before = AuditEntry.objects.count()
    services.unit_update(actor=None, unit=org.cs, name="客户服务部")
    assert AuditEntry.objects.count() == before


def test_unit_update_refuses_unknown_fields(org):
    with pytest.raises(ValueError, match="path"):
        services.unit_update(actor=None, unit=org.cs, path="/x/")


def test_duplicate_unit_code_is_refused(org):
    with pytest.raises(ValidationError) as caught:
        services.unit_create(actor=None, name="另一个", code="CS", kind=UnitKind.TEAM)
    assert "code" in caught.value.message_dict


def test_person_create_and_update_are_audited(org, admin_user):
    person = services.person_create(actor=admin_user, employee_no="E100", name="李娜", unit=org.pre,
                                    hire_date=date(2025, 3, 1), level="intermediate")
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="org.person", object_id=str(person.pk))
    assert created.changes["hire_date"] == "2025-03-01" and created.changes["unit"] == "售前组"
    services.person_update(actor=admin_user, person=person, unit=org.aft, level="senior")
    updated = AuditEntry.objects.get(action=AuditAction.UPDATE, object_type="org.person", object_id=str(person.pk))
    assert updated.changes == {"unit": ["售前组", "售后组"], "level": ["intermediate", "senior"]}
    assert updated.actor_name == "管理员"


def test_person_with_bad_level_is_refused(org):
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=None, employee_no="E101", name="王强", unit=org.pre, level="expert")
    assert "level" in caught.value.message_dict
    assert not Person.objects.filter(employee_no="E101").exists()


def test_leaving_deactivates_the_login_and_dates_it(make_person):
    person = make_person(Role.AGENT)
    assert person.user.is_active
    services.person_update(actor=None, person=person, status=PersonStatus.LEFT)
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert person.user.is_active is False
    assert person.left_on is not None


def test_set_login_gives_unusable_password_until_set(make_person):
    person = make_person(Role.AGENT, login=False)
    user = services.person_set_login(actor=None, person=person, username="lina", password=None)
    assert not user.has_usable_password()
    services.person_set_login(actor=None, person=person, username="lina", password="s3cret-pass")
    user.refresh_from_db()
    assert user.check_password("s3cret-pass")
    assert "s3cret" not in str(list(AuditEntry.objects.values_list("changes", flat=True)))


def test_a_login_name_in_use_is_refused(make_person):
    taken = make_person(Role.AGENT)
    other = make_person(Role.AGENT, login=False)
    with pytest.raises(ValidationError) as caught:
        services.person_set_login(actor=None, person=other, username=taken.user.username, password=None)
    assert "username" in caught.value.message_dict


def test_role_grant_and_revoke(make_person, admin_user):
    person = make_person(None)
    services.role_grant(actor=admin_user, person=person, role=Role.TRAINER)
    services.role_grant(actor=admin_user, person=person, role=Role.TRAINER)  # twice: one row, one entry
    assert list(person.roles.values_list("role", flat=True)) == ["trainer"]
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_GRANT, object_id=str(person.pk)).count() == 1
    assert services.role_revoke(actor=admin_user, person=person, role=Role.TRAINER) is True
    assert services.role_revoke(actor=admin_user, person=person, role=Role.TRAINER) is False
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_REVOKE, object_id=str(person.pk)).count() == 1


def test_unknown_role_is_refused(make_person):
    with pytest.raises(ValidationError) as caught:
        services.role_grant(actor=None, person=make_person(None), role="boss")
    assert "role" in caught.value.message_dict


def test_unit_delete_is_audited_and_protected(org, make_person):
    from django.db.models import ProtectedError

    make_person(Role.AGENT, unit=org.tm)
    with pytest.raises(ProtectedError):
        services.unit_delete(actor=None, unit=org.tm)
    spare = services.unit_create(actor=None, name="临时组", code="TMP", kind=UnitKind.TEAM, parent=org.cs)
    services.unit_delete(actor=None, unit=spare)
    assert AuditEntry.objects.filter(action=AuditAction.DELETE, object_repr="临时组").exists()


def test_person_link_login(make_person):
    first = make_person(Role.AGENT)
    second = make_person(Role.AGENT, login=False)
    with pytest.raises(ValidationError):
        services.person_link_login(actor=None, person=second, user=first.user)
    login = first.user
    services.person_link_login(actor=None, person=first, user=None)
    services.person_link_login(actor=None, person=second, user=login)
    assert Person.objects.get(pk=second.pk).user == login
