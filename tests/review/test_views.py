"""The review pages through Django's test client: the form, conflicts, plans, appeals, calibration,
the case library, the dashboard, the home panel and the conversation page's panel."""

from __future__ import annotations

import pytest
from django.urls import reverse
from tests.review.helpers import make_conversation, marks_full

from servicecoach.review import services
from servicecoach.review.models import Appeal, AppealStatus, Review, ReviewStatus, SamplingPlan


def _post_marks(review, **overrides) -> dict:
    data = {"version": str(review.version), "comment": "", "action": "submit"}
    for position, mark in marks_full(review).items():
        if mark.get("na"):
            data[f"item-{position}-na"] = "on"
        else:
            data[f"item-{position}-earned"] = str(mark["earned"])
    data.update(overrides)
    return data


@pytest.fixture
def assigned(org):
    return services.review_assign(actor=None, conversation=make_conversation(polite=False),
                                  reviewer=org.people["qa_reviewer"])


def test_review_form_submits_and_shows_the_score(client, org, assigned):
    client.force_login(org.users["qa_reviewer"])
    page = client.get(reverse("review:review-edit", args=[assigned.pk]))
    assert page.status_code == 200 and 'name="item-0-earned"' in page.content.decode()
    assert Review.objects.get(pk=assigned.pk).opened_at is not None
    response = client.post(reverse("review:review-edit", args=[assigned.pk]), _post_marks(assigned))
    assert response.status_code == 302
    review = Review.objects.get(pk=assigned.pk)
    assert review.status == ReviewStatus.SUBMITTED and review.score == 100
    detail = client.get(reverse("review:review-detail", args=[assigned.pk]))
    assert "100" in detail.content.decode()


