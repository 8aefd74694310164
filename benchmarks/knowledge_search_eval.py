"""Search quality of the knowledge engine on the test collection in the repository.

    .venv/bin/python benchmarks/knowledge_search_eval.py [--misses]

Reports MRR@10, recall@1 and recall@5 for the full engine and for variants with one part taken away
or added to the plain baseline (jieba words, one flat field, no synonyms, no bigrams, no phrase
boost), on the queries with even ids (the ones the weights and synonym groups were tuned on), on the
odd ones (held out) and on all. Also how often the no-good-answer signal fires. ``--misses`` lists
the queries whose answer is not first, for inspection.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import replace

from servicecoach.knowledge.engine.analysis import Analyzer
from servicecoach.knowledge.engine.collection import Evaluation, evaluate, load_articles, load_queries
from servicecoach.knowledge.engine.index import ScoringParams, SearchIndex

FULL = ScoringParams()
PLAIN = ScoringParams.plain()
FIELDS = dict(
    title_weight=FULL.title_weight, question_weight=FULL.question_weight, body_weight=FULL.body_weight,
    tags_weight=FULL.tags_weight, title_b=FULL.title_b, question_b=FULL.question_b, tags_b=FULL.tags_b,
)  # fmt: skip

VARIANTS = [
    ("plain baseline (words, one flat field)", PLAIN),
    ("baseline + field weights", replace(PLAIN, **FIELDS)),
    ("baseline + synonyms", replace(PLAIN, synonym_weight=FULL.synonym_weight)),
    ("baseline + bigrams", replace(PLAIN, gram_weight=FULL.gram_weight)),
    ("full - field weights", replace(FULL, **{k: getattr(PLAIN, k) for k in FIELDS})),
    ("full - synonyms", replace(FULL, synonym_weight=0.0)),
    ("full - bigrams", replace(FULL, gram_weight=0.0)),
    ("full - phrase boost", replace(FULL, phrase_boost=0.0)),
    ("full engine", FULL),
]


def row(name: str, ev: Evaluation) -> str:
    parts = []
    for subset in (
        ev.subset(lambda q: q.number % 2 == 0),
        ev.subset(lambda q: q.number % 2 == 1),
        ev,
    ):
        parts.append(f"{subset.mrr(10):.3f} {subset.recall(1):.3f} {subset.recall(5):.3f}")
    return f"| {name} | " + " | ".join(parts) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list queries whose answer is not first")
    args = parser.parse_args()

    articles = load_articles()
    queries = load_queries(article_ids=[a["id"] for a in articles])
    answerable = [q for q in queries if q.answers]
    print(
        f"test collection: {len(articles)} articles, {len(answerable)} answerable queries "
        f"({sum(q.number % 2 == 0 for q in answerable)} even = tuning, "
        f"{sum(q.number % 2 == 1 for q in answerable)} odd = held out), "
        f"{len(queries) - len(answerable)} with no answer"
    )
    analyzer = Analyzer()
    started = time.perf_counter()
    index = SearchIndex.build(articles, analyzer)
    print(f"index build: {time.perf_counter() - started:.2f} s\n")

    print("| variant | even: MRR@10 R@1 R@5 | odd (held out): MRR@10 R@1 R@5 | all: MRR@10 R@1 R@5 |")
    print("|---|---|---|---|")
    results = {}
    for name, params in VARIANTS:
        index.params = params
        index._norms = None  # length normalisation depends on the b parameters
        results[name] = evaluate(index, queries)
        print(row(name, results[name]))

    full = results["full engine"]
    print(f"\nno-good-answer signal (threshold {FULL.no_answer_threshold:.2f}):")
    for label, subset in (
        ("even", full.subset(lambda q: q.number % 2 == 0)),
        ("odd", full.subset(lambda q: q.number % 2 == 1)),
        ("all", full),
    ):
        signal = subset.signal()
        print(
            f"  {label}: unanswerable queries flagged {signal['unanswerable_flagged']:.0%}, "
            f"queries answered at rank 1 flagged {signal['answered_at_1_flagged']:.0%}"
        )

    misses = [o for o in full.answerable if o.rank != 1]
    print(f"\nfull engine: {len(misses)} answerable queries whose answer is not first")
    if args.misses:
        titles = {a["id"]: a["title"] for a in articles}
        for o in misses:
            top = ", ".join(f"{i} {titles[i]}" for i in o.ranking[:3])
            print(f"  {o.query.id} {o.query.text!r} wants {','.join(o.query.answers)} rank {o.rank}: {top}")


if __name__ == "__main__":
    main()
