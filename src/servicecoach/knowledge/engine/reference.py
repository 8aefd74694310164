"""The reference scorer: BM25F written out plainly, document by document, for testing the index.

It re-analyses every article on every call and recounts every document frequency, so it is slow and
obviously follows the formula in docs/knowledge-search.md; ``SearchIndex.scores`` must give the same
numbers (a property test compares them).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .analysis import Analyzer
from .index import (
    RERANK_DEPTH,
    WORD_FIELDS,
    ScoringParams,
    field_texts,
    gram_text,
    phrase_text,
    validate_article,
)


def reference_scores(
    articles: Sequence[Mapping],
    analyzer: Analyzer,
    query: str,
    params: ScoringParams,
    *,
    kind: str | None = None,
    category: str | None = None,
    tag: str | None = None,
) -> dict[str, float]:
    """Article id -> score for every article matching at least one query term and the filters."""
    docs = []
    for article in articles:
        article = validate_article(article)
        texts = field_texts(article)
        words = {name: analyzer.words(texts[name]) for name in WORD_FIELDS}
        docs.append((article, words, analyzer.grams(gram_text(article))))
    n = len(docs)
    average = {}
    for name in WORD_FIELDS:
        average[name] = sum(len(words[name]) for _, words, _ in docs) / max(n, 1) or 1.0
    average_grams = sum(len(grams) for _, _, grams in docs) / max(n, 1) or 1.0

    q = analyzer.analyse_query(query, synonym_weight=params.synonym_weight)
    k1 = params.k1
    scores: dict[str, float] = {}
    for article, words, grams in docs:
        score = 0.0
        matched = False
        for term, qweight in q.words.items():
            df = sum(1 for _, other, _ in docs if any(term in other[name] for name in WORD_FIELDS))
            if df == 0 or qweight <= 0:
                continue
            idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
            tf_weighted = 0.0
            for name in WORD_FIELDS:
                tf = words[name].count(term)
                b = params.b(name)
                length_norm = 1.0 - b + b * len(words[name]) / average[name]
                if params.weight(name) > 0:
                    tf_weighted += params.weight(name) * tf / length_norm
            if tf_weighted > 0:
                matched = True
                score += qweight * idf * tf_weighted * (k1 + 1.0) / (tf_weighted + k1)
        if params.gram_weight > 0:
            for gram, qweight in q.grams.items():
                df = sum(1 for _, _, other in docs if gram in other)
                tf = grams.count(gram)
                if tf == 0:
                    continue
                matched = True
                idf = math.log(1.0 + (n - df + 0.5) / (df + 0.5))
                b = params.gram_b
                value = tf / (1.0 - b + b * len(grams) / average_grams)
                score += params.gram_weight * qweight * idf * value * (k1 + 1.0) / (value + k1)
        if not matched:
            continue
        if kind is not None and article["kind"] != kind:
            continue
        if category is not None and article["category"] != category:
            continue
        if tag is not None and tag not in article["tags"]:
            continue
        scores[article["id"]] = score
    # the phrase boost re-ranks the RERANK_DEPTH best articles by the score so far
    by_id = {article["id"]: article for article, _, _ in docs}
    best = sorted(scores, key=lambda art_id: (-scores[art_id], art_id))[:RERANK_DEPTH]
    if params.phrase_boost > 0 and len(q.text) >= 2:
        for art_id in best:
            if q.text in phrase_text(by_id[art_id]):
                scores[art_id] *= 1.0 + params.phrase_boost
    return scores
