"""Acknowledging a service standard: who is asked, who has not, who sees which report."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from servicecoach.knowledge import selectors, services
from servicecoach.knowledge.models import Acknowledgement
from servicecoach.org.models import Role
from servicecoach.org.services import person_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def standard(editor):
    return services.article_create(kind="standard", title="服务红线", author=editor.user,
                                   fields={"area": "red_line", "body": "不得索要验证码。"})


@pytest.fixture
def people(make_person, org):
    return {
        "pre_agent": make_person(Role.AGENT, unit=org.pre, name="售前甲"),
        "pre_agent2": make_person(Role.AGENT, unit=org.pre, name="售前乙"),
        "aft_agent": make_person(Role.AGENT, unit=org.aft, name="售后丙"),
        "ec_agent": make_person(Role.AGENT, unit=org.ec, name="电商丁"),
        "pre_supervisor": make_person(Role.SUPERVISOR, unit=org.pre, scope=org.pre, name="售前主管"),
    }


def test_request_asks_every_active_person_of_the_units_and_below(standard, people, org, editor):
    person_update(actor=None, person=people["pre_agent2"], status="left")
    request = services.acknowledgement_request_create(article=standard, units=[org.cs], actor=editor.user)
    asked = set(request.acknowledgements.values_list("person__name", flat=True))
    assert asked == {"售前甲", "售后丙", "售前主管"}  # not the one who left, not the other department
    assert request.version == standard.version


def test_report_lists_who_has_not_acknowledged(standard, people, org, editor):
    request = services.acknowledgement_request_create(article=standard, units=[org.cs], actor=editor.user)
    row = request.acknowledgements.get(person=people["pre_agent"])
    services.acknowledge(acknowledgement=row, actor=people["pre_agent"].user)
    first = Acknowledgement.objects.get(pk=row.pk).acknowledged_at
    services.acknowledge(acknowledgement=row, actor=people["pre_agent"].user)  # twice keeps the first time
    assert Acknowledgement.objects.get(pk=row.pk).acknowledged_at == first

    report = selectors.acknowledgement_report(user=editor.user, request=request)
    assert report["total"] == 4
    assert [r.person.name for r in report["done"]] == ["售前甲"]
    assert {r.person.name for r in report["pending"]} == {"售前乙", "售后丙", "售前主管"}
    by_unit = {u["unit"].code: (u["total"], u["done"], u["pending"]) for u in report["units"]}
    assert by_unit == {"CS-PRE": (3, 1, 2), "CS-AFT": (1, 0, 1)}


def test_supervisor_report_is_limited_to_their_team(client, standard, people, org, editor):
    request = services.acknowledgement_request_create(article=standard, units=[org.cs], actor=editor.user)
    supervisor = people["pre_supervisor"]
    report = selectors.acknowledgement_report(user=supervisor.user, request=request)
    assert {r.person.name for r in report["pending"]} == {"售前甲", "售前乙", "售前主管"}  # not 售后丙 of the other team
    other = services.acknowledgement_request_create(article=standard, units=[org.aft], actor=editor.user)
    client.force_login(supervisor.user)
    assert client.get(reverse("knowledge:acknowledgement-report", args=[request.pk])).status_code == 200
    assert client.get(reverse("knowledge:acknowledgement-report", args=[other.pk])).status_code == 404


def test_agent_acknowledges_own_task_only(client, standard, people, org, editor):
    request = services.acknowledgement_request_create(article=standard, units=[org.pre], actor=editor.user)
    own = request.acknowledgements.get(person=people["pre_agent"])
    colleague = request.acknowledgements.get(person=people["pre_supervisor"])
    client.force_login(people["pre_agent"].user)
    page = client.get(reverse("knowledge:article-detail", args=[standard.pk]))
    assert reverse("knowledge:acknowledge", args=[own.pk]) in page.content.decode()
    assert client.post(reverse("knowledge:acknowledge", args=[colleague.pk])).status_code == 404
    assert client.post(reverse("knowledge:acknowledge", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    colleague.refresh_from_db()
    assert own.acknowledged_at is not None and colleague.acknowledged_at is None
    mine = client.get(reverse("knowledge:my-acknowledgements"))
    assert list(mine.context["done"]) == [own] and mine.context["pending"] == []


def test_only_published_standards_are_acknowledged(editor, org, people):
    faq = services.article_create(kind="faq", title="问", fields={"answer": "答"}, author=editor.user)
    with pytest.raises(ValidationError):
        services.acknowledgement_request_create(article=faq, units=[org.cs], actor=editor.user)
    draft = services.article_create(kind="standard", title="草稿规范", status="draft", author=editor.user,
                                    fields={"area": "process", "body": "流程"})
    with pytest.raises(ValidationError):
        services.acknowledgement_request_create(article=draft, units=[org.cs], actor=editor.user)


def test_request_form_names_the_missing_units(client, standard, editor):
    client.force_login(editor.user)
    response = client.post(reverse("knowledge:acknowledgement-request-create", args=[standard.pk]), {})
    assert response.status_code == 200 and response.context["form"].errors["units"]


def test_request_list_counts_only_the_people_each_reader_may_see(client, standard, people, org, editor):
    request = services.acknowledgement_request_create(article=standard, units=[org.cs], actor=editor.user)
    services.acknowledge(acknowledgement=request.acknowledgements.get(person=people["aft_agent"]), actor=None)
    client.force_login(editor.user)
    rows = client.get(reverse("knowledge:acknowledgement-requests")).context["summaries"]
    assert [(r["asked"], r["acked"], r["pending"]) for r in rows] == [(4, 1, 3)]
    client.force_login(people["pre_supervisor"].user)
    rows = client.get(reverse("knowledge:acknowledgement-requests")).context["summaries"]
    assert [(r["asked"], r["acked"], r["pending"]) for r in rows] == [(3, 0, 3)]  # 售前组 only
    client.force_login(people["pre_agent"].user)
    assert client.get(reverse("knowledge:acknowledgement-requests")).status_code == 403


def test_acknowledging_a_new_version_settles_the_older_request(standard, people, org, editor):
    old = services.acknowledgement_request_create(article=standard, units=[org.pre], actor=editor.user)
    services.article_update(article=standard, author=editor.user, fields={"area": "red_line", "body": "不得索要密码。"})
    standard.refresh_from_db()
    new = services.acknowledgement_request_create(article=standard, units=[org.pre], actor=editor.user)
    assert (old.version, new.version) == (1, 2)
    agent = people["pre_agent"]
    services.acknowledge(acknowledgement=new.acknowledgements.get(person=agent), actor=agent.user)
    assert old.acknowledgements.get(person=agent).acknowledged_at is not None
    assert old.acknowledgements.get(person=people["pre_agent2"]).acknowledged_at is None  # only their own
    assert not selectors.my_pending_acknowledgements(agent.user).exists()


def test_report_exports_to_excel_with_the_readers_people_only(client, standard, people, org, editor):
    import io

    from openpyxl import load_workbook

    request = services.acknowledgement_request_create(article=standard, units=[org.cs], actor=editor.user)
    services.acknowledge(acknowledgement=request.acknowledgements.get(person=people["pre_agent"]), actor=None)
    client.force_login(people["pre_supervisor"].user)
    response = client.get(reverse("knowledge:acknowledgement-report-export", args=[request.pk]))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert sorted(r[1] for r in rows) == sorted(["售前甲", "售前乙", "售前主管"])  # not the other team's 售后丙
    done = [r for r in rows if r[1] == "售前甲"][0]
    assert done[4] is not None and all(r[4] is None for r in rows if r[1] != "售前甲")
