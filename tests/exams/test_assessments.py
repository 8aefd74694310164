"""Practical exams (scenario draw, panel scoring), overall conduct, composite grade and bands, advice,
feedback due in 3 working days, the effectiveness report and its exports."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError

from servicecoach.exams import services
from servicecoach.exams.models import AssessmentCandidate, PanelScore
from servicecoach.org.calendar import add_working_days

RUBRIC = ("open | 使用标准开场白 | 10 | 优=10 完整规范; 良=7 基本规范; 差=3 未使用\n"
          "solve | 正确查询并告知进度 | 20 |\n"
          "calm | 安抚客户情绪 | 10 | 优=10; 良=6; 差=2")


@pytest.fixture
def cards(db):
    return [services.scenario_card_save(actor=None, card=None, key=f"c{i}", title=f"场景{i}", situation="客户来电",
                                        customer_role="客户", expected_handling="安抚\n查询", tags=["投诉"] if i < 3 else [],
                                        active=True) for i in range(4)]


@pytest.fixture
def assessment(org, cards, fixed_paper, make_exam):
    rubric = services.rubric_save(actor=None, rubric=None, title="投诉处理实操", items=services.rubric_items_from_text(RUBRIC))
    exam = make_exam(fixed_paper)
    return services.assessment_save(
        actor=None, assessment=None, people=[org.people["agent"], org.teammate, org.outsider], units=[],
        assessors=[org.people["trainer"], org.people["supervisor"]], title="2026年11月新员工考核",
        held_on=datetime.date(2026, 11, 20), theory_exam=exam, rubric=rubric, card_tags=["投诉"],
        margin_share=Decimal("0.20"), weight_theory=Decimal("0.3"), weight_practical=Decimal("0.5"),
        weight_overall=Decimal("0.2"), rounding="none")


def _candidate(assessment, person):
    return AssessmentCandidate.objects.get(assessment=assessment, person=person)


def test_rubric_notation_errors_name_the_line():
    with pytest.raises(ValidationError, match="line 2: points “x” is not a number"):
        services.rubric_items_from_text("a | 开场 | 10 |\nb | 结束 | x |")
    with pytest.raises(ValidationError, match="line 1: level “优10” must look like"):
        services.rubric_items_from_text("a | 开场 | 10 | 优10")


def test_a_rubric_level_above_the_item_points_is_refused(db):
    with pytest.raises(ValidationError, match="outside 0..10"):
        services.rubric_save(actor=None, rubric=None, title="x", items=services.rubric_items_from_text("a | 开场 | 10 | 优=12"))


def test_the_draw_is_recorded_repeatable_and_honours_tags(org, assessment):
    candidate = services.scenario_draw(actor=None, candidate=_candidate(assessment, org.people["agent"]))
    assert candidate.draw_pool == ["c0", "c1", "c2"]  # only the cards tagged 投诉
    assert services.draw_verified(candidate)
    again = services.scenario_draw(actor=None, candidate=candidate)
    assert again.card_id == candidate.card_id  # drawn once, recorded
    from servicecoach.exams.models import ScenarioCard

    candidate.card = ScenarioCard.objects.exclude(pk=candidate.card_id).filter(key__in=candidate.draw_pool).first()
    assert not services.draw_verified(candidate)  # a record changed afterwards does not replay


def test_panel_mean_and_flag_when_assessors_differ(org, assessment):
    candidate = _candidate(assessment, org.people["agent"])
    services.panel_scores_save(assessor=org.people["trainer"], candidate=candidate,
                               values={"open": "优", "solve": "18", "calm": "良"})
    services.panel_scores_save(assessor=org.people["supervisor"], candidate=candidate,
                               values={"open": "良", "solve": "10", "calm": "良"})
    result = services.practical_result(candidate)
    means = {i.item_key: i.mean for i in result.items}
    assert means == {"open": Decimal("8.5"), "solve": Decimal(14), "calm": Decimal(6)}
    # the margin is 20% of an item's points: open 10 vs 7 (3 > 2) and solve 18 vs 10 (8 > 4); calm agrees
    assert result.flagged == ["open", "solve"]
    assert result.score == Decimal("28.5") and result.percent == Decimal("71.25")


def test_a_bad_panel_score_is_refused_by_item(org, assessment):
    candidate = _candidate(assessment, org.people["agent"])
    with pytest.raises(ValidationError, match="item 'open': no level '极好'"):
        services.panel_scores_save(assessor=org.people["trainer"], candidate=candidate, values={"open": "极好"})
    with pytest.raises(ValidationError, match="outside 0..20"):
        services.panel_scores_save(assessor=org.people["trainer"], candidate=candidate, values={"solve": "25"})
    assert not PanelScore.objects.exists()


def _theory(org, assessment, person, answers):
    attempt = services.attempt_start(exam=assessment.theory_exam, person=person)
    for item in attempt.items.select_related("version"):
        services.answer_save(attempt=attempt, position=item.position,
                             answer=answers.get(item.version.data["type"]), client_time=1)
    attempt = services.attempt_submit(attempt=attempt)
    for item in attempt.items.filter(status__in=["pending", "needs_review"]).select_related("version"):
        if item.version.data["type"] == "essay":
            services.item_mark_essay(actor=None, item=item, levels={"score": "10"})
        else:
            services.item_review(actor=None, item=item, adjustment=Decimal(0), reason="确认")
    return attempt


ALL_RIGHT = {"single_choice": "A", "multiple_choice": ["A", "B"], "true_false": False, "fill_in_blank": ["95588"],
             "short_answer": "先道歉，再记录问题", "essay": "……"}


def test_composite_grade_band_and_advice(org, assessment):
    person = org.people["agent"]
    _theory(org, assessment, person, {**ALL_RIGHT, "fill_in_blank": ["12345"], "true_false": True})  # 17 / 19
    candidate = _candidate(assessment, person)
    for assessor in (org.people["trainer"], org.people["supervisor"]):
        services.panel_scores_save(assessor=assessor, candidate=candidate, values={"open": "优", "solve": "18", "calm": "差"})
    services.conduct_save(actor=None, candidate=candidate, attendance_rate=Decimal(1),
                          participation=[Decimal(5), Decimal(4)], teamwork=[Decimal(4)])
    assert services.result_compute(candidate=candidate) == []
    candidate.refresh_from_db()
    assert candidate.theory_percent == Decimal("89.47")
    assert candidate.practical_percent == Decimal(75)  # (10 + 18 + 2) / 40
    assert candidate.overall_percent == Decimal("91.00")  # 100 x 0.4 + 90 x 0.3 + 80 x 0.3
    # 89.47 x 0.3 + 75 x 0.5 + 91 x 0.2 = 82.541
    assert candidate.composite_score == Decimal("82.5410") and candidate.band_label == "良好"
    assert candidate.explanation[-1] == "band: 良好 good (from 80)"
    advice = {a["key"]: a for a in candidate.advice}
    assert "安抚客户情绪" in advice and advice["安抚客户情绪"]["percent"] == "20.00"


def test_missing_parts_are_named_and_no_grade_is_given(org, assessment):
    missing = services.result_compute(candidate=_candidate(assessment, org.people["agent"]))
    assert missing == ["no marked theory attempt", "no practical scores", "no overall conduct entered"]
    assert _candidate(assessment, org.people["agent"]).band_code == ""


def test_band_boundary_follows_the_rounding_rule(org, assessment):
    from servicecoach.exams.engine.composite import composite

    exact = services._composite_config(assessment)
    assert composite(theory=Decimal(90), practical=Decimal(88), overall=Decimal("92.5"), config=exact).band.code == "good"
    assessment.rounding = "integer_half_up"
    rounded = services._composite_config(assessment)
    assert composite(theory=Decimal(90), practical=Decimal(88), overall=Decimal("92.5"),
                     config=rounded).band.code == "excellent"


def test_feedback_is_due_in_three_working_days_and_overdue_is_listed(org, assessment, client):
    candidate = _candidate(assessment, org.people["agent"])
    assert candidate.feedback_due == add_working_days(datetime.date(2026, 11, 20), 3) == datetime.date(2026, 11, 25)
    services.result_compute(candidate=candidate)
    client.force_login(org.users["trainer"])
    page = client.get("/exams/assessments/feedback/")
    assert [c.pk for c in page.context["rows"]] == [candidate.pk]
    client.post(f"/exams/candidates/{candidate.pk}/feedback/", {"feedback_text": "请加强安抚技巧练习"})
    assert list(client.get("/exams/assessments/feedback/").context["rows"]) == []


def test_the_candidate_sees_the_result_only_after_release(org, assessment, client):
    candidate = _candidate(assessment, org.people["agent"])
    client.force_login(org.users["agent"])
    waiting = client.get(f"/exams/candidates/{candidate.pk}/")
    assert waiting.templates[0].name == "exams/candidate_waiting.html"
    services.assessment_release(actor=None, assessment=assessment)
    shown = client.get(f"/exams/candidates/{candidate.pk}/")
    assert shown.templates[0].name == "exams/candidate_detail.html" and shown.context["conduct_form"] is None


def test_only_the_panel_scores(org, assessment, client):
    candidate = _candidate(assessment, org.people["agent"])
    client.force_login(org.users["training_manager"])
    assert client.get(f"/exams/candidates/{candidate.pk}/score/").status_code == 404
    client.force_login(org.users["supervisor"])
    response = client.post(f"/exams/candidates/{candidate.pk}/score/", {"item_open": "良", "item_solve": "15"})
    assert response.status_code == 302
    assert set(PanelScore.objects.values_list("item_key", "value")) == {("open", "良"), ("solve", "15")}


def test_report_weak_points_excel_and_print(org, assessment, client):
    for person, calm in ((org.people["agent"], "差"), (org.teammate, "良")):
        _theory(org, assessment, person, ALL_RIGHT)
        candidate = _candidate(assessment, person)
        for assessor in (org.people["trainer"], org.people["supervisor"]):
            services.panel_scores_save(assessor=assessor, candidate=candidate,
                                       values={"open": "优", "solve": "20", "calm": calm})
        services.conduct_save(actor=None, candidate=candidate, attendance_rate=Decimal("0.9"),
                              participation=[Decimal(4)], teamwork=[Decimal(4)])
    services.assessment_compute(assessment=assessment)
    client.force_login(org.users["training_manager"])
    page = client.get(f"/exams/assessments/{assessment.pk}/report/")
    report = page.context["report"]
    assert report["weak"][0]["name"] == "安抚客户情绪" and report["weak"][0]["mean"] == Decimal(40)
    assert report["pass_rate"] == Decimal(100) and len(report["scored"]) == 2
    assert report["stats"] is not None
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/exams/assessments/{assessment.pk}/report.xlsx").content))
    assert workbook.sheetnames == ["成绩", "概览", "共性薄弱点", "试题分析"]
    assert workbook["共性薄弱点"]["B2"].value == "安抚客户情绪"
    printable = client.get(f"/exams/assessments/{assessment.pk}/report/?print=1").content.decode()
    assert "安抚客户情绪" in printable and "window.print()" in printable


def test_supervisor_results_cover_their_team_and_their_panels(org, assessment, client):
    services.assessment_compute(assessment=assessment)
    client.force_login(org.users["supervisor"])
    people = {c.person_id for c in client.get("/exams/assessments/results/").context["candidates"]}
    assert org.people["agent"].pk in people  # own team
    assert org.outsider.pk in people  # as an assessor of the panel


def test_a_panel_needs_two_assessors(org, assessment):
    with pytest.raises(ValidationError, match="two assessors"):
        services.assessment_save(actor=None, assessment=assessment, people=[org.people["agent"]], units=[],
                                 assessors=[org.people["trainer"]], title="x")


def test_report_pdf_is_printed_by_chromium(org, assessment, client):
    from pathlib import Path

    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium is missing")
    services.assessment_compute(assessment=assessment)
    client.force_login(org.users["trainer"])
    response = client.get(f"/exams/assessments/{assessment.pk}/report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    assert b"NotoSansCJK" in response.content or b"CJK" in response.content  # a CJK font is embedded


def test_bands_are_configurable_per_assessment(org, assessment):
    from servicecoach.exams.engine.composite import composite

    assessment.band_excellent, assessment.band_good, assessment.band_pass = Decimal(85), Decimal(75), Decimal(60)
    config = services._composite_config(assessment)
    result = composite(theory=Decimal(86), practical=Decimal(86), overall=Decimal(86), config=config)
    assert result.band.label_zh == "优秀" and result.explanation[-1] == "band: 优秀 excellent (from 85)"
    with pytest.raises(ValidationError, match="bands must be listed from the highest minimum down"):
        services.assessment_save(actor=None, assessment=assessment, people=[org.people["agent"]], units=[],
                                 assessors=[org.people["trainer"], org.people["supervisor"]],
                                 band_excellent=Decimal(70), band_good=Decimal(80))
