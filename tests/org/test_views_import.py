"""The import and calendar pages, driven through the test client."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from servicecoach.org.models import AuditEntry, CalendarOverride, Person, Role
from servicecoach.org.workdays import statutory_covers

pytestmark = pytest.mark.django_db


def _xlsx(rows):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def manager_client(client, make_person, org):
    client.force_login(make_person(Role.TRAINING_MANAGER, unit=org.hq).user)
    return client


def test_upload_shows_created_rows_and_errors_with_row_numbers(manager_client, settings):
    settings.LANGUAGE_CODE = "en"
    data = _xlsx([["工号", "姓名", "部门/团队编码", "入职日期"],
                  ["HX1", "周杰", "CS-PRE", "2025-01-02"],
                  ["HX2", "吴敏", "CS-PRE", "昨天"]])
    response = manager_client.post(reverse("org:people-import"),
                                   {"file": SimpleUploadedFile("people.xlsx", data)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    page = response.content.decode()
    assert "周杰" in page and "HX1" in page
    assert "Row 3, 入职日期" in page or "第 3 行" in page
    assert Person.objects.filter(employee_no="HX1").exists()
    assert not Person.objects.filter(employee_no="HX2").exists()
    assert AuditEntry.objects.filter(action="import").count() == 1


def test_upload_of_a_non_excel_file_says_so(manager_client):
    response = manager_client.post(reverse("org:people-import"),
                                   {"file": SimpleUploadedFile("people.csv", b"a,b\n1,2\n")})
    assert response.status_code == 200
    assert "people.csv" in response.content.decode()
    assert Person.objects.count() == 1  # only the manager


def test_upload_without_file_shows_the_form_again(manager_client):
    response = manager_client.post(reverse("org:people-import"), {})
    assert response.status_code == 200
    assert b'type="file"' in response.content


def test_template_download(manager_client):
    response = manager_client.get(reverse("org:people-import-template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A1"].value == "工号"


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.AGENT, Role.TRAINER])
def test_others_may_not_import(client, make_person, role):
    client.force_login(make_person(role).user)
    assert client.get(reverse("org:people-import")).status_code == 403
    assert client.get(reverse("org:people-import-template")).status_code == 403
    assert client.get(reverse("org:calendar")).status_code == 403


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_calendar_add_check_and_delete(admin_client, admin_user):
    url = reverse("org:calendar")
    response = admin_client.post(url, {"action": "set", "set-date": "2027-02-08", "set-is_working_day": "0",
                                       "set-note": "公司春节假期"})
    assert response.status_code == 302
    override = CalendarOverride.objects.get(date=date(2027, 2, 8))
    assert override.is_working_day is False and override.note == "公司春节假期"
    page = admin_client.get(url).content.decode()
    assert "公司春节假期" in page and "2027-02-08" in page

    page = admin_client.get(url, {"day": "2027-02-05", "n": "1"}).content.decode()
    if not statutory_covers(2027):
        assert "2027-02-09" in page  # Monday 8 Feb is the company holiday
        assert "alert-warning" in page  # Friday 5 Feb is outside the statute: the notice shows

    response = admin_client.post(url, {"action": "delete", "date": "2027-02-08"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditEntry.objects.filter(object_type="org.calendaroverride").count() == 2


def test_calendar_check_of_a_statutory_date_has_no_fallback_notice(admin_client):
    page = admin_client.get(reverse("org:calendar"), {"day": "2026-02-13", "n": "2"}).content.decode()
    assert "2026-02-24" in page
    assert "alert-warning" not in page  # no "assumed Monday–Friday" notice


def test_calendar_set_with_bad_input_shows_the_error(admin_client):
    response = admin_client.post(reverse("org:calendar"), {"action": "set", "set-date": "not a date",
                                                           "set-is_working_day": "0"})
    assert response.status_code == 200
    assert b"errorlist" in response.content
    assert not CalendarOverride.objects.exists()
