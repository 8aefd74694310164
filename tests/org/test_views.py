"""Organisation pages: scoping, filters, forms that go through the audited services, the audit viewer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from servicecoach.org import services
from servicecoach.org.models import AuditAction, AuditEntry, Level, OrgUnit, Person, Role, RoleAssignment


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


@pytest.fixture
def people(org, make_person):
    """A supervisor of 客户服务部 (CS), agents in its two teams, an agent of the 天猫店 shop, and staff."""
    return {
        "admin": make_person(Role.ADMIN, unit=org.hq, name="管理员"),
        "manager": make_person(Role.TRAINING_MANAGER, unit=org.hq, name="培训经理"),
        "supervisor": make_person(Role.SUPERVISOR, unit=org.cs, scope=org.cs, name="主管"),
        "pre_agent": make_person(Role.AGENT, unit=org.pre, name="售前小王", level=Level.SENIOR),
        "aft_agent": make_person(Role.AGENT, unit=org.aft, name="售后小李"),
        "shop_agent": make_person(Role.AGENT, unit=org.tm, name="天猫小赵"),
    }


def _names(response) -> set[str]:
    return {p.name for p in response.context["page"].object_list}


# ---------------------------------------------------------------- scoping


def test_supervisor_sees_only_the_people_of_their_units(people):
    response = _client(people["supervisor"]).get(reverse("org:person-list"))
    assert response.status_code == 200
    assert _names(response) == {"主管", "售前小王", "售后小李"}


def test_agent_sees_only_themselves(people):
    response = _client(people["pre_agent"]).get(reverse("org:person-list"))
    assert _names(response) == {"售前小王"}


def test_administrator_and_training_manager_see_everyone(people):
    for key in ("admin", "manager"):
        assert len(_names(_client(people[key]).get(reverse("org:person-list")))) == 6


@pytest.mark.parametrize(("viewer", "target", "status"), [
    ("supervisor", "pre_agent", 200),
    ("supervisor", "shop_agent", 404),
    ("pre_agent", "pre_agent", 200),
    ("pre_agent", "aft_agent", 404),
    ("manager", "shop_agent", 200),
])
def test_person_detail_is_scoped(people, viewer, target, status):
    response = _client(people[viewer]).get(reverse("org:person-detail", args=[people[target].pk]))
    assert response.status_code == status


def test_unit_tree_shows_only_visible_units_with_counts(org, people):
    response = _client(people["supervisor"]).get(reverse("org:unit-list"))
    units = {u.code: u for u in response.context["units"]}
    assert set(units) == {"CS", "CS-PRE", "CS-AFT"}
    assert units["CS-PRE"].people_count == 1
    assert "售前组" in response.content.decode()
    assert _client(people["supervisor"]).get(reverse("org:unit-detail", args=[org.tm.pk])).status_code == 404


def test_unit_detail_lists_the_people_of_its_subtree(org, people):
    response = _client(people["admin"]).get(reverse("org:unit-detail", args=[org.cs.pk]))
    assert _names(response) == {"主管", "售前小王", "售后小李"}


def test_my_profile_redirects_to_own_record(people):
    response = _client(people["aft_agent"]).get(reverse("org:me"))
    assert response.status_code == 302
    assert response["Location"] == reverse("org:person-detail", args=[people["aft_agent"].pk])


# ---------------------------------------------------------------- filters


def test_people_filters_by_unit_level_role_and_search(org, people):
    client = _client(people["admin"])
    url = reverse("org:person-list")
    assert _names(client.get(url, {"unit": org.cs.pk})) == {"主管", "售前小王", "售后小李"}
    assert _names(client.get(url, {"level": Level.SENIOR})) == {"售前小王"}
    assert _names(client.get(url, {"role": Role.SUPERVISOR})) == {"主管"}
    assert _names(client.get(url, {"q": "天猫"})) == {"天猫小赵"}
    assert _names(client.get(url, {"q": people["aft_agent"].employee_no})) == {"售后小李"}


def test_supervisor_cannot_filter_their_way_into_another_unit(org, people):
    response = _client(people["supervisor"]).get(reverse("org:person-list"), {"unit": org.tm.pk})
    # not one of their units: the filter is refused (with a message on the field) and the list stays scoped
    assert response.context["form"].errors["unit"]
    assert _names(response) == {"主管", "售前小王", "售后小李"}


def test_htmx_request_gets_only_the_results(people):
    response = _client(people["admin"]).get(reverse("org:person-list"), {"q": "售前"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "售前小王" in html and "售后小李" not in html


def test_people_list_pages(org, people, make_person):
    for _ in range(30):
        make_person(Role.AGENT, unit=org.aft, login=False)
    client = _client(people["admin"])
    first = client.get(reverse("org:person-list"))
    assert len(first.context["page"].object_list) == 25
    second = client.get(reverse("org:person-list"), {"page": 2})
    assert len(second.context["page"].object_list) == 36 - 25


# ---------------------------------------------------------------- forms write the audit log


def test_administrator_creates_a_unit_and_the_audit_log_records_it(org, people):
    response = _client(people["admin"]).post(reverse("org:unit-create"), {
        "name": "投诉组", "code": "CS-CMP", "kind": "team", "parent": org.cs.pk})
    unit = OrgUnit.objects.get(code="CS-CMP")
    assert response.status_code == 302 and response["Location"] == reverse("org:unit-detail", args=[unit.pk])
    assert unit.path.startswith(org.cs.path)
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="org.orgunit", object_id=str(unit.pk))
    assert entry.actor == people["admin"].user


def test_duplicate_unit_code_gets_a_field_message_and_writes_nothing(org, people):
    client = _client(people["admin"])  # logging in writes an entry of its own
    before = AuditEntry.objects.count()
    response = client.post(reverse("org:unit-create"), {
        "name": "重复", "code": "CS", "kind": "team", "parent": org.cs.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert 'class="errorlist' in response.content.decode()
    assert AuditEntry.objects.count() == before


def test_unit_cannot_move_under_its_own_sub_unit(org, people):
    response = _client(people["admin"]).post(reverse("org:unit-update", args=[org.cs.pk]), {
        "name": org.cs.name, "code": org.cs.code, "kind": org.cs.kind, "parent": org.pre.pk, "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    org.cs.refresh_from_db()
    assert org.cs.parent == org.hq


def test_unit_rename_is_recorded_with_old_and_new_values(org, people):
    _client(people["admin"]).post(reverse("org:unit-update", args=[org.pre.pk]), {
        "name": "售前一组", "code": org.pre.code, "kind": org.pre.kind, "parent": org.cs.pk, "active": "on"})
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_type="org.orgunit").latest("id")
    assert entry.changes == {"name": ["售前组", "售前一组"]}


def test_training_manager_adds_a_person(org, people):
    response = _client(people["manager"]).post(reverse("org:person-create"), {
        "employee_no": "E9001", "name": "新人小孙", "unit": org.pre.pk, "hire_date": "2026-11-02",
        "level": "junior", "status": "active"})
    person = Person.objects.get(employee_no="E9001")
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.CREATE, object_type="org.person", object_id=str(person.pk))
    assert entry.actor == people["manager"].user


def test_person_form_reports_bad_input_on_each_field(org, people):
    response = _client(people["admin"]).post(reverse("org:person-create"), {
        "employee_no": people["pre_agent"].employee_no, "name": "", "unit": org.pre.pk,
        "hire_date": "2026-13-45", "level": "junior", "status": "left"})
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert {"employee_no", "name", "hire_date", "left_on"} <= set(errors)


def test_person_update_records_the_change(people):
    person = people["aft_agent"]
    response = _client(people["admin"]).post(reverse("org:person-update", args=[person.pk]), {
        "employee_no": "IGNORED", "name": person.name, "unit": person.unit_id, "level": "intermediate",
        "status": "active"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.level == "intermediate"
    assert person.employee_no != "IGNORED"  # the field is disabled
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(person.pk)).latest("id")
    assert entry.changes["level"] == ["junior", "intermediate"]


@pytest.mark.parametrize("viewer", ["supervisor", "pre_agent"])
def test_people_and_units_cannot_be_edited_by_other_roles(org, people, viewer):
    client = _client(people[viewer])
    assert client.get(reverse("org:person-create")).status_code == 403
    assert client.get(reverse("org:unit-create")).status_code == 403
    assert client.post(reverse("org:person-update", args=[people["pre_agent"].pk]), {}).status_code == 403


def test_administrator_grants_and_revokes_a_role(org, people):
    client = _client(people["admin"])
    person = people["pre_agent"]
    response = client.post(reverse("org:person-role-grant", args=[person.pk]), {"role": Role.MENTOR})
    assert response.status_code == 302
    assignment = RoleAssignment.objects.get(person=person, role=Role.MENTOR)
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_GRANT, object_id=str(person.pk)).exists()
    client.post(reverse("org:person-role-revoke", args=[person.pk, assignment.pk]))
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.ROLE_REVOKE, object_id=str(person.pk)).exists()


def test_training_manager_cannot_grant_roles(people):
    response = _client(people["manager"]).post(
        reverse("org:person-role-grant", args=[people["manager"].pk]), {"role": Role.ADMIN})
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(person=people["manager"], role=Role.ADMIN).exists()


def test_administrator_sets_a_login_with_a_checked_password(people, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    person = people["shop_agent"]
    client = _client(people["admin"])
    weak = client.post(reverse("org:person-login", args=[person.pk]), {"username": "zhao", "password": "123"})
    assert weak.status_code == 200 and weak.context["form"].errors["password"]
    taken = client.post(reverse("org:person-login", args=[person.pk]),
                        {"username": people["admin"].user.username, "password": "Tmall-2026-ok"})
    assert taken.context["form"].errors["username"]
    ok = client.post(reverse("org:person-login", args=[person.pk]), {"username": "zhao", "password": "Tmall-2026-ok"})
    assert ok.status_code == 302
    assert Client().login(username="zhao", password="Tmall-2026-ok")


# ---------------------------------------------------------------- audit log viewer


@pytest.mark.parametrize("viewer", ["manager", "supervisor", "pre_agent"])
def test_audit_log_is_for_administrators_only(people, viewer):
    assert _client(people[viewer]).get(reverse("org:audit-list")).status_code == 403


def test_audit_log_filters_and_shows_readable_changes(org, people):
    services.unit_update(actor=people["admin"].user, unit=org.aft, name="售后服务组")
    client = _client(people["admin"])
    response = client.get(reverse("org:audit-list"), {"action": AuditAction.UPDATE, "object_type": "org.orgunit"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 1
    assert rows[0]["changes"] == [{"field": "名称", "before": "售后组", "after": "售后服务组", "is_pair": True}]
    html = response.content.decode()
    assert "售后服务组" in html and "组织单元" in html

    by_actor = client.get(reverse("org:audit-list"), {"actor": people["admin"].user.pk})
    assert {r["entry"].actor_id for r in by_actor.context["rows"]} == {people["admin"].user.pk}
    by_text = client.get(reverse("org:audit-list"), {"text": "天猫小赵"})
    assert by_text.context["rows"] and all("天猫小赵" in r["entry"].object_repr for r in by_text.context["rows"])
    future = client.get(reverse("org:audit-list"), {"date_from": "2999-01-01"})
    assert future.context["rows"] == []


def test_audit_log_reports_a_reversed_date_range(people):
    response = _client(people["admin"]).get(
        reverse("org:audit-list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"})
    assert response.context["form"].errors["date_to"]


def test_audit_log_offers_no_way_to_change_entries(people):
    html = _client(people["admin"]).get(reverse("org:audit-list")).content.decode()
    assert 'method="post"' not in html.split('id="audit-results"', 1)[1]


def test_audit_log_shows_choice_labels_not_codes(people):
    services.person_update(actor=people["admin"].user, person=people["aft_agent"], level=Level.SENIOR)
    response = _client(people["admin"]).get(reverse("org:audit-list"), {"action": AuditAction.UPDATE})
    changes = response.context["rows"][0]["changes"]
    assert changes == [{"field": "级别", "before": "初级", "after": "高级", "is_pair": True}]


def test_role_grant_form_has_no_preselected_role(people):
    html = _client(people["admin"]).get(reverse("org:person-detail", args=[people["pre_agent"].pk])).content.decode()
    grant = html.split('name="role"', 1)[1].split("</select>", 1)[0]
    assert '<option value="" selected>' in grant


def test_person_page_links_to_exactly_their_audit_entries(people):
    client = _client(people["admin"])
    person = people["pre_agent"]
    html = client.get(reverse("org:person-detail", args=[person.pk])).content.decode()
    assert f"?object_type=org.person&amp;object_id={person.pk}" in html
    response = client.get(reverse("org:audit-list"), {"object_type": "org.person", "object_id": person.pk})
    assert response.context["rows"]
    assert {r["entry"].object_id for r in response.context["rows"]} == {str(person.pk)}
