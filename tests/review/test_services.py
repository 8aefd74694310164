"""Sampling, the review form's rules, case write-ups, appeals and calibration, through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from tests.review.helpers import make_conversation, marks_full

from servicecoach.org.models import AuditEntry
from servicecoach.quality.models import Conversation, RuleHit, Verdict
from servicecoach.review import selectors, services
from servicecoach.review.models import (
    AppealStatus,
    AssignMode,
    PlanKind,
    Recurrence,
    Review,
    ReviewKind,
    ReviewStatus,
    SamplingPlan,
    SamplingRun,
)


def _plan(org, **fields) -> SamplingPlan:
    defaults = {"name": "plan", "unit": org.units["service"], "kind": PlanKind.RANDOM, "percent": 50,
                "recurrence": Recurrence.ONCE, "date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30)}
    defaults.update(fields)
    reviewers = [(org.people["qa_reviewer"], 1), (org.reviewer2, 1)]
    return services.plan_save(actor=None, plan=None, fields=defaults, reviewers=reviewers)


# ---------------------------------------------------------------- sampling


def test_random_plan_samples_its_percentage_evenly_and_a_second_run_adds_nothing(org):
    for n in range(10):
        make_conversation(day=2 + n % 5, hour=9 + n)
    make_conversation(day=2, agent="S005")  # QA reviewer's own unit (Training): outside the plan's unit
    plan = _plan(org)
    first = services.plan_run(actor=None, plan=plan, today=date(2026, 12, 1))
    assert first.created and first.run.pool == 10 and first.run.picked == 5
    by_reviewer = sorted(Review.objects.filter(plan=plan).values_list("reviewer__employee_no", flat=True))
    assert by_reviewer.count("S005") in (2, 3) and by_reviewer.count("S021") in (2, 3)
    again = services.plan_run(actor=None, plan=plan, today=date(2026, 12, 2))
    assert not again.created and again.run.pk == first.run.pk
    assert Review.objects.filter(plan=plan).count() == 5


def test_weighted_assignment_follows_the_weights(org):
    for n in range(8):
        make_conversation(day=3, hour=8 + n)
    plan = services.plan_save(actor=None, plan=None, fields={
        "name": "w", "unit": org.units["service"], "kind": PlanKind.RANDOM, "percent": 100,
        "recurrence": Recurrence.ONCE, "date_from": date(2026, 11, 1), "date_to": date(2026, 11, 30),
        "assign_mode": AssignMode.WEIGHTED}, reviewers=[(org.people["qa_reviewer"], 3), (org.reviewer2, 1)])
    services.plan_run(actor=None, plan=plan, today=date(2026, 12, 1))
    counts = {p: Review.objects.filter(plan=plan, reviewer=p).count() for p in (org.people["qa_reviewer"], org.reviewer2)}
    assert counts == {org.people["qa_reviewer"]: 6, org.reviewer2: 2}


def test_per_agent_plan_takes_n_of_each_agent(org):
    for n in range(4):
        make_conversation("S007", day=4, hour=8 + n)
        make_conversation("S009", day=4, hour=8 + n)
    plan = _plan(org, kind=PlanKind.PER_AGENT, per_agent=2, percent=None)
    run = services.plan_run(actor=None, plan=plan, today=date(2026, 12, 1)).run
    assert run.picked == 4
    agents = sorted(Review.objects.filter(plan=plan).values_list("conversation__agent__employee_no", flat=True))
    assert agents == ["S007", "S007", "S009", "S009"]


def test_targeted_plan_takes_red_lines_and_low_csat_only(org):
    rude = make_conversation(polite=False, csat=5)
    low = make_conversation(polite=True, csat=1)
    make_conversation(polite=True, csat=5)
    assert rude.red_line or rude.score < 70
    plan = _plan(org, kind=PlanKind.TARGETED, percent=None, targets=["red_line", "low_score", "low_csat"],
                 score_below=70, csat_max=2)
    services.plan_run(actor=None, plan=plan, today=date(2026, 12, 1))
    picked = set(Review.objects.filter(plan=plan).values_list("conversation_id", flat=True))
    assert picked == {rude.pk, low.pk}


def test_recurring_daily_plan_samples_yesterday_once(org):
    make_conversation(day=5)
    make_conversation(day=6)
    plan = _plan(org, recurrence=Recurrence.DAILY, percent=100)
    outcomes = services.plans_run_due(today=date(2026, 11, 6))
    assert [o.run.period_start for o in outcomes] == [date(2026, 11, 5)]
    assert services.plans_run_due(today=date(2026, 11, 6))[0].created is False
    assert SamplingRun.objects.filter(plan=plan).count() == 1
    assert Review.objects.filter(plan=plan).count() == 1


def test_weekly_and_monthly_periods():
    plan = SamplingPlan(recurrence=Recurrence.WEEKLY)
    assert services.plan_period(plan, date(2026, 11, 25)) == (date(2026, 11, 16), date(2026, 11, 22))
    plan.recurrence = Recurrence.MONTHLY
    assert services.plan_period(plan, date(2026, 11, 25)) == (date(2026, 10, 1), date(2026, 10, 31))


def test_reassignment_moves_an_open_review_and_is_audited(org):
    review = services.review_assign(actor=None, conversation=make_conversation(), reviewer=org.people["qa_reviewer"])
    services.review_reassign(actor=org.users["admin"], review=review, reviewer=org.reviewer2)
    review.refresh_from_db()
    assert review.reviewer == org.reviewer2
    assert AuditEntry.objects.filter(object_type="review.review", object_id=str(review.pk), action="update").exists()
    with pytest.raises(ValidationError):
        services.review_assign(actor=None, conversation=review.conversation, reviewer=org.reviewer2)


# ---------------------------------------------------------------- the review form


def _review(org, polite=True):
    return services.review_assign(actor=None, conversation=make_conversation(polite=polite),
                                  reviewer=org.people["qa_reviewer"])


def test_submitting_scores_grades_and_marks_the_conversation_reviewed(org):
    review = _review(org)
    saved = services.review_save(actor=org.users["qa_reviewer"], review=review, version=0, marks=marks_full(review),
                                 submit=True)
    assert saved.status == ReviewStatus.SUBMITTED and saved.score == 100.0 and saved.grade == "excellent"
    assert Conversation.objects.get(pk=review.conversation_id).reviewed_at is not None


def test_a_point_taken_needs_problem_type_and_severity_named_by_item(org):
    review = _review(org)
    marks = marks_full(review)
    first = review.items.filter(applicable=True, bonus=False).first()
    marks[first.position] = {"earned": 0}
    with pytest.raises(ValidationError) as info:
        services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    errors = info.value.message_dict
    assert f"item-{first.position}-problem_type" in errors and first.label in errors[f"item-{first.position}-severity"][0]
    marks[first.position] = {"earned": 0, "problem_type": "attitude", "severity": "severe"}
    saved = services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    assert saved.score < 100


def test_score_out_of_range_is_refused_with_the_item_name(org):
    review = _review(org)
    marks = marks_full(review)
    item = review.items.filter(applicable=True).first()
    marks[item.position] = {"earned": item.points + 1}
    with pytest.raises(ValidationError) as info:
        services.review_save(actor=None, review=review, version=0, marks=marks)
    assert item.label in info.value.message_dict[f"item-{item.position}-earned"][0]
    assert Review.objects.get(pk=review.pk).version == 0


def test_red_line_point_taken_makes_the_score_zero(org):
    review = _review(org)
    red = review.items.filter(red_line=True).first()
    if red is None:
        pytest.skip("the built-in scorecard has no red-line item")
    marks = marks_full(review)
    marks[red.position] = {"violated": True}
    with pytest.raises(ValidationError) as info:
        services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    assert f"item-{red.position}-problem_type" in info.value.message_dict
    marks[red.position] = {"violated": True, "problem_type": "compliance", "severity": "severe"}
    saved = services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    assert saved.score == 0 and saved.red_line


def test_second_editor_is_told_and_nothing_is_overwritten(org):
    review = _review(org)
    services.review_save(actor=org.users["qa_reviewer"], review=review, version=0, marks=marks_full(review),
                         comment="first")
    with pytest.raises(services.ReviewConflict) as info:
        services.review_save(actor=org.users["admin"], review=review, version=0, marks=marks_full(review),
                             comment="second")
    assert info.value.review.updated_by == org.users["qa_reviewer"]
    assert Review.objects.get(pk=review.pk).comment == "first"


def test_verdicts_on_automatic_hits_go_through_the_quality_service(org):
    review = _review(org, polite=False)
    hits = list(RuleHit.objects.filter(conversation=review.conversation, is_current=True))
    assert hits
    verdicts = {hits[0].pk: Verdict.REJECTED}
    services.review_save(actor=org.users["qa_reviewer"], review=review, version=0, marks=marks_full(review),
                         verdicts=verdicts)
    hits[0].refresh_from_db()
    assert hits[0].verdict == Verdict.REJECTED and hits[0].verdict_by == org.users["qa_reviewer"]


def test_submitted_review_cannot_be_edited(org):
    review = _review(org)
    services.review_save(actor=None, review=review, version=0, marks=marks_full(review), submit=True)
    with pytest.raises(ValidationError):
        services.review_save(actor=None, review=review, version=1, marks=marks_full(review))


# ---------------------------------------------------------------- case write-ups


def test_published_case_masks_phone_and_names(org):
    conversation = make_conversation(polite=False, customer={"id": "u1", "name": "李小明"})
    review = services.review_assign(actor=None, conversation=conversation, reviewer=org.people["qa_reviewer"])
    review = services.review_save(actor=None, review=review, version=0, marks=marks_full(review), submit=True)
    with pytest.raises(ValidationError) as info:
        services.case_save(actor=None, review=review, data={"title": "x"})
    assert "background" in info.value.message_dict
    case = services.case_save(actor=None, review=review, data={
        "title": "客服 赵敏 的反面案例", "outcome": "bad", "background": "李小明来电，电话13812345678",
        "problem": "身份证110101199003074514，卡号6222 0212 3456 7890 128", "handling": "h", "result": "r"})
    case = services.case_publish(actor=None, case=case)
    text = str(case.published)
    assert "13812345678" not in text and "138****5678" in text
    assert "李小明" not in text and "李**" in text
    assert "赵敏" not in text
    assert "110101199003074514" not in text and "4514" in text
    assert selectors.cases_published().filter(pk=case.pk).exists()
    # the masked copy is also a case article of the knowledge base, archived when the case leaves the library
    article = services.knowledge_article_for(case)
    assert article is not None and article.status == "published" and article.fields["outcome"] == "bad"
    assert "13812345678" not in str(article.fields) and "138****5678" in str(article.fields)
    services.case_publish(actor=None, case=case)
    assert services.knowledge_article_for(case).pk == article.pk
    services.case_unpublish(actor=None, case=case)
    assert services.knowledge_article_for(case).status == "archived"


# ---------------------------------------------------------------- appeals


def _submitted(org, polite=False):
    review = _review(org, polite=polite)
    marks = marks_full(review)
    item = review.items.filter(applicable=True, bonus=False).first()
    marks[item.position] = {"earned": 0, "problem_type": "attitude", "severity": "general"}
    return services.review_save(actor=None, review=review, version=0, marks=marks, submit=True), item


def test_appeal_accepted_by_qa_lead_changes_the_score(org):
    review, item = _submitted(org)
    before = review.score
    with pytest.raises(ValidationError) as info:
        services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="  ")
    assert "comment" in info.value.message_dict
    appeal = services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk],
                                    comment="客户先骂人，我已致歉")
    assert appeal.status == AppealStatus.SUPERVISOR and appeal.due_on > timezone.localdate() - timedelta(days=1)
    assert selectors.appeal_next_actor(org.users["supervisor"], appeal) == "supervisor"
    assert selectors.appeal_next_actor(org.users["agent"], appeal) is None
    services.appeal_supervisor_decide(actor=org.users["supervisor"], appeal=appeal, action="forward", comment="")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.QA_LEAD
    review.refresh_from_db()
    assert review.score == before  # nothing changes until the final decision
    lead_user = org.lead.user
    assert selectors.appeal_next_actor(lead_user, appeal) == "qa_lead"
    assert selectors.appeal_next_actor(org.users["qa_reviewer"], appeal) is None
    entry = appeal.items.get()
    services.appeal_final_decide(actor=lead_user, appeal=appeal, accept=True, comment="同意",
                                 new_scores={entry.pk: item.points})
    appeal.refresh_from_db()
    review.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and review.score > before and appeal.score_after == review.score
    actions = list(appeal.steps.values_list("action", flat=True))
    assert actions == ["submit", "forward", "accept"]
    assert AuditEntry.objects.filter(object_type="review.appeal", object_id=str(appeal.pk)).count() == 3


def test_supervisor_rejection_is_final_and_keeps_the_score(org):
    review, item = _submitted(org)
    appeal = services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="不同意")
    with pytest.raises(ValidationError):
        services.appeal_supervisor_decide(actor=org.users["supervisor"], appeal=appeal, action="reject", comment="")
    services.appeal_supervisor_decide(actor=org.users["supervisor"], appeal=appeal, action="reject", comment="证据充分")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.score_after == review.score


def test_only_the_agent_appeals_and_only_within_the_deadline(org):
    review, item = _submitted(org)
    with pytest.raises(ValidationError):
        services.appeal_create(actor=org.users["supervisor"], review=review, item_ids=[item.pk], comment="x")
    late = services.appeal_deadline(review) + timedelta(days=1)
    with pytest.raises(ValidationError) as info:
        services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="x", today=late)
    assert "ended" in str(info.value) or "结束" in str(info.value)


def test_overdue_supervisor_step_escalates_to_the_qa_lead(org):
    review, item = _submitted(org)
    appeal = services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="x")
    assert services.appeals_escalate_overdue(today=appeal.due_on) == 0
    assert services.appeals_escalate_overdue(today=appeal.due_on + timedelta(days=1)) == 1
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.QA_LEAD


def test_qa_lead_is_a_company_scoped_reviewer(org):
    assert selectors.is_qa_lead(org.lead.user)
    assert selectors.is_qa_lead(org.users["admin"])
    assert not selectors.is_qa_lead(org.users["qa_reviewer"])
    assert not selectors.is_qa_lead(org.users["supervisor"])


# ---------------------------------------------------------------- calibration


def test_calibration_report_deviation_and_spread_and_no_effect_on_scores(org):
    conversation = make_conversation()
    session = services.session_create(actor=None, title="十一月校准", expert=org.lead,
                                      participants=[org.people["qa_reviewer"], org.reviewer2],
                                      conversations=[conversation])
    reviews = {r.reviewer_id: r for r in session.reviews.all()}
    assert len(reviews) == 3 and reviews[org.lead.pk].is_reference
    for person, loss in ((org.lead, 0), (org.people["qa_reviewer"], 0), (org.reviewer2, 5)):
        review = reviews[person.pk]
        marks = marks_full(review)
        item = review.items.filter(applicable=True, bonus=False, points__gte=5).order_by("position").first()
        marks[item.position] = {"earned": item.points - loss, "problem_type": "attitude", "severity": "minor"}
        services.review_save(actor=None, review=review, version=0, marks=marks, submit=True)
    report = services.calibration_report(session)
    by_person = {r["reviewer"].pk: r for r in report["reviewers"]}
    assert by_person[org.people["qa_reviewer"].pk]["overall"] == 0
    assert by_person[org.reviewer2.pk]["overall"] > 0
    row = next(i for i in report["items"] if i["key"] == (item.section, item.item))
    assert row["spread"] == 2.5
    conversation.refresh_from_db()
    assert conversation.reviewed_at is None  # calibration never counts
    assert not Review.objects.filter(conversation=conversation, kind=ReviewKind.REGULAR).exists()


def test_calibration_needs_two_reviewers(org):
    with pytest.raises(ValidationError) as info:
        services.session_create(actor=None, title="t", expert=org.lead, participants=[org.reviewer2],
                                conversations=[make_conversation()])
    assert "participants" in info.value.message_dict


def test_run_due_command_is_idempotent(org):
    from io import StringIO

    from django.core.management import call_command

    make_conversation(day=5)
    plan = _plan(org, recurrence=Recurrence.DAILY, percent=100)
    out = StringIO()
    call_command("review_run_due", "--date", "2026-11-06", stdout=out)
    call_command("review_run_due", "--date", "2026-11-06", stdout=out)
    assert "already ran" in out.getvalue()
    assert Review.objects.filter(plan=plan).count() == 1


def test_targeted_plan_by_rule_hits_and_angry_customers(org):
    rude = make_conversation(polite=False, csat=5, day=10)
    polite = make_conversation(polite=True, csat=5, day=10)
    rude_rules = set(RuleHit.objects.filter(conversation=rude, is_current=True).values_list("rule_id", flat=True))
    polite_rules = set(RuleHit.objects.filter(conversation=polite, is_current=True).values_list("rule_id", flat=True))
    only_rude = sorted(rude_rules - polite_rules)
    assert only_rude
    plan = _plan(org, kind=PlanKind.TARGETED, percent=None, targets=["rules"], rule_ids=only_rude[:1],
                 date_from=date(2026, 11, 10), date_to=date(2026, 11, 10))
    services.plan_run(actor=None, plan=plan, today=date(2026, 12, 1))
    assert set(Review.objects.filter(plan=plan).values_list("conversation_id", flat=True)) == {rude.pk}

    calm = make_conversation(polite=True, csat=5, day=11)
    upset = make_conversation(polite=False, csat=5, day=11)
    emotions = {c.pk: c.current_result.customer_emotion for c in (calm, upset)}
    assert emotions[upset.pk] != emotions[calm.pk]
    threshold = min(emotions.values())
    angry = _plan(org, name="angry", kind=PlanKind.TARGETED, percent=None, targets=["angry"], emotion_over=threshold,
                  date_from=date(2026, 11, 11), date_to=date(2026, 11, 11))
    services.plan_run(actor=None, plan=angry, today=date(2026, 12, 1))
    expected = {pk for pk, value in emotions.items() if value > threshold}
    assert set(Review.objects.filter(plan=angry).values_list("conversation_id", flat=True)) == expected