def test_review_form_errors_name_the_item_and_keep_the_input(client, org, assigned):
    client.force_login(org.users["qa_reviewer"])
    item = assigned.items.filter(applicable=True, red_line=False, bonus=False).first()
    data = _post_marks(assigned, **{f"item-{item.position}-earned": "0", "comment": "我的意见"})
    response = client.post(reverse("review:review-edit", args=[assigned.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200 and item.label in body and "我的意见" in body
    assert Review.objects.get(pk=assigned.pk).status == ReviewStatus.PENDING


def test_second_editor_gets_a_conflict_and_the_first_save_stands(client, org, assigned):
    lead = org.lead.user
    client.force_login(org.users["qa_reviewer"])
    first = _post_marks(assigned, action="draft", comment="先保存的")
    stale = _post_marks(assigned, action="draft", comment="后保存的")
    assert client.post(reverse("review:review-edit", args=[assigned.pk]), first).status_code == 302
    client.force_login(lead)
    response = client.post(reverse("review:review-edit", args=[assigned.pk]), stale)
    assert response.status_code == 409 and 'id="conflict"' in response.content.decode()
    assert Review.objects.get(pk=assigned.pk).comment == "先保存的"


def test_plan_form_names_missing_fields_and_runs(client, org):
    make_conversation(day=3)
    client.force_login(org.users["admin"])
    response = client.post(reverse("review:plan-create"), {"name": "p", "unit": org.units["service"].pk,
                                                           "kind": "random", "recurrence": "once",
                                                           "assign_mode": "even"})
    body = response.content.decode()
    assert response.status_code == 200 and not SamplingPlan.objects.exists()
    assert 'name="percent"' in body and "errorlist" in body
    response = client.post(reverse("review:plan-create"), {
        "name": "p", "unit": org.units["service"].pk, "kind": "random", "percent": "100", "recurrence": "once",
        "date_from": "2026-11-01", "date_to": "2026-11-30", "assign_mode": "even", "active": "on",
        f"weight_{org.people['qa_reviewer'].pk}": "1"})
    plan = SamplingPlan.objects.get()
    assert response.status_code == 302
    client.post(reverse("review:plan-run", args=[plan.pk]))
    assert Review.objects.filter(plan=plan, reviewer=org.people["qa_reviewer"]).count() == 1
    client.force_login(org.users["qa_reviewer"])
    assert client.get(reverse("review:plan-edit", args=[plan.pk])).status_code == 403
    queue = client.get(reverse("review:queue")).content.decode()
    assert "p" in queue and reverse("review:review-edit", args=[Review.objects.get().pk]) in queue


def test_appeal_through_the_pages(client, org, assigned):
    review = services.review_save(actor=None, review=assigned, version=0, marks=marks_full(assigned), submit=True)
    item = review.items.filter(applicable=True).first()
    client.force_login(org.users["agent"])
    response = client.post(reverse("review:appeal-create", args=[review.pk]), {"items": [str(item.pk)], "comment": ""})
    assert response.status_code == 200 and not Appeal.objects.exists()
    client.post(reverse("review:appeal-create", args=[review.pk]), {"items": [str(item.pk)], "comment": "理由"})
    appeal = Appeal.objects.get()
    # another agent does not see it
    client.force_login(org.users["supervisor"])
    response = client.post(reverse("review:appeal-detail", args=[appeal.pk]), {"action": "forward", "comment": ""})
    assert response.status_code == 302
    client.force_login(org.users["qa_reviewer"])  # the reviewer sees the status, cannot decide
    assert client.get(reverse("review:appeal-detail", args=[appeal.pk])).status_code == 200
    assert client.post(reverse("review:appeal-detail", args=[appeal.pk]), {"decision": "accept"}).status_code == 403
    client.force_login(org.lead.user)
    response = client.post(reverse("review:appeal-detail", args=[appeal.pk]), {"decision": "reject", "comment": ""})
    assert response.status_code == 200
    client.post(reverse("review:appeal-detail", args=[appeal.pk]), {"decision": "reject", "comment": "维持原判"})
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED


def test_calibration_form_names_the_unknown_conversation_line(client, org):
    conversation = make_conversation(cid="cal-1")
    client.force_login(org.users["admin"])
    data = {"title": "校准", "expert": org.lead.pk,
            "participants": [org.people["qa_reviewer"].pk, org.reviewer2.pk], "conversations": "cal-1\nnope"}
    response = client.post(reverse("review:calibration-create"), data)
    assert response.status_code == 200 and "nope" in response.content.decode()
    data["conversations"] = "cal-1"
    response = client.post(reverse("review:calibration-create"), data)
    assert response.status_code == 302
    assert Review.objects.filter(conversation=conversation, kind="calibration").count() == 3


def test_calibration_review_is_blind_to_other_participants(client, org):
    session = services.session_create(actor=None, title="t", expert=org.lead,
                                      participants=[org.people["qa_reviewer"], org.reviewer2],
                                      conversations=[make_conversation()])
    other = session.reviews.get(reviewer=org.reviewer2)
    client.force_login(org.users["qa_reviewer"])
    assert client.get(reverse("review:review-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("review:calibration-report", args=[session.pk])).status_code == 403
    services.review_save(actor=None, review=other, version=0, marks=marks_full(other), submit=True)
    services.session_close(actor=None, session=session)
    report = client.get(reverse("review:calibration-report", args=[session.pk]))
    assert report.status_code == 200
    first = other.items.order_by("position").first()
    assert f"<td>{first.label}</td>" in report.content.decode()


def test_case_library_shows_the_masked_copy(client, org, assigned):
    review = services.review_save(actor=None, review=assigned, version=0, marks=marks_full(assigned), submit=True)
    client.force_login(org.users["qa_reviewer"])
    response = client.post(reverse("review:case-edit", args=[review.pk]), {
        "title": "态度问题", "outcome": "bad", "background": "客户电话13812345678", "problem": "p",
        "handling": "h", "result": "r", "action": "publish"})
    assert response.status_code == 302
    client.force_login(org.users["trainer"])
    page = client.get(response["Location"]).content.decode()
    assert "138****5678" in page and "13812345678" not in page


def test_dashboard_counts_reviews_appeals_and_problems(client, org, assigned):
    marks = marks_full(assigned)
    item = assigned.items.filter(applicable=True, red_line=False, bonus=False).first()
    marks[item.position] = {"earned": 0, "problem_type": "knowledge", "severity": "general"}
    red = assigned.items.filter(red_line=True).first()
    marks[red.position] = {"violated": True, "problem_type": "compliance", "severity": "severe"}
    review = services.review_save(actor=None, review=assigned, version=0, marks=marks, submit=True)
    assert review.score == 0 and assigned.conversation.score >= 60  # the review fails what the machine passed
    services.appeal_create(actor=org.users["agent"], review=review, item_ids=[item.pk], comment="x")
    make_conversation(polite=True)
    client.force_login(org.users["supervisor"])
    response = client.get(reverse("review:dashboard"), {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    body = response.content.decode()
    data = response.context["data"]
    assert response.status_code == 200
    assert data["totals"]["conversations"] == 2 and data["totals"]["reviewed"] == 1
    # the pass rate counts the review's score where there is one, else the automatic score
    from servicecoach.quality.models import Conversation

    finals = [review.score if c.pk == review.conversation_id else c.score for c in Conversation.objects.all()]
    assert data["totals"]["pass_rate"] == round(100 * sum(f >= 60 for f in finals) / len(finals), 1)
    assert data["appeals"]["appeals"] == 1 and data["appeals"]["rate"] == 100.0
    assert {row["name"] for row in data["failing_items"]} == {item.label, red.label}
    assert [row["n"] for row in data["pareto"]] == [1, 1] and data["pareto"][-1]["cumulative"] == 100.0
    assert "chart-trend" in body and "plotly" in body
    # an agent of another team's supervisor scope is not counted for a supervisor of Team A only
    make_conversation("S009")
    again = client.get(reverse("review:dashboard"), {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert again.context["data"]["totals"]["conversations"] == 2


def test_home_panel_lists_my_queue(client, org, assigned):
    client.force_login(org.users["qa_reviewer"])
    body = client.get(reverse("home")).content.decode()
    assert 'id="home-review-queue"' in body and assigned.conversation.external_id in body


def test_conversation_page_offers_a_review_to_qa_staff(client, org):
    conversation = make_conversation(agent="S005")  # in the QA reviewer's own unit: in their scope
    client.force_login(org.users["qa_reviewer"])
    body = client.get(reverse("quality:conversation-detail", args=[conversation.pk])).content.decode()
    assert reverse("review:review-start", args=[conversation.pk]) in body
    response = client.post(reverse("review:review-start", args=[conversation.pk]))
    review = Review.objects.get(conversation=conversation)
    assert response["Location"] == reverse("review:review-edit", args=[review.pk])


def test_appeal_button_only_within_the_appeal_period(client, org, assigned):
    from datetime import timedelta

    from django.utils import timezone

    review = services.review_save(actor=None, review=assigned, version=0, marks=marks_full(assigned), submit=True)
    link = reverse("review:appeal-create", args=[review.pk])
    client.force_login(org.users["agent"])
    assert link in client.get(reverse("review:review-detail", args=[review.pk])).content.decode()
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    assert link not in client.get(reverse("review:review-detail", args=[review.pk])).content.decode()
