"""Search through the web layer: the index follows the database, snapshots, rebuilds with the administrators'
dictionary and synonyms, filters, highlighting, the no-good-answer log, and ranking on the test collection."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from servicecoach.knowledge import search, selectors, services
from servicecoach.knowledge.collection import load_collection
from servicecoach.knowledge.engine.collection import load_queries
from servicecoach.knowledge.models import IndexState, SearchQueryLog

pytestmark = pytest.mark.django_db


def _faq(editor, title, answer, **extra):
    return services.article_create(kind="faq", title=title, fields={"answer": answer}, author=editor.user, **extra)


def _ids(user, query, **filters):
    result, _ = selectors.article_search(user=user, query=query, **filters)
    return [int(hit.id) for hit in result.hits]


def test_index_follows_creates_edits_unpublishing_and_deletes(editor, agent):
    refund = _faq(editor, "退款多久到账？", "原路退回，1-3个工作日到账。", category="退款")
    assert _ids(agent.user, "退款到账") == [refund.pk]
    services.article_update(article=refund, author=editor.user, title="发票怎么开？",
                            fields={"answer": "在订单详情申请电子发票。"})
    assert _ids(agent.user, "退款到账") == []
    assert _ids(agent.user, "电子发票") == [refund.pk]
    services.article_update(article=refund, author=editor.user, status="draft")
    assert _ids(agent.user, "电子发票") == []
    services.article_update(article=refund, author=editor.user, status="published")
    assert _ids(agent.user, "电子发票") == [refund.pk]
    services.article_delete(article=refund, actor=editor.user)
    assert _ids(agent.user, "电子发票") == []


def test_another_process_loads_the_snapshot_and_catches_up(editor, agent, settings):
    first = _faq(editor, "退款多久到账？", "原路退回。")
    epoch = search.rebuild()["epoch"]
    assert (settings.KNOWLEDGE_INDEX_DIR / "index.bin").exists()
    second = _faq(editor, "运费险怎么理赔？", "退货后自动理赔到支付账户。")
    search.forget_process_index()  # as if another process started: it reads the snapshot, then the changes
    assert _ids(agent.user, "运费险理赔")[0] == second.pk
    assert _ids(agent.user, "退款多久到账")[0] == first.pk
    assert search._loaded.epoch == epoch == IndexState.objects.get(pk=1).epoch  # loaded, not rebuilt


def test_a_snapshot_of_another_epoch_is_not_used(editor, agent, settings):
    refund = _faq(editor, "退款多久到账？", "原路退回。")
    search.rebuild()
    IndexState.objects.filter(pk=1).update(epoch="someone-else-rebuilt")
    search.forget_process_index()
    assert _ids(agent.user, "退款到账") == [refund.pk]  # rebuilt from the database, not the stale file
    assert IndexState.objects.get(pk=1).epoch != "someone-else-rebuilt"


def test_a_change_committed_late_is_still_applied(editor, agent):
    """Transactions may commit out of order: a change with a lower id than one already applied."""
    refund = _faq(editor, "退款多久到账？", "原路退回。")
    assert _ids(agent.user, "退款") == [refund.pk]
    loaded = search._loaded
    loaded.versions[str(refund.pk)] = 0  # pretend this process applied a later change and missed this one
    loaded.last_change += 5
    services.article_update(article=refund, author=editor.user, title="发票怎么开？")
    assert _ids(agent.user, "发票") == [refund.pk]


def test_dictionary_words_and_synonyms_apply_at_the_next_rebuild(client, editor, agent, make_person,
                                                                  django_capture_on_commit_callbacks):
    from servicecoach.org.models import Role

    admin = make_person(Role.ADMIN, name="管理员")
    purifier = _faq(editor, "蓝鲸净水宝滤芯多久换一次？", "建议每6个月更换一次滤芯。")
    assert _ids(agent.user, "饮水机") == []
    client.force_login(admin.user)
    response = client.post(reverse("knowledge:search-settings"), {"action": "add_synonyms",
                                                                   "syn-words": "饮水机 蓝鲸净水宝"})
    assert response.status_code == 302
    assert IndexState.objects.get(pk=1).config_changed_at is not None
    assert _ids(agent.user, "饮水机") == []  # not before the rebuild
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # the rebuild job, run in-process
        assert client.post(reverse("knowledge:search-settings"), {"action": "rebuild"}).status_code == 302
    assert len(callbacks) == 1
    assert _ids(agent.user, "饮水机") == [purifier.pk]
    bad = client.post(reverse("knowledge:search-settings"), {"action": "add_word", "word-word": "两个 词"})
    assert bad.status_code == 200 and bad.context["word_form"].errors["word"]


def test_filters_by_kind_category_and_tag(editor, agent):
    faq = _faq(editor, "退款多久到账？", "原路退回。", category="退款", tags=["时效"])
    script = services.article_create(kind="script", title="退款安抚话术", author=editor.user, category="退款",
                                     fields={"opening": "{客户称呼}您好，退款已为您加急处理。"})
    assert set(_ids(agent.user, "退款")) == {faq.pk, script.pk}
    assert _ids(agent.user, "退款", kind="script") == [script.pk]
    assert _ids(agent.user, "退款", tag="时效") == [faq.pk]
    assert _ids(agent.user, "退款", category="发票") == []


def test_results_and_article_page_mark_the_matched_words(client, editor, agent):
    refund = _faq(editor, "退款多久到账？", "原路退回，一般1-3个工作日到账。", category="退款")
    client.force_login(agent.user)
    page = client.get(reverse("knowledge:search"), {"q": "退款什么时候到账"}).content.decode()
    # 多久 is a synonym of 什么时候: the three touching words are marked as one span
    assert "<mark>退款多久到账</mark>？" in page and "一般1-3个工作日<mark>到账</mark>" in page
    detail = client.get(reverse("knowledge:article-detail", args=[refund.pk]), {"q": "退款到账"}).content.decode()
    assert "<mark>退款</mark>多久<mark>到账</mark>" in detail


def test_a_submitted_query_without_a_good_answer_is_logged_for_the_owners(client, editor, agent):
    _faq(editor, "退款多久到账？", "原路退回。")
    client.force_login(agent.user)
    client.get(reverse("knowledge:search"), {"q": "公积金怎么提取", "live": "1"})  # typing: not logged
    assert not SearchQueryLog.objects.exists()
    client.get(reverse("knowledge:search"), {"q": "公积金怎么提取"})
    client.get(reverse("knowledge:search"), {"q": "退款多久到账"})  # a good answer: not logged
    assert list(SearchQueryLog.objects.values_list("query", flat=True)) == ["公积金怎么提取"]
    client.force_login(editor.user)
    rows = client.get(reverse("knowledge:unanswered")).context["rows"]
    assert [(r["query"], r["times"]) for r in rows] == [("公积金怎么提取", 1)]


def test_drafts_are_not_found_by_search(editor, agent):
    _faq(editor, "内部草稿：退款新规", "尚未发布。", status="draft")
    assert _ids(agent.user, "退款新规") == [] and _ids(editor.user, "退款新规") == []


def test_api_search_returns_highlight_spans(client, editor, agent):
    refund = _faq(editor, "退款多久到账？", "原路退回。")
    client.force_login(agent.user)
    data = client.get("/api/v1/knowledge/search/", {"q": "退款到账"}).json()
    assert data["hits"][0]["id"] == refund.pk
    assert data["hits"][0]["highlights"]["title"] == [[0, 2], [4, 6]]


def test_ranking_on_the_test_collection_through_the_web_layer(editor, agent):
    """The collection loaded as articles through the services and searched through the selectors: a floor a
    little below the measured figures, so that broken ranking, analysis or indexing fails it."""
    articles = load_collection(author=editor.user)
    pk_of = {key: article.pk for key, article in articles.items()}
    reciprocal, top5, flagged_unanswerable, unanswerable = [], 0, 0, 0
    for query in load_queries():
        result, _ = selectors.article_search(user=agent.user, query=query.text, limit=10)
        ranked = [int(hit.id) for hit in result.hits]
        if not query.answers:
            unanswerable += 1
            flagged_unanswerable += result.no_good_answer
            continue
        wanted = {pk_of[a] for a in query.answers}
        rank = next((i for i, pk in enumerate(ranked, start=1) if pk in wanted), None)
        reciprocal.append(1 / rank if rank else 0.0)
        top5 += bool(rank and rank <= 5)
    mrr = sum(reciprocal) / len(reciprocal)
    recall5 = top5 / len(reciprocal)
    print(f"web layer: MRR@10 {mrr:.3f}, recall@5 {recall5:.3f}, unanswerable flagged "
          f"{flagged_unanswerable}/{unanswerable}")
    assert mrr >= 0.78, mrr
    assert recall5 >= 0.88, recall5
    assert flagged_unanswerable >= unanswerable * 0.6


def test_snapshots_are_refreshed_after_many_changes_and_on_demand(editor, agent, settings, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setattr(search, "SNAPSHOT_EVERY", 3)
    _faq(editor, "退款多久到账？", "原路退回。")
    search.rebuild()
    path = settings.KNOWLEDGE_INDEX_DIR / search.SNAPSHOT_NAME
    written = search._read_meta(path)["last_change"]
    for number in range(3):
        _faq(editor, f"保修问题{number}", "一年保修。")
    _ids(agent.user, "保修")  # applies three changes: the snapshot is rewritten in the background
    search.wait_for_snapshot()
    assert search._read_meta(path)["last_change"] > written
    _faq(editor, "发票怎么开？", "在订单详情申请。")
    call_command("knowledge_index", "--snapshot", stdout=open(os.devnull, "w"))
    search.forget_process_index()
    assert _ids(agent.user, "发票怎么开") and len(search._loaded.index) == 5
