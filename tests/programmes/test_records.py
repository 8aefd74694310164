"""The training record: who may read it, what it holds (also after the person leaves), the Excel export."""

from __future__ import annotations

from datetime import date
from io import BytesIO

from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from servicecoach.org.models import PersonStatus
from servicecoach.programmes import selectors, services


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _history(people, session):
    day1, day2 = selectors.session_days(session)
    services.attendance_record(actor=None, session=session, day=day1, marks={people.agent.pk: ("present", "")})
    services.attendance_record(actor=None, session=session, day=day2, marks={people.agent.pk: ("absent", "")})
    cert = services.certification_request(actor=None, person=people.mentor, criteria_met=list(services.MENTOR_CRITERIA))
    services.certification_decide(actor=people.manager.user, certification=cert, approve=True)
    services.mentor_assign(actor=None, mentor=people.mentor, mentee=people.agent, start_date=date(2025, 9, 1),
                           probation_end=date(2025, 12, 1))
    template = services.onboarding_template_save(actor=None, name="三周带教", description="", text="week 1: g\n- task: t")
    services.onboarding_start(actor=None, template=template, person=people.agent, start_date=date(2025, 9, 1))


def test_record_holds_sessions_attendance_onboarding_and_mentoring(people, session):
    _history(people, session)
    record = selectors.training_record(people.agent)
    (row,) = record["sessions"]
    assert row["counts"]["present"] == 1 and row["counts"]["absent"] == 1 and row["rate"] == 50
    assert [p["plan"].template.name for p in record["plans"]] == ["三周带教"]
    assert [m["assignment"].mentor for m in record["mentoring"]] == [people.mentor]
    assert record["paths"] == [] and record["quizzes"] == [] and record["exams"] == []


def test_who_reads_a_record(people, session):
    _history(people, session)
    url = reverse("programmes:record", args=[people.agent.pk])
    assert _client(people.agent).get(url).status_code == 200
    assert _client(people.supervisor).get(url).status_code == 200
    assert _client(people.mentor).get(url).status_code == 200  # a mentee, though in another team
    assert _client(people.manager).get(url).status_code == 200
    assert _client(people.agent2).get(url).status_code == 404
    assert _client(people.trainer).get(url).status_code == 404
    assert _client(people.mentor).get(reverse("programmes:record", args=[people.agent2.pk])).status_code == 404


def test_record_is_kept_when_the_person_leaves(people, session):
    _history(people, session)
    people.agent.status, people.agent.left_on = PersonStatus.LEFT, date(2026, 12, 31)
    people.agent.save()
    response = _client(people.manager).get(reverse("programmes:record", args=[people.agent.pk]))
    assert response.status_code == 200 and session.title in response.content.decode()


def test_excel_export(people, session):
    _history(people, session)
    response = _client(people.agent).get(reverse("programmes:record-export", args=[people.agent.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'training-record-{people.agent.employee_no}.xlsx"')
    workbook = load_workbook(BytesIO(response.content))
    assert len(workbook.sheetnames) == 9
    sessions = list(workbook[workbook.sheetnames[0]].iter_rows(values_only=True))
    assert sessions[1][1] == session.title and sessions[1][5:10] == (1, 0, 1, 0, 50)
    assert _client(people.agent2).get(reverse("programmes:record-export", args=[people.agent.pk])).status_code == 404
