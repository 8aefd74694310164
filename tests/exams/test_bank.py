"""Question bank: versions, imports of each format (with bad questions), idempotent re-import, export, pages."""

from __future__ import annotations

import io

import openpyxl
import pytest
from tests.exams.conftest import single

from servicecoach.exams import services
from servicecoach.exams.engine import importers
from servicecoach.exams.models import Attempt, Question, QuestionVersion


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "题目"
    ws.append(importers.EXCEL_COLUMNS)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


GOOD_1 = ["单选题", "首问负责制是指？", "第一个接待的人负责到底", "转给专人", "", "", "", "", "A", "", "服务规范", "易", "1", ""]
BAD = ["单选题", "客户要求退款应？", "核实订单", "直接拒绝", "", "", "", "", "C", "", "售后", "中", "2", ""]
GOOD_2 = ["判断题", "可以向客户承诺无法兑现的事项。", "", "", "", "", "", "", "错误", "", "服务规范", "易", "1", "承诺"]


def test_excel_import_reports_bad_rows_and_imports_the_rest(db):
    report = services.bank_import(actor=None, fmt="excel", data=_xlsx([GOOD_1, BAD, GOOD_2]), filename="题库.xlsx")
    assert len(report.created) == 2
    assert report.problems == ["row 3: 正确答案 'C': 'C' is not one of the options filled (A, B)"]
    assert Question.objects.count() == 2


def test_reimporting_the_same_file_adds_nothing(db):
    data = _xlsx([GOOD_1, GOOD_2, GOOD_1])
    first = services.bank_import(actor=None, fmt="excel", data=data)
    assert len(first.created) == 2 and len(first.duplicates) == 1  # the file's own repeat
    second = services.bank_import(actor=None, fmt="excel", data=data)
    assert second.created == [] and len(second.duplicates) == 3
    assert Question.objects.count() == 2


def test_gift_import_names_the_bad_line(db):
    text = "::Q1:: 客户投诉物流延误，首先应该？ {\n=安抚情绪并致歉\n~直接转接\n}\n\n::Q2:: 坏题 {\n~%x%甲\n~乙\n}\n"
    report = services.bank_import(actor=None, fmt="gift", data=text.encode("utf-8"), filename="a.gift")
    assert len(report.created) == 1
    assert len(report.problems) == 1 and report.problems[0].startswith("line 7")


def test_aiken_import_takes_the_topic_and_reports_bad_questions(db):
    text = "客户来电投诉，首先应当？\nA. 安抚\nB. 转接\nANSWER: A\n\n坏题？\nA. 甲\nB. 乙\nANSWER: D\n"
    report = services.bank_import(actor=None, fmt="aiken", data=text.encode("gb18030"), topic="投诉处理")
    assert [q.topic for q in report.created] == ["投诉处理"]
    assert report.problems == ["line 9: ANSWER: 'D' is not one of the options (A, B)"]


def test_unreadable_excel_is_reported_not_raised(db):
    report = services.bank_import(actor=None, fmt="excel", data=b"not a workbook")
    assert report.created == [] and report.problems[0].startswith("file: not a readable .xlsx workbook")


def test_export_then_import_finds_only_duplicates(db, bank):
    data, problems = services.bank_export(questions=list(Question.objects.all()), fmt="excel")
    assert problems == []
    report = services.bank_import(actor=None, fmt="excel", data=data)
    assert report.created == [] and len(report.duplicates) == Question.objects.count()


def test_editing_a_question_adds_a_version_and_attempts_keep_theirs(org, bank, fixed_paper, make_exam):
    exam = make_exam(fixed_paper, shuffle_questions=False)
    attempt = services.attempt_start(exam=exam, person=org.people["agent"])
    item = attempt.items.get(version__question=bank["s0"])
    services.question_update(actor=None, question=bank["s0"], new=single("s0", stem="改过的题干？"))
    bank["s0"].refresh_from_db()
    assert bank["s0"].version == 2 and bank["s0"].stem == "改过的题干？"
    item.refresh_from_db()
    assert item.version.number == 1 and item.version.data["stem"].startswith("s0：")
    assert Attempt.objects.get(pk=attempt.pk).items.get(pk=item.pk).version.to_engine().version == 1


