"""The fast index gives the reference scorer's scores, on random small corpora and queries."""

from __future__ import annotations

import functools
import math
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.knowledge.engine.analysis import Analyzer
from servicecoach.knowledge.engine.index import RERANK_DEPTH, ScoringParams, SearchIndex
from servicecoach.knowledge.engine.reference import reference_scores

PIECES = [
    "退款", "退钱", "到账", "快递", "物流", "不动", "发票", "开错", "优惠券", "红包", "手机壳", "苹果",
    "会员", "积分", "密码", "忘记", "怎么", "的", "了", "吗", "钱", "SC-2081", "iPhone", "ＡＢＣ", "７天",
    "七天无理由", "退货", "客户", "骂人", "安抚", "，", "。", " ", "？", "{客户称呼}", "好", "慢",
]  # fmt: skip
text = st.lists(st.sampled_from(PIECES), min_size=0, max_size=12).map("".join)
title = st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join).filter(str.strip)


@st.composite
def corpora(draw):
    n = draw(st.integers(1, 7))
    articles = []
    for i in range(n):
        articles.append({
            "id": f"d{i}",
            "kind": draw(st.sampled_from(["faq", "script", "case"])),
            "title": draw(title),
            "body": draw(text),
            "category": draw(st.sampled_from(["退款", "物流"])),
            "tags": draw(st.lists(st.sampled_from(["退款", "物流", "发票"]), max_size=2, unique=True)),
            "similar": draw(st.lists(text, max_size=2)),
        })  # fmt: skip
    return articles


@functools.cache
def default_analyzer() -> Analyzer:
    return Analyzer()


params = st.builds(
    ScoringParams,
    title_weight=st.sampled_from([0.0, 1.0, 3.0]),
    body_weight=st.sampled_from([0.5, 1.0]),
    gram_weight=st.sampled_from([0.0, 0.5]),
    synonym_weight=st.sampled_from([0.0, 0.7]),
    phrase_boost=st.sampled_from([0.0, 0.3]),
)


def assert_same(fast: dict[str, float], slow: dict[str, float]) -> None:
    assert fast.keys() == slow.keys()
    for key, value in slow.items():
        assert math.isclose(fast[key], value, rel_tol=1e-9, abs_tol=1e-12), key
    # same ranking wherever the scores are not (nearly) tied
    order = sorted(slow, key=lambda k: (-slow[k], k))
    for a, b in zip(order, order[1:]):
        if slow[a] - slow[b] > 1e-9:
            assert fast[a] > fast[b]


@settings(max_examples=60, deadline=None)
@given(corpus=corpora(), query=text, p=params)
def test_index_scores_equal_reference_scores(corpus, query, p):
    analyzer = default_analyzer()
    index = SearchIndex.build(corpus, analyzer, p)
    assert_same(index.scores(query), reference_scores(corpus, analyzer, query, p))


@settings(max_examples=40, deadline=None)
@given(corpus=corpora(), query=text, data=st.data())
def test_scores_after_updates_and_removals_equal_reference(corpus, query, data):
    analyzer = default_analyzer()
    p = ScoringParams()
    index = SearchIndex.build(corpus, analyzer, p)
    current = {a["id"]: a for a in corpus}
    for _ in range(data.draw(st.integers(0, 4))):
        target = data.draw(st.sampled_from(sorted(current)))
        if len(current) > 1 and data.draw(st.booleans()):
            index.remove(target)
            del current[target]
        else:
            changed = replace_article(current[target], data.draw(title), data.draw(text))
            index.update(changed)
            current[target] = changed
    filters = data.draw(st.sampled_from([{}, {"kind": "faq"}, {"category": "物流"}, {"tag": "退款"}]))
    assert_same(index.scores(query, **filters),
                reference_scores(list(current.values()), analyzer, query, p, **filters))  # fmt: skip


def replace_article(article: dict, new_title: str, new_body: str) -> dict:
    return {**article, "title": new_title, "body": new_body}


def test_plain_params_turn_off_synonyms_grams_and_boost():
    plain = ScoringParams.plain()
    assert plain.synonym_weight == plain.gram_weight == plain.phrase_boost == 0.0
    assert replace(plain, k1=1.2) == plain


def test_phrase_boost_reranks_only_the_best_articles_as_the_reference_does():
    # more matching articles than RERANK_DEPTH, with distinct scores (bodies of different lengths)
    corpus = [
        {
            "id": f"r{i:03d}",
            "kind": "faq",
            "title": "退款到账说明" if i % 7 == 0 else "退款说明",
            "body": "到账" + "物流" * i,
            "category": "",
            "tags": [],
            "similar": [],
        }
        for i in range(RERANK_DEPTH + 40)
    ]
    analyzer = default_analyzer()
    p = ScoringParams(phrase_boost=0.3)
    index = SearchIndex.build(corpus, analyzer, p)
    fast = index.scores("退款到账")
    assert len(fast) == len(corpus)
    assert_same(fast, reference_scores(corpus, analyzer, "退款到账", p))
    # the best article without the phrase in its title is passed by boosted ones behind it
    ranking = [hit.id for hit in index.search("退款到账", limit=5).hits]
    assert ranking[0] == "r000" and ranking[1] == "r007"
