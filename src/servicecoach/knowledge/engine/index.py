"""In-memory inverted index with BM25F scoring over article fields, for knowledge search.

Articles are plain dicts::

    {"id": "faq-0001", "kind": "faq", "title": "退款多久到账？", "body": "...",
     "category": "退款", "tags": ["退款", "到账"], "similar": ["钱什么时候退回来", ...]}

Scoring (see docs/knowledge-search.md): BM25F over the word fields ``title``, ``question`` (the
similar phrasings), ``body`` and ``tags`` with per-field weights and length normalisation, plus a
plain BM25 over character bigrams of the whole article (``gram``) at a lower weight, plus a phrase
boost when the whole query appears unbroken in the title or a similar phrasing. Query words are
expanded with synonyms at a lower weight. :mod:`.reference` computes the same scores with plain
loops over every article; a property test holds the two equal.

Postings are two packed arrays per term and field (article slots and term frequencies), so 50,000
articles fit in tens of megabytes; add, update and remove touch only the article's own terms.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import orjson

from .analysis import Analyzer, AnalyzerConfig, QueryTerms, fold, normalise

KINDS = ("faq", "script", "case", "risk", "standard")
WORD_FIELDS = ("title", "question", "body", "tags")
SNAPSHOT_FORMAT = "servicecoach-knowledge-index"
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class ScoringParams:
    """Tunable constants; the defaults were tuned on the even-numbered test-collection queries."""

    k1: float = 1.2
    title_weight: float = 3.0
    question_weight: float = 1.5
    body_weight: float = 0.7
    tags_weight: float = 2.0
    title_b: float = 0.5
    question_b: float = 0.6
    body_b: float = 0.75
    tags_b: float = 0.3
    gram_weight: float = 0.5
    gram_b: float = 0.75
    synonym_weight: float = 0.7
    phrase_boost: float = 0.3
    # below this share of the query matched by the best article, the query has no good answer
    no_answer_threshold: float = 0.3

    def weight(self, name: str) -> float:
        return getattr(self, f"{name}_weight")

    def b(self, name: str) -> float:
        return getattr(self, f"{name}_b")

    @classmethod
    def plain(cls) -> ScoringParams:
        """The baseline of the evaluation: one flat field, no synonyms, no bigrams, no boost."""
        return cls(
            title_weight=1.0, question_weight=1.0, body_weight=1.0, tags_weight=1.0,
            title_b=0.75, question_b=0.75, tags_b=0.75,
            gram_weight=0.0, synonym_weight=0.0, phrase_boost=0.0,
        )  # fmt: skip


def validate_article(article: Mapping, *, where: str = "article") -> dict:
    """A clean copy of ``article``; ValueError naming the place and the field otherwise."""
    if not isinstance(article, Mapping):
        raise ValueError(f"{where}: must be an object, got {type(article).__name__}")
    art_id = article.get("id")
    if not isinstance(art_id, str) or not art_id.strip():
        raise ValueError(f"{where}: field 'id' must be a non-empty string")
    where = f"{where} {art_id!r}"
    kind = article.get("kind")
    if kind not in KINDS:
        raise ValueError(f"{where}: field 'kind' must be one of {', '.join(KINDS)}, got {kind!r}")
    clean = dict(article)
    for name, required in (("title", True), ("body", False), ("category", False)):
        value = article.get(name, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f"{where}: field {name!r} must be a string")
        if required and not value.strip():
            raise ValueError(f"{where}: field {name!r} must not be empty")
        clean[name] = value
    for name in ("tags", "similar"):
        value = article.get(name) or []
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{where}: field {name!r} must be a list of strings")
        clean[name] = list(value)
    return clean


def field_texts(article: Mapping) -> dict[str, str]:
    """The text of each searchable field of an (already validated) article."""
    return {
        "title": article["title"],
        "question": "\n".join(article["similar"]),
        "body": article["body"],
        "tags": "\n".join(article["tags"]),
    }


def gram_text(article: Mapping) -> str:
    texts = field_texts(article)
    return "\n".join(texts[name] for name in WORD_FIELDS)


def phrase_text(article: Mapping) -> str:
    """Folded title and phrasings, '|' between them so the phrase boost never spans two."""
    return "|".join(fold(t) for t in [article["title"], *article["similar"]])


def bm25_idf(n_docs: int, df: int) -> float:
    return math.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))


@dataclass
class Snippet:
    """A window of one field's original text; ``spans`` are relative to ``text``."""

    field: str
    text: str
    start: int
    end: int
    spans: list[tuple[int, int]]


