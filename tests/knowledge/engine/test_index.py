from __future__ import annotations

import pytest

from servicecoach.knowledge.engine.analysis import normalise
from servicecoach.knowledge.engine.index import (
    SNAPSHOT_MAGIC,
    ScoringParams,
    SearchIndex,
    make_snippet,
    merge_spans,
)


def article(art_id: str, title: str, body: str = "", **fields) -> dict:
    return {"id": art_id, "kind": fields.pop("kind", "faq"), "title": title, "body": body, **fields}


ARTICLES = [
    article("a1", "退款多久到账？", "退款审核通过后原路退回，一般1-3个工作日到账。", category="退款",
            tags=["退款", "到账"], similar=["钱什么时候退回来"]),
    article("a2", "快递一直不更新怎么办", "物流信息停滞超过48小时，可以联系客服催件。", category="物流",
            tags=["物流"]),
    article("a3", "苹果手机壳SC-2081发货说明", "{客户称呼}您好，您购买的手机壳已经发出。", kind="script",
            category="物流", tags=["发货"]),
    article("a4", "发票抬头写错了能重开吗", "电子发票可以申请换开一次。", category="发票", tags=["发票"]),
]  # fmt: skip


@pytest.fixture
def index(analyzer) -> SearchIndex:
    return SearchIndex.build(ARTICLES, analyzer)


def ids(result) -> list[str]:
    return [hit.id for hit in result.hits]


def test_the_answering_article_comes_first(index):
    assert ids(index.search("钱啥时候退回来"))[0] == "a1"
    assert ids(index.search("快递不动了"))[0] == "a2"  # 不动 ~ 不更新 through the synonyms
    assert ids(index.search("发票开错了"))[0] == "a4"


def test_synonym_finds_an_article_without_the_typed_word(index):
    result = index.search("退钱")
    assert ids(result) == ["a1"]
    assert "退款" in result.hits[0].matched_terms


def test_bigrams_match_a_longer_unknown_phrase_and_product_codes(index):
    assert ids(index.search("苹果手机壳"))[0] == "a3"
    assert ids(index.search("ＳＣ－２０８１"))[0] == "a3"
    assert ids(index.search("手机壳子"))[0] == "a3"


def test_add_update_remove_without_rebuild(index):
    index.add(article("a5", "优惠券怎么领", "在领券中心领取。", tags=["优惠券"]))
    assert ids(index.search("领券"))[0] == "a5"
    index.update(article("a5", "积分怎么兑换", "在积分商城兑换。", tags=["积分"]))
    assert "a5" not in ids(index.search("领券"))
    assert ids(index.search("积分兑换"))[0] == "a5"
    index.remove("a5")
    assert "a5" not in index and len(index) == 4
    assert ids(index.search("积分")) == []


def test_update_gives_the_same_scores_as_a_fresh_build(index, analyzer):
    changed = article("a2", "快递丢件怎么赔", "丢件后补发或退款。", category="物流", tags=["丢件"])
    index.update(changed)
    fresh = SearchIndex.build([ARTICLES[0], changed, *ARTICLES[2:]], analyzer)
    for query in ("快递丢了", "退款", "手机壳发货"):
        assert index.scores(query) == pytest.approx(fresh.scores(query))


def test_adding_an_existing_id_is_refused_and_removing_an_unknown_one_too(index):
    with pytest.raises(ValueError, match="'a1': already in the index"):
        index.add(ARTICLES[0])
    with pytest.raises(KeyError, match="nope"):
        index.remove("nope")


def test_bad_article_is_reported_with_place_and_field(analyzer):
    with pytest.raises(ValueError, match=r"article #2 'x': field 'kind' must be one of"):
        SearchIndex.build([ARTICLES[0], {"id": "x", "kind": "blog", "title": "t"}], analyzer)
    with pytest.raises(ValueError, match=r"field 'tags' must be a list of strings"):
        SearchIndex.build([{"id": "y", "kind": "faq", "title": "t", "tags": "a,b"}], analyzer)
    with pytest.raises(ValueError, match=r"field 'title' must not be empty"):
        SearchIndex.build([{"id": "z", "kind": "faq", "title": " "}], analyzer)


def test_filters_by_kind_category_and_tag(index):
    assert ids(index.search("发货", kind="script")) == ["a3"]
    assert ids(index.search("发货", kind="faq")) == []
    assert set(ids(index.search("快递 发货", category="物流"))) == {"a2", "a3"}
    assert ids(index.search("快递 发货", category="物流", tag="发货")) == ["a3"]
    assert set(ids(index.search("退款 发票", kind=["faq", "case"]))) == {"a1", "a4"}


