"""The QR code in the room: the code page shows an inline SVG QR code of the sign-in address with the day's code;
that address opens the sign-in page with the code filled in, and signing in from it follows the usual rules."""

from __future__ import annotations

import pytest
import segno
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from servicecoach.org.models import CalendarOverride
from servicecoach.programmes import qr
from servicecoach.programmes.models import Attendance, ClassroomSession


@pytest.fixture
def session_today(session):
    today = timezone.localdate()
    # Make sure today is a class day whatever the calendar says (the override is the administrator's word).
    CalendarOverride.objects.update_or_create(date=today, defaults={"is_working_day": True})
    ClassroomSession.objects.filter(pk=session.pk).update(start_date=today, end_date=today)
    session.refresh_from_db()
    return session


def _client(person):
    client = Client()
    client.force_login(person.user)
    return client


def test_code_page_shows_an_svg_qr_code_of_the_sign_in_url(people, session_today):
    page = _client(people.trainer).get(reverse("programmes:session-code", args=[session_today.pk]))
    code = page.context["code"].code
    url = page.context["sign_in_url"]
    expected = "http://testserver" + reverse("programmes:session-sign-in", args=[session_today.pk]) + f"?code={code}"
    assert url == expected == qr.sign_in_url(page.wsgi_request, session_today.pk, code)
    html = page.content.decode()
    assert html.count("<svg") >= 1 and 'class="sign-in-qr"' in html
    # The SVG drawn is exactly the QR code of that address (same symbol as segno makes for it).
    assert str(qr.qr_svg(url, title="x")).split("<path", 1)[1] in html
    assert segno.make(url, error="m").designator  # the address fits a regular QR code
    assert "cdn" not in html.lower()


def test_no_qr_code_on_a_day_without_class(people, session):
    page = _client(people.trainer).get(reverse("programmes:session-code", args=[session.pk]))
    if session.start_date == timezone.localdate():
        pytest.skip("the session happens to start today")
    assert page.context["code"] is None and page.context["qr"] == ""
    assert 'class="sign-in-qr"' not in page.content.decode()


def test_the_scanned_address_fills_the_code_and_signs_in_once(people, session_today):
    code = _client(people.trainer).get(reverse("programmes:session-code", args=[session_today.pk])).context["code"]
    agent = _client(people.agent)
    path = qr.sign_in_path(session_today.pk, code.code)
    page = agent.get(path)
    assert page.status_code == 200
    assert page.context["form"].initial["code"] == code.code
    assert f'value="{code.code}"' in page.content.decode()
    response = agent.post(path, {"code": code.code})
    assert response.status_code == 302
    assert Attendance.objects.get(person=people.agent, session=session_today).signed_in_at is not None
    again = agent.post(path, {"code": code.code})  # the reuse rule is unchanged
    assert again.status_code == 200 and again.context["form"].errors["code"]


def test_a_scanned_address_with_junk_fills_nothing(people, session_today):
    page = _client(people.agent).get(reverse("programmes:session-sign-in", args=[session_today.pk]) + "?code=<b>x")
    assert page.status_code == 200 and "code" not in (page.context["form"].initial or {})


def test_an_outsider_scanning_the_code_is_refused(people, session_today):
    code = _client(people.trainer).get(reverse("programmes:session-code", args=[session_today.pk])).context["code"]
    response = _client(people.outsider).get(qr.sign_in_path(session_today.pk, code.code))
    assert response.status_code in (403, 404)
    assert not Attendance.objects.filter(person=people.outsider).exists()