@dataclass
class Hit:
    id: str
    score: float
    article: dict
    matched_terms: list[str] = field(default_factory=list)
    # field name -> [(start, end)] in the original text of the field ("question": in the joined
    # similar phrasings, one per line; "tags": in the tags joined by newlines)
    highlights: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    snippets: list[Snippet] = field(default_factory=list)


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    total: int  # articles that matched at least one term (after filters)
    confidence: float  # share of the query the best hit matches, 0..1
    no_good_answer: bool

    def to_dict(self) -> dict:
        return asdict(self)


class _Postings:
    """term -> (slots, term frequencies) as packed arrays."""

    __slots__ = ("terms",)

    def __init__(self) -> None:
        self.terms: dict[str, tuple[array, array]] = {}

    def add(self, slot: int, counts: Mapping[str, int]) -> None:
        terms = self.terms
        for term, tf in counts.items():
            entry = terms.get(term)
            if entry is None:
                entry = terms[term] = (array("i"), array("H"))
            entry[0].append(slot)
            entry[1].append(min(tf, 65535))

    def remove(self, slot: int, keys: Iterable[str]) -> None:
        terms = self.terms
        for term in keys:
            slots, tfs = terms[term]
            i = slots.index(slot)
            del slots[i]
            del tfs[i]
            if not slots:
                del terms[term]


