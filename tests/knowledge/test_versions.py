"""Every edit makes a version; versions compare side by side; restoring makes a new version."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from servicecoach.knowledge import diff, services
from servicecoach.knowledge.models import Article, ArticleVersion, IndexChange
from servicecoach.org.models import AuditEntry

pytestmark = pytest.mark.django_db


def _faq(editor, **extra):
    return services.article_create(kind="faq", title="退款多久到账？", author=editor.user,
                                   fields={"answer": "原路退回，1-3个工作日到账。", "similar": ["钱什么时候退回来"]},
                                   category="退款", tags=["退款", "时效"], **extra)


def test_create_writes_version_one_audit_and_index_change(editor):
    article = _faq(editor)
    assert article.version == 1
    version = article.versions.get()
    assert version.number == 1 and version.content["title"] == "退款多久到账？"
    assert version.content["tags"] == ["时效", "退款"]
    assert AuditEntry.objects.filter(object_type="knowledge.article", object_id=str(article.pk)).exists()
    assert IndexChange.objects.filter(article_id=article.pk).count() == 1


def test_every_change_is_a_new_version_and_no_change_is_none(editor):
    article = _faq(editor)
    article = services.article_update(article=article, author=editor.user,
                                      fields={"answer": "原路退回，1-5个工作日到账。", "similar": ["钱什么时候退回来"]})
    assert article.version == 2
    same = services.article_update(article=article, author=editor.user, title="退款多久到账？")
    assert same.version == 2
    assert list(article.versions.values_list("number", flat=True)) == [2, 1]


def test_restore_makes_a_new_version_with_the_old_content(editor):
    article = _faq(editor)
    services.article_update(article=article, author=editor.user, title="退款几天到账",
                            fields={"answer": "三天内到账。"}, tags=["退款"])
    restored = services.article_restore(article=article, number=1, author=editor.user)
    assert restored.version == 3
    assert restored.title == "退款多久到账？"
    assert restored.fields["answer"] == "原路退回，1-3个工作日到账。"
    assert sorted(t.name for t in restored.tags.all()) == ["时效", "退款"]
    v3 = restored.versions.get(number=3)
    assert v3.restored_from == 1 and "1" in v3.note
    assert ArticleVersion.objects.filter(article=article).count() == 3  # history kept


def test_restoring_a_missing_version_is_refused(editor):
    article = _faq(editor)
    with pytest.raises(ValidationError):
        services.article_restore(article=article, number=7, author=editor.user)


def test_bad_fields_are_refused_naming_the_field_and_store_nothing(editor):
    with pytest.raises(ValidationError) as info:
        services.article_create(kind="faq", title="空答案", fields={"answer": "  "}, author=editor.user)
    assert "answer" in info.value.message_dict
    with pytest.raises(ValidationError) as info:
        services.article_create(kind="case", title="案例", fields={"outcome": "maybe"}, author=editor.user)
    assert "outcome" in info.value.message_dict
    assert not Article.objects.exists()


def test_qa_app_publishes_a_case_with_its_source(editor):
    case = services.article_create(
        kind="case", title="物流延误主动致歉", author=editor.user, category="物流", tags=["致歉"],
        fields={"outcome": "good", "background": "物流停滞", "problem": "客户焦虑", "handling": "主动致歉补发",
                "result": "客户好评"},
        source_system="quality", source_id="4711", source_url="/qa/conversations/4711/")
    assert case.source_id == "4711" and case.versions.get().content["source_url"] == "/qa/conversations/4711/"


def test_compare_marks_changed_characters_side_by_side(editor):
    article = _faq(editor)
    services.article_update(article=article, author=editor.user,
                            fields={"answer": "原路退回，1-5个工作日到账。", "similar": ["钱什么时候退回来"]})
    old, new = (v.content for v in article.versions.order_by("number"))
    with translation.override("en"):
        parts = {p.label: p for p in diff.compare(old, new)}
    answer = parts["Answer"]
    assert answer.changed and not parts["Title"].changed
    row = answer.rows[0]
    assert row.change == "replace"
    assert '<mark class="diff-del">3</mark>' in row.left and '<mark class="diff-ins">5</mark>' in row.right


def test_compare_and_restore_pages(client, editor):
    article = _faq(editor)
    services.article_update(article=article, author=editor.user, title="退款几天到账")
    client.force_login(editor.user)
    page = client.get(reverse("knowledge:article-compare", args=[article.pk]) + "?a=1&b=2")
    assert page.status_code == 200
    assert "diff-del" in page.content.decode()
    response = client.post(reverse("knowledge:article-restore", args=[article.pk, 1]))
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.version == 3 and article.title == "退款多久到账？"


def test_editor_form_saves_a_script_with_scenarios(client, editor):
    client.force_login(editor.user)
    response = client.post(reverse("knowledge:article-create", args=["script"]), {
        "title": "物流延迟安抚", "status": "published", "category": "物流", "tags": "物流, 安抚",
        "f_opening": "{客户称呼}您好，我是客服{客服昵称}。",
        "f_scenarios": "[物流延迟]\n非常抱歉，您的订单{订单号}在路上了。\n\n[催发货]\n我们已为您催促仓库。",
        "f_closing": "", "note": "",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    article = Article.objects.get(title="物流延迟安抚")
    assert article.fields["scenarios"] == [
        {"scenario": "物流延迟", "text": "非常抱歉，您的订单{订单号}在路上了。"},
        {"scenario": "催发货", "text": "我们已为您催促仓库。"},
    ]
    assert sorted(t.name for t in article.tags.all()) == ["安抚", "物流"]


def test_editor_form_shows_the_field_error(client, editor):
    client.force_login(editor.user)
    response = client.post(reverse("knowledge:article-create", args=["script"]), {
        "title": "空话术", "status": "published", "f_opening": "", "f_scenarios": "", "f_closing": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["f_opening"]
    assert not Article.objects.exists()


def test_a_source_link_must_be_http_or_a_local_path(editor):
    fields = {"outcome": "bad", "background": "背景"}
    with pytest.raises(ValidationError) as info:
        services.article_create(kind="case", title="案例", fields=fields, author=editor.user,
                                source_url="javascript:alert(1)")
    assert "source_url" in info.value.message_dict
    case = services.article_create(kind="case", title="案例", fields=fields, author=editor.user,
                                   source_url="https://qa.example.com/c/1")
    with pytest.raises(ValidationError):
        services.article_update(article=case, author=editor.user, source_url="//evil.example.com/")
