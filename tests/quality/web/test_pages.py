"""The quality pages render what they promise, for the roles that may see them."""

from __future__ import annotations

import io

import openpyxl
import pytest

from servicecoach.quality.models import Conversation, RuleHit, Verdict


@pytest.fixture
def stored(sample, ingest, make_record):
    ingest(make_record("S007", cid="polite-1"), make_record("S007", cid="rude-1", polite=False, csat=1),
           make_record("S009", cid="other-1"))
    return {c.external_id: c for c in Conversation.objects.all()}


def test_list_filters_by_rule_and_red_line_and_csat(login, stored):
    client = login("admin")
    page = client.get("/qa/", {"rule": "zh-forbidden-01"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "rude-1" in body and "polite-1" not in body
    body = client.get("/qa/", {"csat_max": 2}).content.decode()
    assert "rude-1" in body and "other-1" not in body
    body = client.get("/qa/", {"sort": "score"}).content.decode()
    assert body.index("rude-1") < body.index("polite-1")


def test_bad_filter_names_the_field(login, stored):
    body = login("admin").get("/qa/", {"score_min": 90, "score_max": 10}).content.decode()
    assert "最高分低于最低分。" in body  # the interface is Chinese by default


def test_agent_list_shows_only_their_own(login, stored):
    body = login("agent").get("/qa/").content.decode()
    assert "polite-1" in body and "other-1" not in body


def test_export_is_an_excel_workbook_of_the_filtered_list(login, stored):
    response = login("supervisor").get("/qa/conversations/export/")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    ids = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert ids == {"polite-1", "rude-1"}  # Team A only: the other team's conversation is out of scope


def test_conversation_page_highlights_hits_and_works_out_the_scorecard(login, stored):
    conv = stored["rude-1"]
    body = login("supervisor").get(f"/qa/conversations/{conv.pk}/").content.decode()
    assert '<mark class="hit' in body and "不知道</mark>" in body
    assert "使用服务禁语" in body  # the rule's name
    assert "无服务禁语" in body  # the scorecard item it cost
    assert "wait" in body or "等待" in body


def test_reviewer_confirms_a_hit_and_the_rule_list_counts_it(login, stored, sample):
    hit = RuleHit.objects.filter(conversation=stored["rude-1"], rule_id="zh-forbidden-01").first()
    admin = login("admin")
    response = admin.post(f"/qa/hits/{hit.pk}/verdict/", {"verdict": "rejected"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "已驳回" in response.content.decode()
    hit.refresh_from_db()
    assert hit.verdict == Verdict.REJECTED and hit.verdict_by == sample.users["admin"]
    body = admin.get("/qa/rules/").content.decode()
    row = body[body.index('data-rule="zh-forbidden-01"'):]
    row = row[:row.index("</tr>")]
    assert "data-rejected>1<" in row and "data-confirmed>0<" in row


def test_supervisor_may_not_give_verdicts(login, stored):
    hit = RuleHit.objects.filter(conversation=stored["rude-1"]).first()
    assert login("supervisor").post(f"/qa/hits/{hit.pk}/verdict/", {"verdict": "confirmed"}).status_code == 403


def test_list_count_stops_at_the_cap_and_says_so(login, stored, settings):
    settings.QUALITY_LIST_COUNT_CAP = 2
    body = login("admin").get("/qa/").content.decode()
    assert "超过 2 通会话" in body
    body = login("admin").get("/qa/", {"rule": "zh-forbidden-01"}).content.decode()
    assert "超过 2 通会话" not in body and "共 1 通会话" in body