class SearchIndex:
    """The knowledge-search index. Not thread-safe for writes; reads may run concurrently."""

    def __init__(self, analyzer: Analyzer | None = None, params: ScoringParams | None = None) -> None:
        self.analyzer = analyzer if analyzer is not None else Analyzer()
        self.params = params if params is not None else ScoringParams()
        self._articles: list[dict | None] = []
        self._slot_of: dict[str, int] = {}
        self._fields = {name: _Postings() for name in WORD_FIELDS}
        self._grams = _Postings()
        self._df: Counter[str] = Counter()  # articles holding a word term in any word field
        self._lengths: dict[str, list[int]] = {name: [] for name in (*WORD_FIELDS, "gram")}
        self._totals: dict[str, int] = dict.fromkeys((*WORD_FIELDS, "gram"), 0)
        self._keys: list[tuple[tuple[str, ...], ...] | None] = []  # per slot, per field, its terms
        self._phrase: list[str] = []
        self._by_kind: dict[str, set[int]] = {}
        self._by_category: dict[str, set[int]] = {}
        self._by_tag: dict[str, set[int]] = {}
        self._norms: dict[str, list[float]] | None = None

    # ------------------------------------------------------------------ building and updating
    @classmethod
    def build(cls, articles: Iterable[Mapping], analyzer: Analyzer | None = None,
              params: ScoringParams | None = None) -> SearchIndex:  # fmt: skip
        index = cls(analyzer, params)
        for number, article in enumerate(articles, start=1):
            index.add(article, where=f"article #{number}")
        return index

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._slot_of

    def get(self, article_id: str) -> dict | None:
        slot = self._slot_of.get(article_id)
        return None if slot is None else self._articles[slot]

    def ids(self) -> list[str]:
        return list(self._slot_of)

    def analyse_article(self, article: Mapping) -> dict[str, Counter]:
        texts = field_texts(article)
        counts = {name: Counter(self.analyzer.words(texts[name])) for name in WORD_FIELDS}
        counts["gram"] = Counter(self.analyzer.grams(gram_text(article)))
        return counts

    def add(self, article: Mapping, *, where: str = "article") -> None:
        """Add a new article; ValueError if its id is already indexed (use :meth:`update`)."""
        clean = validate_article(article, where=where)
        if clean["id"] in self._slot_of:
            raise ValueError(f"{where} {clean['id']!r}: already in the index (use update)")
        self._insert(clean, self.analyse_article(clean))

    def update(self, article: Mapping, *, where: str = "article") -> None:
        """Replace an article (or add it when new) without touching any other."""
        clean = validate_article(article, where=where)
        counts = self.analyse_article(clean)
        if clean["id"] in self._slot_of:
            self.remove(clean["id"])
        self._insert(clean, counts)

    def remove(self, article_id: str) -> None:
        slot = self._slot_of.pop(article_id, None)
        if slot is None:
            raise KeyError(f"article {article_id!r} is not in the index")
        article = self._articles[slot]
        keys = self._keys[slot]
        seen: set[str] = set()
        for name, field_keys in zip(WORD_FIELDS, keys):
            self._fields[name].remove(slot, field_keys)
            seen.update(field_keys)
        self._grams.remove(slot, keys[-1])
        for term in seen:
            self._df[term] -= 1
            if not self._df[term]:
                del self._df[term]
        for name in (*WORD_FIELDS, "gram"):
            self._totals[name] -= self._lengths[name][slot]
            self._lengths[name][slot] = 0
        self._by_kind[article["kind"]].discard(slot)
        self._by_category.get(article["category"], set()).discard(slot)
        for tag in article["tags"]:
            self._by_tag.get(normalise(tag), set()).discard(slot)
        self._articles[slot] = None
        self._keys[slot] = None
        self._phrase[slot] = ""
        self._norms = None

    def _insert(self, article: dict, counts: Mapping[str, Mapping[str, int]]) -> None:
        slot = len(self._articles)
        self._articles.append(article)
        self._slot_of[article["id"]] = slot
        seen: set[str] = set()
        for name in WORD_FIELDS:
            self._fields[name].add(slot, counts[name])
            seen.update(counts[name])
        self._grams.add(slot, counts["gram"])
        self._df.update(seen)
        for name in (*WORD_FIELDS, "gram"):
            length = sum(counts[name].values())
            self._lengths[name].append(length)
            self._totals[name] += length
        self._keys.append(tuple(tuple(counts[name]) for name in (*WORD_FIELDS, "gram")))
        self._phrase.append(phrase_text(article))
        self._by_kind.setdefault(article["kind"], set()).add(slot)
        self._by_category.setdefault(article["category"], set()).add(slot)
        for tag in article["tags"]:
            self._by_tag.setdefault(normalise(tag), set()).add(slot)
        self._norms = None

    def add_words(self, words: Iterable[str], *, reindex: bool = True) -> None:
        """Extend the domain dictionary; re-analyse the articles so they use the new words."""
        self.analyzer.add_words(words)
        if reindex:
            for article in [a for a in self._articles if a is not None]:
                self.update(article)

    # ------------------------------------------------------------------ scoring
    def _length_norms(self) -> dict[str, list[float]]:
        """Per field and slot: 1 / (1 - b + b * length / average length)."""
        if self._norms is None:
            n = max(len(self._slot_of), 1)
            norms = {}
            for name in (*WORD_FIELDS, "gram"):
                b = self.params.b(name)
                avg = self._totals[name] / n or 1.0
                norms[name] = [1.0 / (1.0 - b + b * length / avg) for length in self._lengths[name]]
            self._norms = norms
        return self._norms

    def _allowed(self, kind, category, tag) -> set[int] | None:
        allowed: set[int] | None = None
        for value, table, norm in (
            (kind, self._by_kind, False),
            (category, self._by_category, False),
            (tag, self._by_tag, True),
        ):
            if value is None:
                continue
            values = [value] if isinstance(value, str) else list(value)
            slots: set[int] = set()
            for v in values:
                slots |= table.get(normalise(v) if norm else v, set())
            allowed = slots if allowed is None else allowed & slots
        return allowed

    def score_all(self, query: str | QueryTerms, *, kind=None, category=None, tag=None) -> dict[int, float]:
        """Slot -> score of every article matching at least one query term (after filters)."""
        q = query if isinstance(query, QueryTerms) else self.analyse_query(query)
        p = self.params
        k1 = p.k1
        n = len(self._slot_of)
        norms = self._length_norms()
        acc: dict[int, float] = {}
        for term, qweight in q.words.items():
            df = self._df.get(term)
            if not df or qweight <= 0:
                continue
            tfp: dict[int, float] = {}
            for name in WORD_FIELDS:
                entry = self._fields[name].terms.get(term)
                if entry is None:
                    continue
                weight = p.weight(name)
                if weight <= 0:
                    continue
                norm = norms[name]
                get = tfp.get
                for slot, tf in zip(*entry):
                    tfp[slot] = get(slot, 0.0) + weight * tf * norm[slot]
            factor = qweight * bm25_idf(n, df) * (k1 + 1.0)
            get = acc.get
            for slot, value in tfp.items():
                acc[slot] = get(slot, 0.0) + factor * value / (value + k1)
        if p.gram_weight > 0:
            norm = norms["gram"]
            for gram, qweight in q.grams.items():
                entry = self._grams.terms.get(gram)
                if entry is None:
                    continue
                slots, tfs = entry
                factor = p.gram_weight * qweight * bm25_idf(n, len(slots)) * (k1 + 1.0)
                get = acc.get
                for slot, tf in zip(slots, tfs):
                    value = tf * norm[slot]
                    acc[slot] = get(slot, 0.0) + factor * value / (value + k1)
        allowed = self._allowed(kind, category, tag)
        if allowed is not None:
            acc = {slot: s for slot, s in acc.items() if slot in allowed}
        if p.phrase_boost > 0 and len(q.text) >= 2:
            boost = 1.0 + p.phrase_boost
            phrase, text = self._phrase, q.text
            for slot in acc:
                if text in phrase[slot]:
                    acc[slot] *= boost
        return acc

    def analyse_query(self, query: str) -> QueryTerms:
        return self.analyzer.analyse_query(query, synonym_weight=self.params.synonym_weight)

    def scores(self, query: str, **filters) -> dict[str, float]:
        """Article id -> score (for the reference comparison and for debugging)."""
        return {self._articles[slot]["id"]: s for slot, s in self.score_all(query, **filters).items()}

    # ------------------------------------------------------------------ search
    def search(self, query: str, *, kind=None, category=None, tag=None, limit: int = 10,
               highlight: bool = True) -> SearchResult:  # fmt: skip
        """The best ``limit`` articles for ``query``, best first, with highlights.

        ``kind``, ``category`` and ``tag`` each take one value or a collection of values (any of
        them); several filters must all hold.
        """
        q = self.analyse_query(query)
        acc = self.score_all(q, kind=kind, category=category, tag=tag)
        articles = self._articles
        top = heapq.nlargest(limit, acc.items(), key=lambda kv: kv[1])
        top.sort(key=lambda kv: (-kv[1], articles[kv[0]]["id"]))
        hits = []
        for slot, score in top:
            hit = Hit(id=articles[slot]["id"], score=score, article=articles[slot])
            if highlight:
                self._highlight(hit, slot, q)
            hits.append(hit)
        confidence = self._confidence(top[0][0], q) if top else 0.0
        return SearchResult(
            query=query,
            hits=hits,
            total=len(acc),
            confidence=confidence,
            no_good_answer=not hits or confidence < self.params.no_answer_threshold,
        )

    def _confidence(self, slot: int, q: QueryTerms) -> float:
        """How much of the query the article answers, 0..1.

        The idf-weighted share of the typed words found in the article's title, phrasings or tags
        (directly or through a synonym); when the typed words are unknown to the index (typos,
        product codes), the share of the query's bigrams found anywhere in the article.
        """
        keys = self._keys[slot]
        head = set(keys[0]) | set(keys[1]) | set(keys[3])
        n = max(len(self._slot_of), 1)
        total = found = 0.0
        for word in q.typed:
            df = self._df.get(word, 0)
            idf = bm25_idf(n, df)
            total += idf
            if word in head or any(s in head for s in self.analyzer.synonyms.expand(word)):
                found += idf
        word_share = found / total if total else 0.0
        grams = set(keys[-1])
        gram_share = (sum(1 for g in q.grams if g in grams) / len(q.grams)) if q.grams else 0.0
        known = sum(1 for w in q.typed if w in self._df)
        if known < len(q.typed):  # some typed words are unknown: let the bigrams speak
            return max(word_share, gram_share * 0.9)
        return word_share

    def _highlight(self, hit: Hit, slot: int, q: QueryTerms) -> None:
        keys = self._keys[slot]
        in_doc = set().union(*keys[:4])
        words = {w for w in q.words if w in in_doc}
        grams = {g for g in q.grams if g in set(keys[-1])}
        hit.matched_terms = sorted(words) + sorted(g for g in grams if g not in words)
        texts = field_texts(hit.article)
        for name in ("title", "question", "body", "tags"):
            text = texts[name]
            if not text:
                continue
            spans = [(t.start, t.end) for t in self.analyzer.word_tokens(text) if t.term in words]
            spans += [(t.start, t.end) for t in self.analyzer.gram_tokens(text) if t.term in grams]
            spans = merge_spans(spans)
            if spans:
                hit.highlights[name] = spans
        for name in ("body", "question"):
            spans = hit.highlights.get(name)
            if spans:
                hit.snippets.append(make_snippet(name, texts[name], spans))
        if not hit.snippets and texts["body"]:
            hit.snippets.append(make_snippet("body", texts["body"], []))

    # ------------------------------------------------------------------ persistence
    def dumps(self) -> bytes:
        """The index as bytes (JSON): analyser set-up, parameters, articles and their terms.

        Loading skips word segmentation, the slow part of building.
        """
        docs = []
        for slot, article in enumerate(self._articles):
            if article is None:
                continue
            counts = []
            for name, keys in zip((*WORD_FIELDS, "gram"), self._keys[slot]):
                postings = self._fields[name] if name != "gram" else self._grams
                counts.append([keys, [_tf_of(postings, term, slot) for term in keys]])
            docs.append([article, counts])
        return orjson.dumps(
            {
                "format": SNAPSHOT_FORMAT,
                "version": SNAPSHOT_VERSION,
                "analyzer": self.analyzer.config.to_dict(),
                "params": asdict(self.params),
                "docs": docs,
            }
        )

    @classmethod
    def loads(cls, data: bytes, analyzer: Analyzer | None = None) -> SearchIndex:
        """An index from :meth:`dumps` output; ValueError naming what is wrong otherwise."""
        try:
            snapshot = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"knowledge index snapshot: not valid JSON ({exc})") from None
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise ValueError("knowledge index snapshot: not a knowledge index (field 'format')")
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(
                f"knowledge index snapshot: version {snapshot.get('version')!r} is not supported "
                f"(expected {SNAPSHOT_VERSION}); rebuild the index from the articles"
            )
        if analyzer is None:
            analyzer = Analyzer(AnalyzerConfig.from_dict(snapshot["analyzer"]))
        index = cls(analyzer, ScoringParams(**snapshot["params"]))
        for article, counts in snapshot["docs"]:
            index._insert(article, {
                name: dict(zip(keys, tfs)) for name, (keys, tfs) in zip((*WORD_FIELDS, "gram"), counts)
            })  # fmt: skip
        return index


def _tf_of(postings: _Postings, term: str, slot: int) -> int:
    slots, tfs = postings.terms[term]
    return tfs[slots.index(slot)]


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, with overlapping or touching spans joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def make_snippet(name: str, text: str, spans: list[tuple[int, int]], width: int = 80) -> Snippet:
    """The ``width``-character window of ``text`` holding the most highlighted spans."""
    if len(text) <= width:
        start = 0
    else:
        best, start = -1, 0
        for first, _ in spans or [(0, 0)]:
            begin = max(0, min(first - width // 4, len(text) - width))
            covered = sum(1 for s, e in spans if s >= begin and e <= begin + width)
            if covered > best:
                best, start = covered, begin
    end = min(len(text), start + width)
    inside = [(max(s, start) - start, min(e, end) - start) for s, e in spans if s < end and e > start]
    return Snippet(field=name, text=text[start:end], start=start, end=end, spans=inside)
