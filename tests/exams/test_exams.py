"""Papers from blueprints, exams, saving answers (two tabs, late re-sends), the deadline, marking, release."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from servicecoach.exams import services
from servicecoach.exams.models import Attempt, AttemptStatus, ItemStatus, PaperKind


def _blueprint(quotas, total=None):
    return services.paper_save(actor=None, paper=None, title="蓝图试卷", kind=PaperKind.BLUEPRINT, quotas=quotas,
                               total=total)


QUOTAS = [
    {"topic": "投诉处理", "difficulty": "easy", "qtype": "single_choice", "count": 3, "points_each": Decimal(2)},
    {"topic": "产品知识", "difficulty": "", "qtype": "single_choice", "count": 2, "points_each": None},
    {"topic": "", "difficulty": "", "qtype": "true_false", "count": 1, "points_each": None},
]


def test_every_candidate_paper_meets_the_blueprint_exactly(org, bank, make_exam):
    exam = make_exam(_blueprint(QUOTAS))
    papers = []
    for person in (org.people["agent"], org.teammate, org.outsider):
        attempt = services.attempt_start(exam=exam, person=person)
        items = list(attempt.items.select_related("version"))
        cells = Counter((i.version.data["topic"], i.version.data["type"]) for i in items)
        assert cells == {("投诉处理", "single_choice"): 3, ("产品知识", "single_choice"): 2, ("服务礼仪", "true_false"): 1}
        assert attempt.max_score == Decimal(3 * 2 + 2 + 1)
        papers.append(sorted(i.version.question.key for i in items))
    assert len({tuple(p) for p in papers}) > 1  # drawn per candidate (6 of 投诉处理 choose 3)


def test_the_draw_is_repeatable_from_its_seed(org, bank, make_exam):
    from servicecoach.exams.engine.blueprint import PaperPlan

    exam = make_exam(_blueprint(QUOTAS))
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    plan, _versions = services.paper_plan(exam.paper)
    again = plan.draw(seed=int(attempt.seed))
    assert [i.question_key for i in again.items] == [i.version.question.key for i in attempt.items.all()]
    assert isinstance(plan, PaperPlan)


def test_a_blueprint_the_bank_cannot_satisfy_names_the_short_cell(bank, make_exam, client, org):
    paper = _blueprint([{"topic": "产品知识", "difficulty": "hard", "qtype": "single_choice", "count": 4,
                         "points_each": None}])
    problems = services.paper_problems(paper)
    assert problems == ["topic 产品知识 × hard × single choice: need 4, bank has 0"]
    with pytest.raises(ValidationError, match="need 4, bank has 0"):
        make_exam(paper)
    client.force_login(org.users["trainer"])
    assert "need 4, bank has 0" in client.get(f"/exams/papers/{paper.pk}/").content.decode()


def test_overlapping_rows_without_a_total_are_refused(bank):
    rows = [{"topic": "投诉处理", "count": 2}, {"qtype": "single_choice", "count": 3}]
    with pytest.raises(ValidationError, match="overlap"):
        _blueprint(rows)
    paper = _blueprint(rows, total=4)
    assert services.paper_problems(paper) == []


def _item(attempt, qtype):
    return next(i for i in attempt.items.select_related("version") if i.version.data["type"] == qtype)


def test_the_later_edit_wins_between_two_tabs(org, fixed_paper, make_exam):
    attempt = services.attempt_start(exam=make_exam(fixed_paper), person=org.people["agent"])
    item = _item(attempt, "single_choice")
    assert services.answer_save(attempt=attempt, position=item.position, answer="B", client_time=2000).applied
    # The first tab's older edit arrives late (re-sent after a lost connection): not applied.
    late = services.answer_save(attempt=attempt, position=item.position, answer="A", client_time=1000)
    assert not late.applied and late.answer == "B"
    item.refresh_from_db()
    assert item.answer == "B" and item.revision == 1


def test_a_bad_answer_is_refused_by_name(org, fixed_paper, make_exam):
    attempt = services.attempt_start(exam=make_exam(fixed_paper), person=org.people["agent"])
    item = _item(attempt, "single_choice")
    with pytest.raises(services.AnswerRefused, match=f"Question {item.position}"):
        services.answer_save(attempt=attempt, position=item.position, answer="Z", client_time=1)


def test_a_reload_continues_the_same_attempt_with_its_answers(org, fixed_paper, make_exam, client):
    exam = make_exam(fixed_paper)
    client.force_login(org.users["agent"])
    response = client.post(f"/exams/{exam.pk}/start/")
    attempt = Attempt.objects.get()
    assert response.url == f"/exams/attempts/{attempt.pk}/take/"
    item = _item(attempt, "short_answer")
    saved = client.post(f"/exams/attempts/{attempt.pk}/answer/", json.dumps(
        {"position": item.position, "answer": "先道歉再记录问题", "client_time": 10}), content_type="application/json")
    assert saved.json()["applied"] is True
    client.post(f"/exams/{exam.pk}/start/")  # a second start (another tab) continues the attempt
    assert Attempt.objects.count() == 1
    page = client.get(f"/exams/attempts/{attempt.pk}/take/").content.decode()
    assert "先道歉再记录问题" in page


def test_at_the_deadline_the_server_submits_what_was_saved(org, fixed_paper, make_exam):
    exam = make_exam(fixed_paper, duration_minutes=30)
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    tf = _item(attempt, "true_false")
    services.answer_save(attempt=attempt, position=tf.position, answer=False, client_time=1)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    call_command("exams_close_due")
    attempt.refresh_from_db()
    assert attempt.auto_submitted and attempt.status == AttemptStatus.SUBMITTED
    tf.refresh_from_db()
    assert tf.answer is False and tf.score == Decimal(1)
    with pytest.raises(services.AnswerRefused):
        services.answer_save(attempt=attempt, position=tf.position, answer=True, client_time=2)


def test_saves_after_the_deadline_are_refused_and_the_page_closes_the_attempt(org, fixed_paper, make_exam, client):
    attempt = services.attempt_start(exam=make_exam(fixed_paper), person=org.people["agent"])
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    client.force_login(org.users["agent"])
    response = client.post(f"/exams/attempts/{attempt.pk}/answer/", json.dumps(
        {"position": 1, "answer": None, "client_time": 10}), content_type="application/json")
    assert response.status_code == 409 and "时间已到" in response.json()["error"]  # the page's language
    assert client.get(f"/exams/attempts/{attempt.pk}/take/").status_code == 302
    attempt.refresh_from_db()
    assert attempt.status != AttemptStatus.IN_PROGRESS and attempt.auto_submitted


def test_marking_queue_review_and_essay_then_release(org, fixed_paper, make_exam, client):
    exam = make_exam(fixed_paper)
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    answers = {"single_choice": "A", "multiple_choice": ["A", "B"], "true_false": False, "fill_in_blank": ["95588"],
               "short_answer": "我会先道歉", "essay": "优质服务是……"}
    for item in attempt.items.select_related("version"):
        services.answer_save(attempt=attempt, position=item.position, answer=answers[item.version.data["type"]],
                             client_time=1)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.status == AttemptStatus.SUBMITTED and attempt.score == Decimal(5)  # 1+2+1+1 objective
    sa, es = _item(attempt, "short_answer"), _item(attempt, "essay")
    assert sa.status == ItemStatus.NEEDS_REVIEW and sa.score == Decimal(2)  # 致歉 found, 记录问题 not
    assert es.status == ItemStatus.PENDING

    client.force_login(org.users["trainer"])
    queue = client.get("/exams/marking/")
    assert {i.pk for i in queue.context["page"].object_list} == {sa.pk, es.pk}
    page = client.get(f"/exams/marking/{sa.pk}/")
    assert page.context["found"] == [("k1", "道歉"), ("k2", None)]
    client.post(f"/exams/marking/{sa.pk}/", {"adjustment": "1", "reason": "意思到了"})
    client.post(f"/exams/marking/{es.pk}/", {"score": "8"})
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.MARKED and attempt.score == Decimal(5 + 3 + 8)

    client.force_login(org.users["agent"])
    hidden = client.get(f"/exams/attempts/{attempt.pk}/")
    assert hidden.context["show_marks"] is False and "先安抚情绪" not in hidden.content.decode()
    services.exam_release(actor=None, exam=exam)
    shown = client.get(f"/exams/attempts/{attempt.pk}/").content.decode()
    assert "先安抚情绪" in shown  # the explanation, after release


def test_an_essay_score_outside_its_points_is_refused(org, fixed_paper, make_exam, client):
    attempt = services.attempt_submit(attempt=services.attempt_start(exam=make_exam(fixed_paper),
                                                                     person=org.people["agent"]))
    es = _item(attempt, "essay")
    client.force_login(org.users["trainer"])
    response = client.post(f"/exams/marking/{es.pk}/", {"score": "11"})
    assert response.status_code == 200 and "outside 0..10" in response.context["error"]
    es.refresh_from_db()
    assert es.status == ItemStatus.PENDING


def test_attempts_allowed_and_window_are_enforced(org, fixed_paper, make_exam):
    exam = make_exam(fixed_paper)
    services.attempt_submit(attempt=services.attempt_start(exam=exam, person=org.people["agent"]))
    with pytest.raises(services.ExamRefused, match="used all 1"):
        services.attempt_start(exam=exam, person=org.people["agent"])
    later = make_exam(fixed_paper, opens_at=timezone.now() + timedelta(days=1),
                      closes_at=timezone.now() + timedelta(days=2))
    with pytest.raises(services.ExamRefused, match="not opened"):
        services.attempt_start(exam=later, person=org.people["agent"])
    with pytest.raises(services.ExamRefused, match="not a candidate"):
        services.attempt_start(exam=exam, person=org.people["supervisor"])


def test_unit_candidates_include_sub_units(org, fixed_paper, make_exam):
    from servicecoach.exams.selectors import exam_candidates

    exam = make_exam(fixed_paper, people=[], units=[org.units["service"]])
    names = set(exam_candidates(exam).values_list("pk", flat=True))
    assert {org.people["agent"].pk, org.outsider.pk, org.people["supervisor"].pk} <= names
    assert org.people["trainer"].pk not in names


def test_supervisor_results_cover_only_their_team(org, fixed_paper, make_exam, client):
    exam = make_exam(fixed_paper)
    for person in (org.people["agent"], org.outsider):
        services.attempt_submit(attempt=services.attempt_start(exam=exam, person=person))
    client.force_login(org.users["supervisor"])
    listed = {a.person_id for a in client.get("/exams/results/").context["page"].object_list}
    assert listed == {org.people["agent"].pk}


def test_audit_entries_fit_the_audit_log(org, fixed_paper, make_exam):
    """PostgreSQL enforces column lengths that SQLite does not: every entry this app writes must validate."""
    from servicecoach.org.models import AuditEntry

    exam = make_exam(fixed_paper)
    attempt = services.attempt_submit(attempt=services.attempt_start(exam=exam, person=org.people["agent"]))
    services.item_mark_essay(actor=None, item=_item(attempt, "essay"), levels={"score": "5"})
    services.exam_release(actor=None, exam=exam)
    entries = list(AuditEntry.objects.filter(object_type__startswith="exams."))
    assert len(entries) >= 5
    for entry in entries:
        entry.full_clean()


def test_api_hides_the_score_from_the_candidate_until_release_and_saves_answers(org, fixed_paper, make_exam):
    from rest_framework.test import APIClient

    exam = make_exam(fixed_paper)
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    api = APIClient()
    api.force_authenticate(org.users["agent"])
    item = _item(attempt, "true_false")
    saved = api.post(f"/api/v1/exam-attempts/{attempt.pk}/answer/",
                     {"position": item.position, "answer": False, "client_time": 7}, format="json")
    assert saved.status_code == 200 and saved.json()["applied"] is True
    services.attempt_submit(attempt=attempt)
    assert api.get(f"/api/v1/exam-attempts/{attempt.pk}/").json()["score"] is None
    refused = api.post(f"/api/v1/exam-attempts/{attempt.pk}/answer/",
                       {"position": item.position, "answer": True, "client_time": 8}, format="json")
    assert refused.status_code == 409
    services.exam_release(actor=None, exam=exam)
    assert api.get(f"/api/v1/exam-attempts/{attempt.pk}/").json()["score"] == "1.00"
    manager = APIClient()
    manager.force_authenticate(org.users["trainer"])
    assert manager.get("/api/v1/exam-attempts/").json()["count"] == 1


def test_exam_page_shows_item_statistics_of_marked_attempts(org, fixed_paper, make_exam, client):
    exam = make_exam(fixed_paper)
    for person, right in ((org.people["agent"], True), (org.teammate, False), (org.outsider, True)):
        attempt = services.attempt_start(exam=exam, person=person)
        for item in attempt.items.select_related("version"):
            if item.version.data["type"] == "true_false":
                services.answer_save(attempt=attempt, position=item.position, answer=not right, client_time=1)
            elif item.version.data["type"] == "single_choice":
                services.answer_save(attempt=attempt, position=item.position, answer="A" if right else "B",
                                     client_time=1)
        attempt = services.attempt_submit(attempt=attempt)
        for item in attempt.items.filter(status__in=["pending", "needs_review"]):
            if item.status == "pending":
                services.item_mark_essay(actor=None, item=item, levels={"score": "5"})
            else:
                services.item_review(actor=None, item=item, adjustment=Decimal(0), reason="ok")
    client.force_login(org.users["trainer"])
    stats = {row["key"]: row["s"] for row in client.get(f"/exams/{exam.pk}/").context["stats"]}
    assert stats["s0"].s == 3 and round(stats["s0"].facility) == 67  # two of three right
    assert round(stats["tf"].facility) == 67 and round(stats["tf"].discrimination_index) == 100  # the key is False


def test_home_panels_show_the_open_exam_and_the_marking_work(org, fixed_paper, make_exam, client):
    exam = make_exam(fixed_paper)
    client.force_login(org.users["agent"])
    page = client.get("/")
    assert exam.title in page.content.decode()
    services.attempt_submit(attempt=services.attempt_start(exam=exam, person=org.teammate))  # an essay to mark
    client.force_login(org.users["trainer"])
    panels = {p["panel"].key: p["data"] for p in client.get("/").context["panels"]}
    assert panels["exams_manager"]["to_mark"] == 1  # the essay (an empty short answer needs no review)
