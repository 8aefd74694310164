"""The search test collection and its measures (MRR@10, recall@k, the no-good-answer signal).

``testcollection/articles.jsonl`` holds one article a line; ``testcollection/queries.jsonl`` one
query a line: ``{"id": "q001", "query": "钱什么时候退回来", "answers": ["faq-061", ...]}``. A query
with no answers is one the knowledge base cannot answer: the engine should say so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .index import SearchIndex, validate_article

COLLECTION_DIR = Path(__file__).parent / "testcollection"
ARTICLES_PATH = COLLECTION_DIR / "articles.jsonl"
QUERIES_PATH = COLLECTION_DIR / "queries.jsonl"


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    answers: tuple[str, ...]

    @property
    def number(self) -> int:
        digits = "".join(ch for ch in self.id if ch.isdigit())
        return int(digits) if digits else 0


def _json_lines(path: Path) -> Iterable[tuple[int, dict]]:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path.name}, line {number}: not valid JSON ({exc.msg})") from None


def load_articles(path: Path = ARTICLES_PATH) -> list[dict]:
    articles, seen = [], set()
    for number, data in _json_lines(path):
        article = validate_article(data, where=f"{path.name}, line {number}")
        if article["id"] in seen:
            raise ValueError(f"{path.name}, line {number}: field 'id': {article['id']!r} is repeated")
        seen.add(article["id"])
        articles.append(article)
    return articles


def load_queries(path: Path = QUERIES_PATH, *, article_ids: Iterable[str] | None = None) -> list[Query]:
    known = set(article_ids) if article_ids is not None else None
    queries, seen = [], set()
    for number, data in _json_lines(path):
        where = f"{path.name}, line {number}"
        if not isinstance(data, dict):
            raise ValueError(f"{where}: must be an object")
        qid, text, answers = data.get("id"), data.get("query"), data.get("answers")
        if not isinstance(qid, str) or not qid or qid in seen:
            raise ValueError(f"{where}: field 'id' must be a unique non-empty string")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: field 'query' must be a non-empty string")
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise ValueError(f"{where}: field 'answers' must be a list of article ids")
        if known is not None:
            for answer in answers:
                if answer not in known:
                    raise ValueError(f"{where}: field 'answers': no article {answer!r}")
        seen.add(qid)
        queries.append(Query(qid, text, tuple(answers)))
    return queries


@dataclass
class QueryOutcome:
    query: Query
    ranking: list[str]
    rank: int | None  # 1-based rank of the first answer within the ranking, None when absent
    no_good_answer: bool
    confidence: float


@dataclass
class Evaluation:
    outcomes: list[QueryOutcome] = field(default_factory=list)

    @property
    def answerable(self) -> list[QueryOutcome]:
        return [o for o in self.outcomes if o.query.answers]

    def mrr(self, k: int = 10) -> float:
        rows = self.answerable
        return sum(1.0 / o.rank for o in rows if o.rank and o.rank <= k) / len(rows) if rows else 0.0

    def recall(self, k: int) -> float:
        """Share of answerable queries with an answer among the first ``k`` hits."""
        rows = self.answerable
        return sum(1 for o in rows if o.rank and o.rank <= k) / len(rows) if rows else 0.0

    def signal(self) -> dict[str, float]:
        """How well ``no_good_answer`` separates answered queries from unanswerable ones."""
        good = [o for o in self.answerable if o.rank == 1]
        unanswerable = [o for o in self.outcomes if not o.query.answers]
        return {
            "answered_at_1_flagged": sum(o.no_good_answer for o in good) / len(good) if good else 0.0,
            "unanswerable_flagged": (
                sum(o.no_good_answer for o in unanswerable) / len(unanswerable) if unanswerable else 0.0
            ),
        }

    def misses(self, k: int = 5) -> list[QueryOutcome]:
        return [o for o in self.answerable if not o.rank or o.rank > k]

    def subset(self, keep: Callable[[Query], bool]) -> Evaluation:
        return Evaluation([o for o in self.outcomes if keep(o.query)])


def evaluate(index: SearchIndex, queries: Iterable[Query], *, depth: int = 10) -> Evaluation:
    evaluation = Evaluation()
    for query in queries:
        result = index.search(query.text, limit=depth, highlight=False)
        ranking = [hit.id for hit in result.hits]
        rank = next((i for i, art_id in enumerate(ranking, start=1) if art_id in query.answers), None)
        evaluation.outcomes.append(
            QueryOutcome(query, ranking, rank, result.no_good_answer, result.confidence)
        )
    return evaluation
