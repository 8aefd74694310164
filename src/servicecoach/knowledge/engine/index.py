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

Postings are two packed arrays per term and field (article slots and term frequencies), read by
numpy without copying at query time, so 50,000 articles fit in tens of megabytes and a query adds
up a few arrays instead of looping in Python; add, update and remove touch only the article's own
terms. The phrase boost re-ranks the ``RERANK_DEPTH`` best articles by the other parts of the score.
"""

from __future__ import annotations

import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import orjson

from .analysis import Analyzer, AnalyzerConfig, QueryTerms, fold, normalise

KINDS = ("faq", "script", "case", "risk", "standard")
WORD_FIELDS = ("title", "question", "body", "tags")
SNAPSHOT_FORMAT = "servicecoach-knowledge-index"
SNAPSHOT_VERSION = 1
SNAPSHOT_MAGIC = b"SCKNOWIDX\n"
RERANK_DEPTH = 200
FIELD_NAMES = (*WORD_FIELDS, "gram")


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
    """The knowledge-search index.

    Searches may run concurrently with each other, but not with a write (``add``, ``update``,
    ``remove``, ``add_words``): a write resizes arrays that a running search reads through numpy
    views. The web layer holds a lock (or a fresh copy per process) around writes.
    """

    def __init__(self, analyzer: Analyzer | None = None, params: ScoringParams | None = None) -> None:
        self.analyzer = analyzer if analyzer is not None else Analyzer()
        self.params = params if params is not None else ScoringParams()
        self._articles: list[dict | None] = []  # by slot; None for a free slot
        self._free: list[int] = []  # slots of removed articles, reused first
        self._slot_of: dict[str, int] = {}
        self._fields = {name: _Postings() for name in WORD_FIELDS}
        self._grams = _Postings()
        self._df: Counter[str] = Counter()  # articles holding a word term in any word field
        self._lengths: dict[str, list[int]] = {name: [] for name in FIELD_NAMES}
        self._totals: dict[str, int] = dict.fromkeys(FIELD_NAMES, 0)
        # every word term ever indexed gets a number; per slot, the article's word terms (numbers,
        # the four word fields one after the other), their frequencies and where each field starts.
        # Bigrams are not kept per article: they are recomputed from its text when needed.
        self._vocab: dict[str, int] = {}
        self._vocab_terms: list[str] = []
        self._doc_ids: list[array | None] = []
        self._doc_tfs: list[array | None] = []
        self._doc_bounds: list[tuple[int, ...] | None] = []
        self._phrase: list[str] = []
        self._by_kind: dict[str, set[int]] = {}
        self._by_category: dict[str, set[int]] = {}
        self._by_tag: dict[str, set[int]] = {}
        self._norms: dict[str, np.ndarray] | None = None
        self._masks: dict[tuple, np.ndarray] = {}

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
        intern = sys.intern  # one string object per term, however many articles hold it
        counts = {name: Counter(map(intern, self.analyzer.words(texts[name]))) for name in WORD_FIELDS}
        counts["gram"] = Counter(map(intern, self.analyzer.grams(gram_text(article))))
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
        seen: set[str] = set()
        for name, field_terms in zip(WORD_FIELDS, self._word_terms(slot)):
            self._fields[name].remove(slot, field_terms)
            seen.update(field_terms)
        self._grams.remove(slot, self._gram_set(slot))
        for term in seen:
            self._df[term] -= 1
            if not self._df[term]:
                del self._df[term]
        for name in FIELD_NAMES:
            self._totals[name] -= self._lengths[name][slot]
            self._lengths[name][slot] = 0
        self._by_kind[article["kind"]].discard(slot)
        self._by_category.get(article["category"], set()).discard(slot)
        for tag in article["tags"]:
            self._by_tag.get(normalise(tag), set()).discard(slot)
        self._articles[slot] = None
        self._doc_ids[slot] = self._doc_tfs[slot] = self._doc_bounds[slot] = None
        self._phrase[slot] = ""
        self._free.append(slot)
        self._changed()

    def _changed(self) -> None:
        self._norms = None
        self._masks.clear()

    def _word_terms(self, slot: int) -> list[list[str]]:
        """The article's word terms, one list per word field."""
        ids, bounds, terms = self._doc_ids[slot], self._doc_bounds[slot], self._vocab_terms
        return [[terms[i] for i in ids[bounds[f] : bounds[f + 1]]] for f in range(len(WORD_FIELDS))]

    def _gram_set(self, slot: int) -> set[str]:
        """The article's bigrams (they depend only on its text and the analyser's stop words)."""
        return set(self.analyzer.grams(gram_text(self._articles[slot])))

    def _insert(self, article: dict, counts: Mapping[str, Mapping[str, int]]) -> None:
        if self._free:
            slot = self._free.pop()  # an update reuses the slot it has just freed
        else:
            slot = len(self._articles)
            self._articles.append(None)
            self._doc_ids.append(None)
            self._doc_tfs.append(None)
            self._doc_bounds.append(None)
            self._phrase.append("")
            for name in FIELD_NAMES:
                self._lengths[name].append(0)
        self._articles[slot] = article
        self._slot_of[article["id"]] = slot
        seen: set[str] = set()
        for name in WORD_FIELDS:
            self._fields[name].add(slot, counts[name])
            seen.update(counts[name])
        self._grams.add(slot, counts["gram"])
        self._df.update(seen)
        for name in FIELD_NAMES:
            length = sum(counts[name].values())
            self._lengths[name][slot] = length
            self._totals[name] += length
        ids, tfs, bounds = array("i"), array("H"), [0]
        vocab = self._vocab
        for name in WORD_FIELDS:
            for term, tf in counts[name].items():
                number = vocab.get(term)
                if number is None:
                    number = vocab[term] = len(self._vocab_terms)
                    self._vocab_terms.append(term)
                ids.append(number)
                tfs.append(min(tf, 65535))
            bounds.append(len(ids))
        self._doc_ids[slot], self._doc_tfs[slot], self._doc_bounds[slot] = ids, tfs, tuple(bounds)
        self._phrase[slot] = phrase_text(article)
        self._by_kind.setdefault(article["kind"], set()).add(slot)
        self._by_category.setdefault(article["category"], set()).add(slot)
        for tag in article["tags"]:
            self._by_tag.setdefault(normalise(tag), set()).add(slot)
        self._changed()

    def add_words(self, words: Iterable[str], *, reindex: bool = True) -> None:
        """Extend the domain dictionary; re-analyse the articles so they use the new words."""
        self.analyzer.add_words(words)
        if reindex:
            for article in [a for a in self._articles if a is not None]:
                self.update(article)

    # ------------------------------------------------------------------ scoring
    def _length_norms(self) -> dict[str, np.ndarray]:
        """Per field and slot: 1 / (1 - b + b * length / average length)."""
        if self._norms is None:
            n = max(len(self._slot_of), 1)
            norms = {}
            for name in FIELD_NAMES:
                b = self.params.b(name)
                avg = self._totals[name] / n or 1.0
                lengths = np.asarray(self._lengths[name], dtype=np.float64)
                norms[name] = 1.0 / (1.0 - b + b * lengths / avg)
            self._norms = norms
        return self._norms

    def _mask(self, kind, category, tag) -> np.ndarray | None:
        """Slots passing the filters, as a boolean array (cached until the next write)."""
        key = tuple(v if v is None or isinstance(v, str) else tuple(sorted(v)) for v in (kind, category, tag))
        if key == (None, None, None):
            return None
        mask = self._masks.get(key)
        if mask is None:
            mask = np.ones(len(self._articles), dtype=bool)
            for value, table, norm in (
                (kind, self._by_kind, False),
                (category, self._by_category, False),
                (tag, self._by_tag, True),
            ):
                if value is None:
                    continue
                slots: set[int] = set()
                for v in [value] if isinstance(value, str) else value:
                    slots |= table.get(normalise(v) if norm else v, set())
                allowed = np.zeros(len(self._articles), dtype=bool)
                allowed[np.fromiter(slots, dtype=np.int64, count=len(slots))] = True
                mask &= allowed
            self._masks[key] = mask
        return mask

    def _base_scores(self, q: QueryTerms) -> np.ndarray:
        """Score of every slot without the phrase boost (0 for articles matching no term)."""
        p = self.params
        k1 = p.k1
        n = len(self._slot_of)
        size = len(self._articles)
        norms = self._length_norms()
        acc = np.zeros(size, dtype=np.float64)
        for term, qweight in q.words.items():
            df = self._df.get(term)
            if not df or qweight <= 0:
                continue
            parts = []
            for name in WORD_FIELDS:
                entry = self._fields[name].terms.get(term)
                weight = p.weight(name)
                if entry is not None and weight > 0:
                    slots = np.frombuffer(entry[0], dtype=np.int32)
                    tfs = np.frombuffer(entry[1], dtype=np.uint16)
                    parts.append((slots, weight * tfs * norms[name][slots]))
            if not parts:
                continue
            factor = qweight * bm25_idf(n, df) * (k1 + 1.0)
            if len(parts) == 1:
                slots, value = parts[0]
            else:  # the same article may hold the term in several fields: add up per slot first
                combined = np.zeros(size, dtype=np.float64)
                for slots, value in parts:
                    combined[slots] += value
                slots = np.flatnonzero(combined)
                value = combined[slots]
            acc[slots] += factor * value / (value + k1)
        if p.gram_weight > 0:
            norm = norms["gram"]
            for gram, qweight in q.grams.items():
                entry = self._grams.terms.get(gram)
                if entry is None or qweight <= 0:
                    continue
                slots = np.frombuffer(entry[0], dtype=np.int32)
                value = np.frombuffer(entry[1], dtype=np.uint16) * norm[slots]
                factor = p.gram_weight * qweight * bm25_idf(n, len(slots)) * (k1 + 1.0)
                acc[slots] += factor * value / (value + k1)
        return acc

    def _ranked(self, q: QueryTerms, kind, category, tag, depth: int) -> tuple[list[tuple[int, float]], int]:
        """The best ``depth`` (slot, score) pairs, best first, and how many articles matched."""
        acc = self._base_scores(q)
        mask = self._mask(kind, category, tag)
        if mask is not None:
            acc *= mask
        candidates = np.flatnonzero(acc > 0)
        total = len(candidates)
        rest: np.ndarray | None = None
        if total > RERANK_DEPTH:
            order = np.argpartition(acc[candidates], -RERANK_DEPTH)
            if depth > RERANK_DEPTH:  # scores(): everything, the boost still only on the best
                rest = candidates[order[:-RERANK_DEPTH]]
            candidates = candidates[order[-RERANK_DEPTH:]]
        scored = [(int(slot), float(acc[slot])) for slot in candidates]
        if self.params.phrase_boost > 0 and len(q.text) >= 2:
            boost, phrase, text = 1.0 + self.params.phrase_boost, self._phrase, q.text
            scored = [(slot, s * boost if text in phrase[slot] else s) for slot, s in scored]
        if rest is not None:
            scored += [(int(slot), float(acc[slot])) for slot in rest]
        articles = self._articles
        scored.sort(key=lambda pair: (-pair[1], articles[pair[0]]["id"]))
        return scored[:depth], total

    def analyse_query(self, query: str) -> QueryTerms:
        return self.analyzer.analyse_query(query, synonym_weight=self.params.synonym_weight)

    def scores(self, query: str, *, kind=None, category=None, tag=None) -> dict[str, float]:
        """Article id -> score of every matching article (for the reference comparison and debugging).

        The phrase boost applies to the ``RERANK_DEPTH`` best articles only, as in :meth:`search`.
        """
        ranked, _ = self._ranked(self.analyse_query(query), kind, category, tag, len(self._articles))
        return {self._articles[slot]["id"]: score for slot, score in ranked}

    # ------------------------------------------------------------------ search
    def search(self, query: str, *, kind=None, category=None, tag=None, limit: int = 10,
               highlight: bool = True) -> SearchResult:  # fmt: skip
        """The best ``limit`` articles for ``query``, best first, with highlights.

        ``kind``, ``category`` and ``tag`` each take one value or a collection of values (any of
        them); several filters must all hold.
        """
        q = self.analyse_query(query)
        top, total = self._ranked(q, kind, category, tag, limit)
        articles = self._articles
        hits = []
        pattern = _term_pattern(set(q.words) | set(q.grams)) if highlight and top else None
        for slot, score in top:
            hit = Hit(id=articles[slot]["id"], score=score, article=articles[slot])
            if pattern is not None:
                self._highlight(hit, slot, q, pattern)
            hits.append(hit)
        confidence = self._confidence(top[0][0], q) if top else 0.0
        return SearchResult(
            query=query,
            hits=hits,
            total=total,
            confidence=confidence,
            no_good_answer=not hits or confidence < self.params.no_answer_threshold,
        )

    def _confidence(self, slot: int, q: QueryTerms) -> float:
        """How much of the query the article answers, 0..1.

        The idf-weighted share of the typed words found in the article's title, phrasings or tags
        (directly or through a synonym); when some typed words are unknown to the index (typos,
        product codes), at least 0.9 times the share of the query's bigrams found in the article.
        """
        terms = self._word_terms(slot)
        head = set(terms[0]) | set(terms[1]) | set(terms[3])
        n = max(len(self._slot_of), 1)
        total = found = 0.0
        for word in q.typed:
            idf = bm25_idf(n, self._df.get(word, 0))
            total += idf
            if word in head or any(s in head for s in self.analyzer.synonyms.expand(word)):
                found += idf
        word_share = found / total if total else 0.0
        if all(w in self._df for w in q.typed):
            return word_share
        grams = self._gram_set(slot)
        gram_share = sum(1 for g in q.grams if g in grams) / len(q.grams) if q.grams else 0.0
        return max(word_share, gram_share * 0.9)

    def _highlight(self, hit: Hit, slot: int, q: QueryTerms, pattern: re.Pattern) -> None:
        in_doc = set().union(*self._word_terms(slot))
        words = {w for w in q.words if w in in_doc}
        in_grams = self._gram_set(slot)
        grams = {g for g in q.grams if g in in_grams and g not in words}
        hit.matched_terms = sorted(words) + sorted(grams)
        matched = words | grams
        texts = field_texts(hit.article)
        for name in WORD_FIELDS:
            text = texts[name]
            if not text or not matched:
                continue
            # normalise() keeps every offset, so spans found in the normalised text fit the original
            found = pattern.finditer(normalise(text))
            spans = merge_spans(m.span() for m in found if m.group() in matched)
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
        """The index as bytes: a JSON header and the packed arrays as they are in memory.

        The header holds the analyser set-up, the parameters, the articles by slot, the vocabulary
        and where each array lies in the rest; loading copies the arrays back without running jieba
        (most of the build time) and without a loop over every posting.
        """
        blob = bytearray()
        where: list[list[int]] = []

        def put(arr: array) -> None:
            where.append([len(blob), len(arr)])
            blob.extend(arr.tobytes())

        postings = []
        for name, table in [*self._fields.items(), ("gram", self._grams)]:
            terms = list(table.terms)
            for term in terms:
                put(table.terms[term][0])
                put(table.terms[term][1])
            postings.append([name, terms])
        live = [slot for slot, a in enumerate(self._articles) if a is not None]
        for slot in live:
            put(self._doc_ids[slot])
            put(self._doc_tfs[slot])
        header = orjson.dumps(
            {
                "format": SNAPSHOT_FORMAT,
                "version": SNAPSHOT_VERSION,
                "byteorder": sys.byteorder,
                "analyzer": self.analyzer.config.to_dict(),
                "params": asdict(self.params),
                "slots": len(self._articles),
                "articles": [[slot, self._articles[slot], self._doc_bounds[slot]] for slot in live],
                "lengths": self._lengths,
                "vocab": self._vocab_terms,
                "df": self._df,
                "postings": postings,
                "arrays": where,
            }
        )
        return SNAPSHOT_MAGIC + len(header).to_bytes(8, "little") + header + bytes(blob)

    @classmethod
    def loads(cls, data: bytes) -> SearchIndex:
        """An index from :meth:`dumps` output; ValueError naming what is wrong otherwise."""
        if not data.startswith(SNAPSHOT_MAGIC):
            raise ValueError("knowledge index snapshot: not a knowledge index (no 'SCKNOWIDX' mark)")
        start = len(SNAPSHOT_MAGIC) + 8
        size = int.from_bytes(data[len(SNAPSHOT_MAGIC) : start], "little")
        try:
            snap = orjson.loads(data[start : start + size])
        except orjson.JSONDecodeError as exc:
            raise ValueError(f"knowledge index snapshot: the header is not valid JSON ({exc})") from None
        if not isinstance(snap, dict) or snap.get("format") != SNAPSHOT_FORMAT:
            raise ValueError("knowledge index snapshot: not a knowledge index (field 'format')")
        if snap.get("version") != SNAPSHOT_VERSION or snap.get("byteorder") != sys.byteorder:
            raise ValueError(
                f"knowledge index snapshot: version {snap.get('version')!r} ({snap.get('byteorder')}-endian) "
                f"is not supported (expected {SNAPSHOT_VERSION}, {sys.byteorder}-endian); "
                "rebuild the index from the articles"
            )
        blob = memoryview(data)[start + size :]
        arrays = iter(snap["arrays"])

        def take(code: str) -> array:
            offset, count = next(arrays)
            arr = array(code)
            arr.frombytes(blob[offset : offset + count * arr.itemsize])
            return arr

        index = cls(Analyzer(AnalyzerConfig.from_dict(snap["analyzer"])), ScoringParams(**snap["params"]))
        intern = sys.intern
        for name, terms in snap["postings"]:
            table = index._fields[name] if name != "gram" else index._grams
            for term in terms:
                table.terms[intern(term)] = (take("i"), take("H"))
        slots = snap["slots"]
        index._articles = [None] * slots
        index._doc_ids, index._doc_tfs, index._doc_bounds = [None] * slots, [None] * slots, [None] * slots
        index._phrase = [""] * slots
        for slot, article, bounds in snap["articles"]:
            index._articles[slot] = article
            index._slot_of[article["id"]] = slot
            index._doc_ids[slot], index._doc_tfs[slot], index._doc_bounds[slot] = (
                take("i"),
                take("H"),
                tuple(bounds),
            )
            index._phrase[slot] = phrase_text(article)
            index._by_kind.setdefault(article["kind"], set()).add(slot)
            index._by_category.setdefault(article["category"], set()).add(slot)
            for tag in article["tags"]:
                index._by_tag.setdefault(normalise(tag), set()).add(slot)
        index._free = [slot for slot in range(slots) if index._articles[slot] is None]
        index._vocab_terms = [intern(t) for t in snap["vocab"]]
        index._vocab = {t: i for i, t in enumerate(index._vocab_terms)}
        index._df = Counter(snap["df"])
        index._lengths = {name: list(values) for name, values in snap["lengths"].items()}
        index._totals = {name: sum(values) for name, values in index._lengths.items()}
        return index


def _term_pattern(terms: set[str]) -> re.Pattern | None:
    """A regex finding any of ``terms`` in normalised text; Latin/digit terms only as whole tokens."""
    if not terms:
        return None
    parts = []
    for term in sorted(terms, key=len, reverse=True):
        escaped = re.escape(term)
        parts.append(f"(?<![0-9a-z]){escaped}(?![0-9a-z])" if term.isascii() else escaped)
    return re.compile("|".join(parts))


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
