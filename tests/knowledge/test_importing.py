"""Import from Excel and Markdown: good files, re-import, malformed files reported by row or line."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from servicecoach.knowledge import importing
from servicecoach.knowledge.models import Article

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def xlsx(rows, *, title="FAQ") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD = [
    ["问题", "答案", "分类", "相似问法", "标签"],
    ["退款多久到账？", "原路退回，1-3个工作日到账。", "退款", "钱什么时候退回来;退款还没到", "退款 时效"],
    [None, None, None, None, None],
    ["发票怎么开？", "在订单详情申请电子发票。", "发票", "", ""],
]


def test_excel_import_creates_faqs_and_reimport_changes_nothing(editor):
    result = importing.import_file(data=xlsx(GOOD), name="faq.xlsx", actor=editor.user)
    assert result.ok and (result.created, result.updated, result.unchanged) == (2, 0, 0)
    refund = Article.objects.get(title="退款多久到账？")
    assert refund.kind == "faq" and refund.category.name == "退款"
    assert refund.fields["similar"] == ["钱什么时候退回来", "退款还没到"]
    assert sorted(t.name for t in refund.tags.all()) == ["时效", "退款"]

    again = importing.import_file(data=xlsx(GOOD), name="faq.xlsx", actor=editor.user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert Article.objects.count() == 2 and Article.objects.get(pk=refund.pk).version == 1

    changed = [list(r) for r in GOOD]
    changed[1][1] = "原路退回，1-5个工作日到账。"
    third = importing.import_file(data=xlsx(changed), name="faq.xlsx", actor=editor.user)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert Article.objects.get(pk=refund.pk).version == 2


def test_bad_rows_are_reported_with_row_and_reason_and_nothing_is_stored(editor):
    rows = [
        ["question", "answer", "category"],
        ["好问题", "好答案", "订单"],
        ["没有答案的问题", "", "订单"],
        ["", "没有问题的答案", "订单"],
        ["好问题", "重复", "订单"],
        ["长" * 201, "答", ""],
    ]
    result = importing.import_file(data=xlsx(rows), name="bad.xlsx", actor=editor.user)
    problems = [(p.where.rsplit(" ", 1)[-1], p.message) for p in result.problems]
    assert [w for w, _ in problems] == ["3", "4", "5", "6"], result.problems
    assert "answer" in problems[0][1].lower() or "答案" in problems[0][1]
    assert "2" in problems[2][1]  # the duplicate names the first row
    assert not result.ok and not Article.objects.exists()


def test_missing_columns_and_non_workbooks_are_refused(editor):
    result = importing.import_file(data=xlsx([["标题", "内容"], ["a", "b"]]), name="x.xlsx", actor=editor.user)
    assert len(result.problems) == 1 and "answer" in result.problems[0].message
    broken = importing.import_file(data=b"PK\x03\x04 not really a zip", name="broken.xlsx", actor=editor.user)
    assert broken.problems and broken.problems[0].where == "broken.xlsx"
    other = importing.import_file(data=b"a,b\n", name="faq.csv", actor=editor.user)
    assert other.problems and not Article.objects.exists()


MARKDOWN = """---
kind: faq
category: 退款
---
# 退款多久到账？
标签：退款, 时效
原路退回，一般1-3个工作日到账。

## 相似问法
- 钱什么时候退回来
- 退款怎么还没到

# 发票怎么开？
分类：发票
在订单详情申请电子发票。
"""


def test_markdown_import_with_front_matter_and_headings(editor):
    result = importing.import_file(data=MARKDOWN.encode(), name="faq.md", actor=editor.user)
    assert result.ok and result.created == 2, result.problems
    refund = Article.objects.get(title="退款多久到账？")
    assert refund.fields == {"answer": "原路退回，一般1-3个工作日到账。", "similar": ["钱什么时候退回来", "退款怎么还没到"]}
    assert refund.category.name == "退款" and sorted(t.name for t in refund.tags.all()) == ["时效", "退款"]
    assert Article.objects.get(title="发票怎么开？").category.name == "发票"
    again = importing.import_file(data=MARKDOWN.encode(), name="faq.md", actor=editor.user)
    assert again.unchanged == 2 and Article.objects.count() == 2


def test_markdown_case_sections_by_chinese_label(editor):
    text = "---\nkind: case\n---\n# 主动补发\n## 正面或反面案例\n正面案例\n## 背景\n物流停滞\n## 处理\n主动补发\n"
    result = importing.import_file(data=text.encode(), name="cases.md", actor=editor.user)
    assert result.ok, result.problems
    case = Article.objects.get()
    assert case.fields["outcome"] == "good" and case.fields["handling"] == "主动补发"


@pytest.mark.parametrize("text, line, words", [
    ("---\nkind: faq\n# 没有结束\n答\n", "1", "---"),
    ("---\nkind: blog\n---\n# 标题\n正文\n", "2", "blog"),
    ("# 问题\n答案\n## 不存在的小节\n文字\n", "3", "不存在的小节"),
    ("前言文字\n# 问题\n答案\n", "1", "#"),
    ("# 只有标题\n", "1", ""),
    ("# 同一个问题\n答一\n# 同一个问题\n答二\n", "3", "1"),
])
def test_malformed_markdown_names_the_line(editor, text, line, words):
    result = importing.import_file(data=text.encode(), name="bad.md", actor=editor.user)
    assert result.problems, text
    problem = result.problems[0]
    assert problem.where.endswith(f" {line}") or f"第 {line} 行" in problem.where, problem
    assert words in problem.message
    assert not Article.objects.exists()


def test_markdown_that_is_not_utf8_is_refused(editor):
    result = importing.import_file(data="# 问题\n答案".encode("gbk"), name="gbk.md", actor=editor.user)
    assert result.problems and not Article.objects.exists()


def test_export_round_trips_through_import(client, editor):
    importing.import_file(data=xlsx(GOOD), name="faq.xlsx", actor=editor.user)
    client.force_login(editor.user)
    response = client.get(reverse("knowledge:export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook["FAQ"].max_row == 3
    again = importing.import_file(data=response.content, name="export.xlsx", actor=editor.user)
    assert again.ok and again.unchanged == 2 and again.created == 0


def test_import_page_reports_problems(client, editor):
    client.force_login(editor.user)
    upload = io.BytesIO(xlsx([["question", "answer"], ["问", ""]]))
    upload.name = "bad.xlsx"
    response = client.post(reverse("knowledge:import"), {"file": upload})
    assert response.status_code == 400
    assert "bad.xlsx" in response.content.decode()
    assert not Article.objects.exists()
