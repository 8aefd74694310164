"""The audit log: logins, failed logins, logouts, role changes, admin edits; append-only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import RequestFactory
from django.urls import reverse

from servicecoach.org import services
from servicecoach.org.models import AuditAction, AuditEntry, OrgUnit, Person, Role, RoleAssignment, User

pytestmark = pytest.mark.django_db


def test_login_and_logout_are_recorded(client, make_person):
    person = make_person(Role.AGENT)
    response = client.post(reverse("login"), {"username": person.user.username, "password": "pw-12345"})
    assert response.status_code == 302
    login = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert login.actor == person.user and login.actor_name == person.name and login.ip == "127.0.0.1"
    client.post(reverse("logout"))
    logout = AuditEntry.objects.get(action=AuditAction.LOGOUT)
    assert logout.actor == person.user


def test_failed_login_records_the_username_and_ip(client, make_person):
    person = make_person(Role.AGENT)
    response = client.post(reverse("login"), {"username": person.user.username, "password": "wrong"},
                           REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED)
    assert entry.actor is None
    assert entry.changes == {"username": person.user.username}
    assert entry.actor_name == person.user.username
    assert entry.ip == "10.1.2.3"
    assert "wrong" not in str(entry.changes)


def test_failed_login_of_unknown_user(client):
    client.post(reverse("login"), {"username": "nobody", "password": "x"})
    assert AuditEntry.objects.get(action=AuditAction.LOGIN_FAILED).changes == {"username": "nobody"}


def test_role_grant_and_revoke_are_recorded(make_person, admin_user):
    person = make_person(None)
    services.role_grant(actor=admin_user, person=person, role=Role.MENTOR)
    services.role_revoke(actor=admin_user, person=person, role=Role.MENTOR)
    entries = AuditEntry.objects.filter(object_id=str(person.pk), action__in=["role_grant", "role_revoke"])
    assert [(e.action, e.changes["role"], e.actor) for e in entries.order_by("id")] == [
        ("role_grant", "mentor", admin_user), ("role_revoke", "mentor", admin_user)]


# --- append-only

@pytest.fixture
def entry(db):
    return services.audit_record(actor=None, action=AuditAction.CREATE, object_type="x", object_repr="y")


def test_an_entry_cannot_be_saved_again(entry):
    entry.object_repr = "changed"
    with pytest.raises(PermissionDenied):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_entries_cannot_be_updated_in_bulk(entry):
    with pytest.raises(PermissionDenied):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(PermissionDenied), transaction.atomic():  # bulk_update opens no savepoint of its own
        AuditEntry.objects.bulk_update([entry], ["object_repr"])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_deleting_a_login_keeps_its_entries(make_person):
    person = make_person(Role.AGENT)
    user = person.user
    services.audit_record(actor=user, action=AuditAction.LOGIN, obj=user)
    user.delete()
    remaining = AuditEntry.objects.get(action=AuditAction.LOGIN)
    assert remaining.actor is None and remaining.actor_name == person.name


def test_admin_has_no_add_change_or_delete_permission(entry):
    root = User.objects.create_superuser("root", password="x")
    request = RequestFactory().get("/")
    request.user = root
    model_admin = admin_site._registry[AuditEntry]
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)


def test_admin_pages_are_read_only(client, entry):
    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    assert client.get(reverse("admin:org_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:org_auditentry_add")).status_code == 403
    page = client.get(reverse("admin:org_auditentry_change", args=[entry.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.post(reverse("admin:org_auditentry_change", args=[entry.pk]),
                       {"object_repr": "changed"}).status_code == 403
    assert client.post(reverse("admin:org_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


# --- the admin site writes through the services

@pytest.fixture
def root_client(client, db):
    root = User.objects.create_superuser("root", password="x")
    client.force_login(root)
    client.root = root
    return client


def test_admin_unit_create_and_move_are_audited(root_client, org):
    response = root_client.post(reverse("admin:org_orgunit_add"),
                                {"name": "投诉组", "code": "CS-CMP", "kind": "team", "parent": org.cs.pk, "active": "on"})
    assert response.status_code == 302, response.content[:2000]
    unit = OrgUnit.objects.get(code="CS-CMP")
    assert unit.path == f"{org.cs.path}{unit.pk}/"
    assert AuditEntry.objects.filter(action=AuditAction.CREATE, object_id=str(unit.pk), actor=root_client.root).exists()
    response = root_client.post(reverse("admin:org_orgunit_change", args=[unit.pk]),
                                {"name": "投诉组", "code": "CS-CMP", "kind": "team", "parent": org.ec.pk, "active": "on"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.path == f"{org.ec.path}{unit.pk}/"
    update = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(unit.pk))
    assert update.changes == {"parent": ["客户服务部", "电商运营部"]}


def test_admin_refuses_moving_a_unit_under_itself(root_client, org):
    response = root_client.post(reverse("admin:org_orgunit_change", args=[org.cs.pk]),
                                {"name": org.cs.name, "code": "CS", "kind": "department", "parent": org.pre.pk,
                                 "active": "on"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    org.cs.refresh_from_db()
    assert org.cs.parent == org.hq


def _person_form(org, **extra):
    data = {"employee_no": "A001", "name": "赵敏", "unit": org.pre.pk, "hire_date": "2025-01-06",
            "level": "junior", "status": "active", "left_on": "", "email": "", "phone": "", "user": "",
            "roles-TOTAL_FORMS": "1", "roles-INITIAL_FORMS": "0", "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000", "roles-0-role": "agent", "roles-0-unit": ""}
    data.update(extra)
    return data


def test_admin_person_with_roles_is_audited(root_client, org):
    response = root_client.post(reverse("admin:org_person_add"), _person_form(org))
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(employee_no="A001")
    assert list(person.roles.values_list("role", flat=True)) == ["agent"]
    actions = set(AuditEntry.objects.filter(object_id=str(person.pk), object_type="org.person")
                  .values_list("action", flat=True))
    assert actions == {"create", "role_grant"}
    assignment = RoleAssignment.objects.get(person=person)
    data = _person_form(org, level="senior", **{
        "roles-TOTAL_FORMS": "2", "roles-INITIAL_FORMS": "1", "roles-0-id": assignment.pk,
        "roles-0-person": person.pk, "roles-0-role": "agent", "roles-0-DELETE": "on",
        "roles-1-role": "mentor", "roles-1-unit": ""})
    response = root_client.post(reverse("admin:org_person_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person.refresh_from_db()
    assert person.level == "senior"
    assert list(person.roles.values_list("role", flat=True)) == ["mentor"]
    entries = AuditEntry.objects.filter(object_id=str(person.pk), object_type="org.person").order_by("id")
    assert [e.action for e in entries] == ["create", "role_grant", "update", "role_revoke", "role_grant"]
    assert entries[2].changes == {"level": ["junior", "senior"]}


def test_admin_calendar_override_goes_through_the_service(root_client):
    from servicecoach.org import calendar

    response = root_client.post(reverse("admin:org_calendaroverride_add"),
                                {"date": "2027-01-04", "is_working_day": "", "note": "年会"})
    assert response.status_code == 302
    assert not calendar.is_working_day(__import__("datetime").date(2027, 1, 4))
    assert AuditEntry.objects.filter(object_type="org.calendaroverride", action="create").exists()


def test_admin_user_changes_are_audited_without_the_password(root_client):
    response = root_client.post(reverse("admin:org_user_add"),
                                {"username": "newlogin", "password1": "Quite-l0ng-secret", "password2": "Quite-l0ng-secret",
                                 "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="newlogin")
    created = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="org.user", object_id=str(user.pk))
    assert created.actor == root_client.root
    assert "Quite-l0ng-secret" not in str(AuditEntry.objects.values_list("changes", flat=True))


def test_admin_links_a_login_to_a_person(root_client, org, make_person):
    person = make_person(Role.AGENT, login=False)
    spare = User.objects.create_user("spare")
    data = _person_form(org, employee_no=person.employee_no, name=person.name, user=spare.pk, **{
        "roles-TOTAL_FORMS": "1", "roles-INITIAL_FORMS": "1",
        "roles-0-id": person.roles.get().pk, "roles-0-person": person.pk, "roles-0-role": "agent"})
    response = root_client.post(reverse("admin:org_person_change", args=[person.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Person.objects.get(pk=person.pk).user == spare
    entry = AuditEntry.objects.filter(object_type="org.person", object_id=str(person.pk)).first()
    assert entry.changes == {"login": [None, "spare"]}
