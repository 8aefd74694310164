"""Cross-wiring with the programmes app: exam candidates drawn from a training programme (issue #5), and the
programme's classroom attendance feeding the overall-conduct part of an assessment (issue #6). Programmes,
sessions and attendance are made through the programmes app's own services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from tests.exams.test_assessments import RUBRIC

from servicecoach.exams import selectors, services
from servicecoach.exams.forms import ExamForm
from servicecoach.exams.models import AssessmentCandidate, AttendanceSource
from servicecoach.programmes import services as programmes

TODAY = datetime.date(2026, 11, 2)
DAYS = [datetime.date(2026, 11, 16), datetime.date(2026, 11, 17), datetime.date(2026, 11, 18)]


@pytest.fixture
def programme(org):
    return programmes.programme_create(actor=None, title="2026年11月新员工培训", kind="new_hire",
                                       start_date=DAYS[0], end_date=DAYS[-1],
                                       participants=[org.people["agent"], org.teammate])


@pytest.fixture
def session(org, programme):
    """Three days of classroom session: the agent attends two (one late) and misses one; the teammate all three."""
    session = programmes.session_schedule(
        actor=None, programme=programme, title="服务流程", trainer=org.people["trainer"], start_date=DAYS[0],
        end_date=DAYS[-1], day_start=datetime.time(9), day_end=datetime.time(17), venue="培训室A", capacity=10,
        participants=[(org.people["agent"], "new_hire"), (org.teammate, "new_hire")], today=TODAY)
    agent, mate = org.people["agent"].pk, org.teammate.pk
    for day, status in zip(DAYS, ["present", "late", "absent"], strict=True):
        programmes.attendance_record(actor=None, session=session, day=day,
                                     marks={agent: (status, ""), mate: ("present", "")})
    return session


def _assessment(org, programme=None, people=(), **extra):
    rubric = services.rubric_save(actor=None, rubric=None, title="实操", items=services.rubric_items_from_text(RUBRIC))
    fields = dict(title="2026年11月新员工考核", held_on=datetime.date(2026, 11, 20), theory_exam=None, rubric=rubric,
                  card_tags=[], margin_share=Decimal("0.20"), weight_theory=Decimal("0.3"),
                  weight_practical=Decimal("0.5"), weight_overall=Decimal("0.2"), rounding="none",
                  programme=programme)
    fields.update(extra)
    return services.assessment_save(actor=None, assessment=None, people=list(people), units=[],
                                    assessors=[org.people["trainer"], org.people["supervisor"]], **fields)


# ---------------------------------------------------------------- exam candidates from a programme (issue #5)


def test_exam_candidates_include_the_programme_participants_resolved_on_access(org, programme, fixed_paper,
                                                                                 make_exam):
    exam = make_exam(fixed_paper, people=[org.outsider])
    services.exam_save(actor=None, exam=exam, people=[org.outsider], units=[], programmes=[programme],
                       **{f: getattr(exam, f) for f in ("title", "paper", "opens_at", "closes_at", "duration_minutes",
                                                        "attempts_allowed", "pass_percent")})
    names = set(selectors.exam_candidates(exam).values_list("pk", flat=True))
    assert names == {org.outsider.pk, org.people["agent"].pk, org.teammate.pk}
    # someone joining the programme later is a candidate from then on; someone leaving is no longer
    programmes.programme_update(actor=None, programme=programme, participants=[org.teammate, org.people["mentor"]])
    names = set(selectors.exam_candidates(exam).values_list("pk", flat=True))
    assert names == {org.outsider.pk, org.teammate.pk, org.people["mentor"].pk}
    assert exam in selectors.exams_for_candidate(org.users["mentor"])
    assert exam not in selectors.exams_for_candidate(org.users["agent"])
    assert selectors.exam_candidates(exam).count() == 3  # no duplicates from the joins


def test_a_programme_participant_can_start_and_an_outsider_cannot(org, programme, fixed_paper, make_exam):
    exam = make_exam(fixed_paper, people=[])
    exam.programmes.set([programme])
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    assert attempt.person == org.people["agent"]
    with pytest.raises(ValidationError):
        services.attempt_start(exam=exam, person=org.outsider)


def test_the_exam_form_accepts_a_programme_alone_and_names_the_missing_candidates(org, programme, fixed_paper):
    base = {"title": "理论考试", "paper": fixed_paper.pk, "opens_at": "2026-11-20T09:00", "closes_at": "2026-11-20T12:00",
            "duration_minutes": 60, "attempts_allowed": 1, "layout": "one_page", "mc_policy": "all_or_nothing",
            "pass_percent": 60}
    form = ExamForm({**base, "programmes": [programme.pk]}, user=org.users["trainer"])
    assert form.is_valid(), form.errors
    empty = ExamForm(base, user=org.users["trainer"])
    assert not empty.is_valid()
    assert empty.errors["people"] == ["Name at least one candidate, unit or training programme."]


def test_a_trainer_creates_an_exam_for_a_programme_on_the_page(org, programme, fixed_paper, client):
    client.force_login(org.users["trainer"])
    response = client.post(reverse("exams:exam-create"), {
        "title": "培训班理论考试", "paper": fixed_paper.pk, "opens_at": "2026-11-20T09:00",
        "closes_at": "2026-11-20T12:00", "duration_minutes": 60, "attempts_allowed": 1, "layout": "one_page",
        "mc_policy": "all_or_nothing", "pass_percent": 60, "programmes": [programme.pk]})
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    from servicecoach.exams.models import Exam

    exam = Exam.objects.get(title="培训班理论考试")
    assert list(exam.programmes.all()) == [programme]
    page = client.get(reverse("exams:exam-detail", args=[exam.pk]))
    assert programme.title in page.content.decode()
    assert org.teammate.name in page.content.decode()


# ---------------------------------------------------------------- attendance feeding overall conduct (issue #6)


def test_programme_attendance_is_weighted_by_recorded_days(org, session, programme):
    found = selectors.programme_attendance(org.people["agent"], programme)
    assert found == {"rate": Decimal("0.6667"), "attended": 2, "days": 3, "sessions": 1}
    assert selectors.programme_attendance(org.teammate, programme)["rate"] == Decimal(1)
    assert selectors.programme_attendance(org.outsider, programme) is None


def test_a_linked_assessment_takes_its_candidates_and_attendance_from_the_programme(org, session, programme):
    assessment = _assessment(org, programme, people=[org.outsider], conduct_attendance=Decimal("0.5"),
                             conduct_participation=Decimal("0.25"), conduct_teamwork=Decimal("0.25"))
    persons = set(assessment.candidates.values_list("person_id", flat=True))
    assert persons == {org.outsider.pk, org.people["agent"].pk, org.teammate.pk}
    candidate = AssessmentCandidate.objects.get(assessment=assessment, person=org.people["agent"])
    services.conduct_save(actor=None, candidate=candidate, attendance_rate=None, participation=[Decimal(4)],
                          teamwork=[Decimal(4)], from_programme=True)
    candidate.refresh_from_db()
    assert candidate.attendance_source == AttendanceSource.PROGRAMME
    assert candidate.attendance_rate == Decimal("0.6667")
    services.result_compute(candidate=candidate)
    # 66.67 x 0.5 + 80 x 0.25 + 80 x 0.25 = 73.335 -> 73.34
    assert candidate.overall_percent == Decimal("73.34")
    # the trainer corrects the absent day to present; the next computation follows the record
    programmes.attendance_record(actor=None, session=session, day=DAYS[2], marks={org.people["agent"].pk: ("present", "")})
    services.result_compute(candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.attendance_rate == Decimal(1)
    assert candidate.overall_percent == Decimal("90.00")


def test_attendance_from_the_programme_is_refused_when_there_is_none(org, session, programme):
    assessment = _assessment(org, programme, people=[org.outsider])
    outsider = AssessmentCandidate.objects.get(assessment=assessment, person=org.outsider)
    with pytest.raises(ValidationError, match="No attendance of 客服 周杰 is recorded in the sessions of"):
        services.conduct_save(actor=None, candidate=outsider, attendance_rate=None, participation=[Decimal(4)],
                              teamwork=[Decimal(4)], from_programme=True)
    unlinked = _assessment(org, None, people=[org.people["agent"]])
    candidate = unlinked.candidates.get()
    with pytest.raises(ValidationError, match="not linked to a training programme"):
        services.conduct_save(actor=None, candidate=candidate, attendance_rate=None, participation=[Decimal(4)],
                              teamwork=[Decimal(4)], from_programme=True)
    # entered by hand it works as before
    services.conduct_save(actor=None, candidate=candidate, attendance_rate=Decimal("0.5"), participation=[Decimal(4)],
                          teamwork=[Decimal(5)])
    services.result_compute(candidate=candidate)
    assert candidate.overall_percent == Decimal("74.00")  # 50 x 0.4 + 80 x 0.3 + 100 x 0.3 (default weights)
    assert candidate.attendance_source == AttendanceSource.MANUAL


def test_conduct_weights_must_add_up_to_one(org, programme):
    with pytest.raises(ValidationError) as error:
        _assessment(org, programme, conduct_attendance=Decimal("0.5"), conduct_participation=Decimal("0.3"),
                    conduct_teamwork=Decimal("0.3"))
    assert "conduct_attendance" in error.value.message_dict


def test_the_conduct_form_shows_and_offers_the_programme_attendance(org, session, programme, client):
    assessment = _assessment(org, programme)
    candidate = AssessmentCandidate.objects.get(assessment=assessment, person=org.people["agent"])
    client.force_login(org.users["trainer"])
    page = client.get(f"/exams/candidates/{candidate.pk}/").content.decode()
    assert "66.67%" in page and "共记录 3 天，出勤（含迟到）2 天" in page  # pages are Chinese first
    assert 'name="from_programme"' in page and "× 0.40" in page
    response = client.post(f"/exams/candidates/{candidate.pk}/conduct/",
                           {"from_programme": "on", "participation": "4, 5", "teamwork": "4"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert (candidate.attendance_source, candidate.attendance_rate) == ("programme", Decimal("0.6667"))
    # neither a figure nor the programme: the field is named
    response = client.post(f"/exams/candidates/{candidate.pk}/conduct/", {"participation": "4", "teamwork": "4"},
                           follow=True)
    assert "请填写出勤率，或选择取自培训项目。" in response.content.decode()


def test_a_supervisor_does_not_see_the_programme_attendance_form(org, session, programme, client):
    assessment = _assessment(org, programme)
    candidate = AssessmentCandidate.objects.get(assessment=assessment, person=org.people["agent"])
    client.force_login(org.users["supervisor"])
    page = client.get(f"/exams/candidates/{candidate.pk}/")
    assert page.status_code == 200
    assert 'name="from_programme"' not in page.content.decode()
    assert client.post(f"/exams/candidates/{candidate.pk}/conduct/", {"from_programme": "on"}).status_code == 403


def test_a_later_joiner_becomes_a_candidate_when_results_are_computed(org, programme, client):
    assessment = _assessment(org, programme)
    assert assessment.candidates.count() == 2
    programmes.programme_update(actor=None, programme=programme,
                                participants=[org.people["agent"], org.teammate, org.people["mentor"]])
    services.assessment_compute(assessment=assessment)
    persons = set(assessment.candidates.values_list("person_id", flat=True))
    assert persons == {org.people["agent"].pk, org.teammate.pk, org.people["mentor"].pk}
    # someone leaving the programme before being drawn or scored is dropped; a scored one is kept
    agent = assessment.candidates.get(person=org.people["agent"])
    services.panel_scores_save(assessor=org.people["trainer"], candidate=agent, values={"open": "优"})
    programmes.programme_update(actor=None, programme=programme, participants=[org.people["mentor"]])
    services.assessment_compute(assessment=assessment)
    persons = set(assessment.candidates.values_list("person_id", flat=True))
    assert persons == {org.people["agent"].pk, org.people["mentor"].pk}
    client.force_login(org.users["trainer"])
    page = client.get(reverse("exams:assessment-detail", args=[assessment.pk])).content.decode()
    assert programme.title in page


def test_a_trainer_links_an_assessment_to_a_programme_on_the_page(org, programme, client):
    rubric = services.rubric_save(actor=None, rubric=None, title="实操", items=services.rubric_items_from_text(RUBRIC))
    client.force_login(org.users["trainer"])
    data = {"title": "结业考核", "held_on": "2026-11-20", "rubric": rubric.pk, "margin_share": "0.20",
            "weight_theory": "0.3", "weight_practical": "0.5", "weight_overall": "0.2", "rounding": "none",
            "band_excellent": "90", "band_good": "80", "band_pass": "70", "programme": programme.pk,
            "conduct_attendance": "0.5", "conduct_participation": "0.25", "conduct_teamwork": "0.25",
            "assessors": [org.people["trainer"].pk, org.people["supervisor"].pk]}
    response = client.post(reverse("exams:assessment-create"), data)
    assert response.status_code == 302
    from servicecoach.exams.models import Assessment

    assessment = Assessment.objects.get(title="结业考核")
    assert assessment.programme == programme and assessment.conduct_attendance == Decimal("0.5")
    assert assessment.candidates.count() == 2
    bad = client.post(reverse("exams:assessment-create"), {**data, "title": "权重有误", "conduct_teamwork": "0.5"})
    assert bad.status_code == 200 and "conduct_attendance" in bad.context["form"].errors
    none = client.post(reverse("exams:assessment-create"), {**data, "title": "无考生", "programme": ""})
    assert none.status_code == 200 and "people" in none.context["form"].errors