def test_highlight_spans_point_into_the_original_text(analyzer):
    index = SearchIndex.build(
        [
            article(
                "h1", "ＳＣ－２０８１退款说明", "顾客说：Ｉ want a 退款！退款要３天。", similar=["钱退回来"]
            )
        ],
        analyzer,
    )
    hit = index.search("sc-2081 退款").hits[0]
    title = hit.article["title"]
    marked = [title[s:e] for s, e in hit.highlights["title"]]
    assert marked == ["ＳＣ", "２０８１退款"]  # touching spans merged, the dash is not a term
    body = hit.article["body"]
    assert [body[s:e] for s, e in hit.highlights["body"]] == ["退款", "退款"]
    snippet = hit.snippets[0]
    assert snippet.field == "body"
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["退款", "退款"]
    for s, e in snippet.spans:
        assert body[snippet.start + s : snippet.start + e] == snippet.text[s:e]
    assert all(normalise(body[s:e]) in hit.matched_terms for s, e in hit.highlights["body"])


def test_snippet_window_holds_the_most_spans():
    text = "甲" * 100 + "退款" + "乙" * 10 + "退款" + "丙" * 100
    spans = [(100, 102), (112, 114)]
    snippet = make_snippet("body", text, spans, width=40)
    assert snippet.end - snippet.start == 40
    assert [snippet.text[s:e] for s, e in snippet.spans] == ["退款", "退款"]


def test_merge_spans_joins_overlapping_and_touching():
    assert merge_spans([(5, 7), (0, 2), (1, 3), (7, 9), (11, 12)]) == [(0, 3), (5, 9), (11, 12)]


def test_no_good_answer_for_an_unrelated_query(index):
    unrelated = index.search("明天天气怎么样")
    assert unrelated.no_good_answer
    answered = index.search("退款多久到账")
    assert not answered.no_good_answer and answered.confidence == pytest.approx(1.0)
    assert index.search("").no_good_answer and index.search("").hits == []


def test_snapshot_round_trip_keeps_scores_and_updates(index):
    data = index.dumps()
    loaded = SearchIndex.loads(data)
    assert sorted(loaded.ids()) == sorted(index.ids())
    for query in ("钱啥时候退回来", "苹果手机壳", "发票", "快递不动"):
        assert loaded.scores(query) == pytest.approx(index.scores(query))
        assert ids(loaded.search(query)) == ids(index.search(query))
    loaded.remove("a1")
    loaded.add(article("a9", "会员怎么升级", "按成长值升级。"))
    assert ids(loaded.search("会员升级")) == ["a9"]


def test_snapshot_keeps_custom_words_and_params(analyzer):
    index = SearchIndex.build([article("c1", "蓝鲸净水宝漏水", "联系售后")], analyzer,
                              ScoringParams(gram_weight=0.0))  # fmt: skip
    index.add_words(["蓝鲸净水宝"])
    loaded = SearchIndex.loads(index.dumps())
    assert "蓝鲸净水宝" in loaded.analyzer.words("蓝鲸净水宝")
    assert loaded.params.gram_weight == 0.0
    assert ids(loaded.search("蓝鲸净水宝")) == ["c1"]


def snapshot_with_header(header: bytes) -> bytes:
    return SNAPSHOT_MAGIC + len(header).to_bytes(8, "little") + header


def test_bad_snapshot_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="not a knowledge index"):
        SearchIndex.loads(b"{nope")
    with pytest.raises(ValueError, match="header is not valid JSON"):
        SearchIndex.loads(snapshot_with_header(b"{nope"))
    with pytest.raises(ValueError, match="field 'format'"):
        SearchIndex.loads(snapshot_with_header(b'{"format": "other"}'))
    with pytest.raises(ValueError, match="version 99 .* is not supported"):
        SearchIndex.loads(snapshot_with_header(b'{"format": "servicecoach-knowledge-index", "version": 99}'))


def test_snapshot_after_removals_keeps_free_slots_usable(index):
    index.remove("a2")
    loaded = SearchIndex.loads(index.dumps())
    assert sorted(loaded.ids()) == ["a1", "a3", "a4"]
    assert loaded.scores("退款 发货") == pytest.approx(index.scores("退款 发货"))
    changed = article("a2", "快递丢件怎么赔", "丢件后补发。")
    loaded.add(changed)
    index.add(changed)
    assert ids(loaded.search("丢件"))[0] == "a2"
    for query in ("丢件", "退款 发货", "苹果手机壳"):
        assert loaded.scores(query) == pytest.approx(index.scores(query))


def test_add_words_reindexes_so_the_new_word_matches_whole(analyzer):
    index = SearchIndex.build([article("w1", "小蓝盒退货", "小蓝盒是新品"), article("w2", "蓝色盒子", "")],
                              analyzer)  # fmt: skip
    index.add_words(["小蓝盒"])
    result = index.search("小蓝盒")
    assert ids(result)[0] == "w1"
    assert "小蓝盒" in result.hits[0].matched_terms
