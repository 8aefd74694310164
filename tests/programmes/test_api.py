"""The REST API: programmes and sessions scoped like the pages, notices personal."""

from __future__ import annotations

from rest_framework.test import APIClient

from servicecoach.programmes import services
from servicecoach.programmes.models import Notice


def _api(person) -> APIClient:
    client = APIClient()
    client.force_authenticate(person.user)
    return client


def test_programmes_and_sessions_are_scoped(people, session):
    data = _api(people.agent).get("/api/v1/programmes/").json()
    rows = data["results"] if isinstance(data, dict) else data
    assert [r["title"] for r in rows] == [session.programme.title]
    assert [p["name"] for p in rows[0]["participants"]] == ["新人甲"]  # an agent sees only themselves
    staff_rows = _api(people.manager).get("/api/v1/programmes/").json()
    staff_rows = staff_rows["results"] if isinstance(staff_rows, dict) else staff_rows
    assert {p["name"] for p in staff_rows[0]["participants"]} == {"新人甲", "新人乙"}
    assert _api(people.outsider).get(f"/api/v1/programmes/{session.programme_id}/").status_code == 404
    detail = _api(people.trainer).get(f"/api/v1/classroom-sessions/{session.pk}/").json()
    assert detail["venue"] == "三楼培训室" and {p["kind"] for p in detail["participants"]} == {"new_hire", "retrainee"}
    assert _api(people.mentor).get(f"/api/v1/classroom-sessions/{session.pk}/").status_code == 404
    mine = _api(people.agent).get(f"/api/v1/classroom-sessions/{session.pk}/").json()
    assert [p["name"] for p in mine["participants"]] == ["新人甲"]


def test_notices_are_personal_and_can_be_marked_read(people, session):
    services.session_send_notice(actor=people.manager.user, session=session)
    notice = Notice.objects.get(recipient=people.agent)
    assert _api(people.agent2).post(f"/api/v1/notices/{notice.pk}/read/").status_code == 404
    response = _api(people.agent).post(f"/api/v1/notices/{notice.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    notice.refresh_from_db()
    assert notice.read_at is not None