def test_an_edit_that_changes_nothing_adds_no_version(bank):
    services.question_update(actor=None, question=bank["s1"], new=bank["s1"].current.to_engine())
    assert QuestionVersion.objects.filter(question=bank["s1"]).count() == 1


def test_creating_a_duplicate_is_refused(bank):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="already holds"):
        services.question_create(actor=None, question=single("other", stem=bank["s0"].stem))


@pytest.fixture
def trainer_client(client, org):
    client.force_login(org.users["trainer"])
    return client


def test_question_form_names_the_field_of_a_bad_answer(trainer_client):
    response = trainer_client.post("/exams/questions/new/", {
        "qtype": "single_choice", "stem": "题目", "option_a": "甲", "option_b": "乙", "answer": "C",
        "difficulty": "medium", "points": "1"})
    assert response.status_code == 200
    assert "'C' is not one of the options filled (A, B)" in response.context["form"].errors["answer"][0]
    assert Question.objects.count() == 0


def test_question_form_creates_every_type(trainer_client):
    cases = [
        {"qtype": "single_choice", "option_a": "甲", "option_b": "乙", "answer": "B"},
        {"qtype": "multiple_choice", "option_a": "甲", "option_b": "乙", "option_c": "丙", "answer": "AC"},
        {"qtype": "true_false", "answer": "正确"},
        {"qtype": "fill_in_blank", "answer": "95588|24小时;二十四小时"},
        {"qtype": "short_answer", "answer": "致歉;道歉(2)|记录问题"},
        {"qtype": "essay", "answer": "参考答案"},
    ]
    for n, case in enumerate(cases):
        data = {"stem": f"第{n}题", "difficulty": "hard", "points": "2", "topic": "模块", "tags": "a, b", **case}
        response = trainer_client.post("/exams/questions/new/", data)
        assert response.status_code == 302, response.context["form"].errors
    assert sorted(Question.objects.values_list("qtype", flat=True)) == sorted(c["qtype"] for c in cases)
    assert all(q.tags == ["a", "b"] for q in Question.objects.all())


def test_edit_page_round_trips_the_question(trainer_client, bank):
    page = trainer_client.get(f"/exams/questions/{bank['sa'].pk}/edit/")
    initial = page.context["form"].initial
    assert initial["answer"] == "致歉;道歉|记录问题"
    url = f"/exams/questions/{bank['sa'].pk}/edit/"
    assert trainer_client.post(url, {**initial, "points": "4"}).status_code == 302
    bank["sa"].refresh_from_db()
    version = bank["sa"].version  # the form's notation may renumber key points once
    again = trainer_client.get(url).context["form"].initial
    assert trainer_client.post(url, {**again, "points": "4"}).status_code == 302
    bank["sa"].refresh_from_db()
    assert bank["sa"].version == version  # saving the same content adds no version
    assert bank["sa"].current.to_engine().key_points[0].phrasings == ("道歉",)


def test_import_page_shows_the_report(trainer_client):
    upload = io.BytesIO(_xlsx([GOOD_1, BAD]))
    upload.name = "题库.xlsx"
    response = trainer_client.post("/exams/questions/import/", {"fmt": "excel", "file": upload})
    assert response.status_code == 200
    assert "row 3: 正确答案" in response.content.decode()
    assert len(response.context["report"].created) == 1


def test_list_filters_by_topic_and_tag(trainer_client, bank):
    services.question_create(actor=None, question=single("tagged", stem="带标签的题？").__class__(
        key="tagged", stem="带标签的题？", topic="投诉处理", tags=("物流",), options=single("x").options))
    response = trainer_client.get("/exams/questions/", {"topic": "投诉处理", "tag": "物流"})
    assert [q.key for q in response.context["page"].object_list] == ["tagged"]


def test_exports_download_in_each_format(trainer_client, bank):
    for fmt in ("excel", "gift", "aiken"):
        response = trainer_client.get("/exams/questions/export/", {"format": fmt})
        assert response.status_code == 200 and len(response.content) > 100
