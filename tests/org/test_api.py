"""The organisation's REST API: scoping per role, token login, writes through the audited services,
and the OpenAPI schema and its offline docs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient
from tests.permissions.sample_org import build_sample_org

from servicecoach.org import services
from servicecoach.org.models import AuditAction, AuditEntry, OrgUnit, Person

ALL_PEOPLE = {"S001", "S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009"}
ALL_UNITS = {"SMP", "SMP-SVC", "SMP-TRN", "SMP-A", "SMP-B"}


@pytest.fixture
def sample(db):
    return build_sample_org()


def client_for(sample, role: str | None) -> APIClient:
    client = APIClient()
    if role is not None:
        client.force_authenticate(sample.users[role])
    return client


def employee_numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["employee_no"] for row in response.json()["results"]}


# --- scoping ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ALL_PEOPLE),
        ("training_manager", ALL_PEOPLE),
        ("supervisor", {"S006", "S007", "S008"}),  # Team A: the supervisor, the agent, the teammate
        ("agent", {"S007"}),
        ("trainer", {"S003"}),
        ("mentor", {"S004"}),
        ("qa_reviewer", {"S005"}),
    ],
)
def test_people_list_is_scoped_to_the_user(sample, role, expected):
    assert employee_numbers(client_for(sample, role).get("/api/v1/people/")) == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("admin", ALL_UNITS),
        ("training_manager", ALL_UNITS),
        ("supervisor", {"SMP-A"}),
        ("agent", {"SMP-A"}),
        ("trainer", {"SMP-TRN"}),
        ("mentor", {"SMP-B"}),
        ("qa_reviewer", {"SMP-TRN"}),
    ],
)
def test_units_list_is_scoped_to_the_user(sample, role, expected):
    response = client_for(sample, role).get("/api/v1/units/")
    assert response.status_code == 200
    assert {row["code"] for row in response.json()["results"]} == expected


def test_supervisor_sees_own_team_member_and_gets_404_for_another_team(sample):
    client = client_for(sample, "supervisor")
    own = client.get(f"/api/v1/people/{sample.teammate.pk}/")
    assert own.status_code == 200
    assert own.json()["name"] == sample.teammate.name
    assert own.json()["roles"] == [{"role": "agent", "unit": None}]
    assert client.get(f"/api/v1/people/{sample.outsider.pk}/").status_code == 404


def test_agent_sees_only_themselves(sample):
    client = client_for(sample, "agent")
    assert client.get(f"/api/v1/people/{sample.people['agent'].pk}/").status_code == 200
    assert client.get(f"/api/v1/people/{sample.teammate.pk}/").status_code == 404
    assert client.get(f"/api/v1/units/{sample.units['team_b'].pk}/").status_code == 404


def test_people_list_filters(sample):
    client = client_for(sample, "admin")
    assert employee_numbers(client.get("/api/v1/people/", {"unit": sample.units["team_b"].pk})) == {"S004", "S009"}
    assert employee_numbers(client.get("/api/v1/people/", {"unit": sample.units["service"].pk})) == {
        "S004", "S006", "S007", "S008", "S009"}
    assert employee_numbers(client.get("/api/v1/people/", {"role": "agent"})) == {"S007", "S008", "S009"}
    assert employee_numbers(client.get("/api/v1/people/", {"search": "孙丽"})) == {"S008"}
    assert employee_numbers(client.get("/api/v1/people/", {"search": "S00"})) == ALL_PEOPLE
    services.person_update(actor=None, person=sample.outsider, status="left")
    assert employee_numbers(client.get("/api/v1/people/", {"status": "left"})) == {"S009"}


def test_people_list_filters_stay_within_scope(sample):
    client = client_for(sample, "supervisor")
    assert employee_numbers(client.get("/api/v1/people/", {"role": "agent"})) == {"S007", "S008"}
    response = client.get("/api/v1/people/", {"unit": sample.units["team_b"].pk})
    assert response.status_code == 400
    assert "unit" in response.json()


def test_bad_filter_value_is_reported_with_its_name(sample):
    response = client_for(sample, "admin").get("/api/v1/people/", {"role": "boss", "level": "guru"})
    assert response.status_code == 400
    body = response.json()
    assert "Unknown role 'boss'" in body["role"][0]
    assert "Unknown level 'guru'" in body["level"][0]


# --- authentication -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["/api/v1/", "/api/v1/me/", "/api/v1/people/", "/api/v1/units/", "/api/schema/"])
def test_anonymous_gets_401_with_a_token_challenge(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_login_then_token_authentication(sample):
    services.person_set_login(actor=None, person=sample.people["agent"], username="agent", password="s3cret-pw")
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "agent", "password": "s3cret-pw"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert len(token) == 40

    login = AuditEntry.objects.filter(action=AuditAction.LOGIN).first()
    assert login is not None and login.actor == sample.users["agent"]
    assert login.changes == {"via": "api token"}

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "agent"
    assert me.json()["roles"] == ["agent"]
    assert me.json()["person"]["employee_no"] == "S007"
    # The same token again on a second request for a token.
    again = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": "s3cret-pw"}, format="json")
    assert again.json()["token"] == token


def test_wrong_password_gets_400_and_a_failed_login_entry(sample):
    services.person_set_login(actor=None, person=sample.people["agent"], username="agent", password="s3cret-pw")
    response = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "Unable to log in" in response.json()["non_field_errors"][0]
    failed = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert failed is not None and failed.actor_name == "agent"


def test_invalid_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert client.get("/api/v1/me/").status_code == 401


def test_person_who_left_cannot_get_a_token(sample):
    services.person_set_login(actor=None, person=sample.people["agent"], username="agent", password="s3cret-pw")
    services.person_update(actor=None, person=sample.people["agent"], status="left")
    response = APIClient().post("/api/v1/auth/token/", {"username": "agent", "password": "s3cret-pw"}, format="json")
    assert response.status_code == 400


def test_me_for_a_login_without_person(db, django_user_model):
    user = django_user_model.objects.create(username="root", is_superuser=True, is_staff=True)
    client = APIClient()
    client.force_authenticate(user)
    body = client.get("/api/v1/me/").json()
    assert body == {"id": user.pk, "username": "root", "is_staff": True, "roles": ["admin"], "person": None}


# --- writes ---------------------------------------------------------------------------------------------------
def test_admin_creates_a_person_and_the_audit_log_records_it(sample):
    response = client_for(sample, "admin").post("/api/v1/people/", {
        "employee_no": "N100", "name": "新人 钱多多", "unit": sample.units["team_a"].pk, "hire_date": "2026-11-02",
        "level": "junior",
    }, format="json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(employee_no="N100")
    assert response.json()["id"] == person.pk
    entry = AuditEntry.objects.filter(action=AuditAction.CREATE, object_type="org.person").first()
    assert entry.object_id == str(person.pk)
    assert entry.actor == sample.users["admin"]
    assert entry.changes["name"] == "新人 钱多多"


def test_training_manager_updates_a_person_through_the_service(sample):
    response = client_for(sample, "training_manager").patch(
        f"/api/v1/people/{sample.teammate.pk}/", {"level": "senior"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["level"] == "senior"
    entry = AuditEntry.objects.filter(action=AuditAction.UPDATE, object_id=str(sample.teammate.pk)).first()
    assert entry.changes == {"level": ["junior", "senior"]}
    assert entry.actor == sample.users["training_manager"]


def test_employee_number_cannot_change(sample):
    response = client_for(sample, "admin").patch(
        f"/api/v1/people/{sample.teammate.pk}/", {"employee_no": "X1"}, format="json")
    assert response.status_code == 400
    assert "employee_no" in response.json()


@pytest.mark.parametrize("role", ["supervisor", "agent", "trainer", "mentor", "qa_reviewer"])
def test_other_roles_cannot_create_or_change_people(sample, role):
    client = client_for(sample, role)
    created = client.post("/api/v1/people/", {"employee_no": "N1", "name": "x", "unit": sample.units["team_a"].pk},
                          format="json")
    assert created.status_code == 403
    changed = client.patch(f"/api/v1/people/{sample.people[role].pk}/", {"phone": "1"}, format="json")
    assert changed.status_code == 403
    assert not Person.objects.filter(employee_no="N1").exists()


def test_admin_creates_and_moves_a_unit_with_audit_entries(sample):
    client = client_for(sample, "admin")
    response = client.post("/api/v1/units/", {"name": "Team C", "code": "SMP-C", "kind": "team",
                                              "parent": sample.units["service"].pk}, format="json")
    assert response.status_code == 201, response.content
    unit = OrgUnit.objects.get(code="SMP-C")
    assert response.json()["path"] == f"{sample.units['service'].path}{unit.pk}/"
    moved = client.patch(f"/api/v1/units/{unit.pk}/", {"parent": sample.units["training"].pk}, format="json")
    assert moved.status_code == 200
    assert moved.json()["path"].startswith(sample.units["training"].path)
    actions = list(AuditEntry.objects.filter(object_type="org.orgunit", object_id=str(unit.pk))
                   .values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


def test_unit_errors_name_the_field(sample):
    client = client_for(sample, "admin")
    duplicate = client.post("/api/v1/units/", {"name": "Again", "code": "SMP-A", "kind": "team"}, format="json")
    assert duplicate.status_code == 400
    assert "code" in duplicate.json()
    company = sample.units["company"]
    loop = client.patch(f"/api/v1/units/{company.pk}/", {"parent": sample.units["team_a"].pk}, format="json")
    assert loop.status_code == 400
    assert "cannot be moved under itself" in loop.json()["parent"][0]


def test_training_manager_cannot_change_units(sample):
    response = client_for(sample, "training_manager").patch(
        f"/api/v1/units/{sample.units['team_a'].pk}/", {"name": "Renamed"}, format="json")
    assert response.status_code == 403


# --- schema and docs -----------------------------------------------------------------------------------------
def test_schema_is_valid_openapi(db):
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on an invalid document
    assert "/api/v1/people/{id}/" in schema["paths"]
    assert "/api/v1/auth/token/" in schema["paths"]


def test_schema_is_served_to_signed_in_users(sample):
    response = client_for(sample, "agent").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "ServiceCoach API"


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_docs_pages_load_nothing_from_outside_the_site(sample, url):
    client = client_for(sample, "agent")
    client.force_login(sample.users["agent"])  # the docs page is a plain HTML page: session login
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    external = [u for u in re.findall(r"""https?://[^\s"'<>)]+|(?<=["'])//[^\s"'<>)]+""", html)
                if urlsplit(u).hostname not in (None, "testserver")]
    assert not external, f"{url} references outside URLs: {external}"
    assets = re.findall(r"""(?:src|href)=["'](/static/[^"']+)""", html)
    assert assets, f"{url} references no static asset: is the sidecar configured?"
    for asset in assets:
        assert client.get(asset).status_code == 200, f"{asset} is not served"
