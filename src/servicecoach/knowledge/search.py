"""The search index of the web app: the engine's in-memory ``SearchIndex``, kept in step with the database.

How it stays current, on SQLite and PostgreSQL alike, with any number of processes and hosts:

- every write of an article (``knowledge.services``) adds an ``IndexChange`` row **in the same transaction**;
- each process keeps one index in memory with the ``epoch`` it was built for and the last change it applied;
  before a search it reads the changes after that (and, because concurrent transactions may commit out of
  order, every change of the last two minutes again) and re-indexes the articles whose version differs from
  the one it indexed. Cheap: one indexed query, and only changed articles are analysed again;
- a full rebuild (the administrators' button, ``servicecoach manage knowledge_index --rebuild``, or a new
  dictionary) starts a new ``epoch`` in ``IndexState``; every process then loads the snapshot of that epoch
  from ``var/knowledge/index.bin`` (or rebuilds itself when the file is missing, e.g. on another host);
- in a process, one lock serialises searches and writes to the index (the engine forbids a write during
  a search); between processes, the snapshot is written to a temporary file and renamed into place under an
  exclusive file lock, so two writers never interleave and a reader never sees half a file.

Only published articles are indexed.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import threading
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from servicecoach.knowledge.engine.analysis import Analyzer, AnalyzerConfig, normalise
from servicecoach.knowledge.engine.index import SearchIndex, SearchResult
from servicecoach.knowledge.kinds import search_body
from servicecoach.knowledge.models import (
    Article,
    DomainWord,
    IndexChange,
    IndexState,
    Kind,
    Status,
    SynonymGroup,
)

try:  # POSIX: an exclusive lock on a file shared by the processes of one host
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

REPLAY_WINDOW = timedelta(minutes=2)
# applied changes after which a process writes a fresh snapshot: a process that starts replays the changes
# since its snapshot (cheap: only those articles are analysed), so this only bounds that replay
SNAPSHOT_EVERY = 500
SNAPSHOT_NAME = "index.bin"
_HEADER = struct.Struct("<I")


@dataclass
class _Loaded:
    index: SearchIndex
    epoch: str
    last_change: int
    versions: dict[str, int] = field(default_factory=dict)  # article id -> version indexed
    unsaved: int = 0  # changes applied since the snapshot was written


_LOCK = threading.RLock()
_loaded: _Loaded | None = None
_writer: threading.Thread | None = None  # the last background snapshot write


def index_dir() -> Path:
    return Path(getattr(settings, "KNOWLEDGE_INDEX_DIR", None) or Path(settings.VAR_DIR) / "knowledge")


def analyzer_config() -> AnalyzerConfig:
    """The engine's own dictionary and synonyms plus what the administrators added."""
    config = AnalyzerConfig.default()
    config.user_words = [*config.user_words, *DomainWord.objects.values_list("word", flat=True)]
    config.synonym_groups = [*config.synonym_groups, *(list(g) for g in SynonymGroup.objects.values_list(
        "words", flat=True))]
    return config


def engine_article(article: Article) -> dict:
    """The dict the engine indexes (``knowledge.engine.index.validate_article``)."""
    return {
        "id": str(article.pk),
        "kind": article.kind,
        "title": article.title,
        "body": search_body(article.kind, article.fields),
        "category": article.category.name if article.category_id else "",
        "tags": [t.name for t in article.tags.all()],
        "similar": list(article.fields.get("similar", [])) if article.kind == Kind.FAQ else [],
    }


def _published():
    return Article.objects.filter(status=Status.PUBLISHED).select_related("category").prefetch_related("tags")


# ---------------------------------------------------------------- snapshots


@contextlib.contextmanager
def _file_lock(folder: Path):
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "index.lock", "a+b") as handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _snapshot_bytes(loaded: _Loaded) -> bytes:
    """The snapshot of an index; call with ``_LOCK`` held (the engine must not change while it is dumped)."""
    meta = json.dumps({"epoch": loaded.epoch, "last_change": loaded.last_change,
                       "versions": loaded.versions}).encode()
    loaded.unsaved = 0
    return _HEADER.pack(len(meta)) + meta + loaded.index.dumps()


def _current_epoch() -> str | None:
    return IndexState.objects.filter(pk=1).values_list("epoch", flat=True).first()


def _store_snapshot(data: bytes, *, epoch: str, last_change: int, state_epoch: str | None, folder: Path) -> None:
    """Write a snapshot file unless a better one is there (a newer epoch, or further in the same one).
    Touches no database (it may run in a thread): ``state_epoch`` is the current epoch as the caller read it."""
    with _file_lock(folder):
        current = _read_meta(folder / SNAPSHOT_NAME)
        if current is not None:
            if current["epoch"] == state_epoch != epoch:
                return
            if current["epoch"] == epoch and current["last_change"] > last_change:
                return
        tmp = folder / f".{SNAPSHOT_NAME}.{os.getpid()}.{threading.get_ident()}.tmp"
        tmp.write_bytes(data)
        os.replace(tmp, folder / SNAPSHOT_NAME)


def _write_snapshot(loaded: _Loaded) -> None:
    _store_snapshot(_snapshot_bytes(loaded), epoch=loaded.epoch, last_change=loaded.last_change,
                    state_epoch=_current_epoch(), folder=index_dir())


def _write_snapshot_in_background(loaded: _Loaded) -> threading.Thread:
    """Dump now (under the lock: about 0.7 s at 50,000 articles), write the 100 MB file in a thread so the
    search that triggered it does not wait for the disk."""
    data, epoch, last = _snapshot_bytes(loaded), loaded.epoch, loaded.last_change
    state_epoch, folder = _current_epoch(), index_dir()
    writer = threading.Thread(target=_store_snapshot, name="knowledge-snapshot", daemon=True, kwargs={
        "data": data, "epoch": epoch, "last_change": last, "state_epoch": state_epoch, "folder": folder})
    writer.start()
    return writer


def _read_meta(path: Path) -> dict | None:
    try:
        with open(path, "rb") as handle:
            (size,) = _HEADER.unpack(handle.read(_HEADER.size))
            return json.loads(handle.read(size))
    except (OSError, ValueError, struct.error):
        return None


def _read_snapshot(epoch: str) -> _Loaded | None:
    path = index_dir() / SNAPSHOT_NAME
    try:
        data = path.read_bytes()
        (size,) = _HEADER.unpack_from(data)
        meta = json.loads(data[_HEADER.size:_HEADER.size + size])
        if meta.get("epoch") != epoch:
            return None
        index = SearchIndex.loads(data[_HEADER.size + size:])
    except (OSError, ValueError, struct.error):
        return None  # missing, of another epoch, or unreadable: the caller rebuilds
    return _Loaded(index=index, epoch=epoch, last_change=int(meta["last_change"]),
                   versions={str(k): int(v) for k, v in meta["versions"].items()})


# ---------------------------------------------------------------- building and catching up


def rebuild() -> dict:
    """Build the index afresh from the published articles with the current dictionary and synonyms, start a
    new epoch and write the snapshot. Returns a summary for the page or the command."""
    global _loaded
    with _LOCK:
        started = timezone.now()
        last = IndexChange.objects.aggregate(m=Max("id"))["m"] or 0
        articles = list(_published())
        index = SearchIndex.build((engine_article(a) for a in articles), analyzer=Analyzer(analyzer_config()))
        epoch = uuid.uuid4().hex
        with transaction.atomic():
            IndexState.objects.update_or_create(pk=1, defaults={
                "epoch": epoch, "rebuilt_at": timezone.now(), "articles": len(articles), "config_changed_at": None,
            })
            IndexChange.objects.filter(at__lt=started - timedelta(days=1)).delete()
        _loaded = _Loaded(index=index, epoch=epoch, last_change=last,
                          versions={str(a.pk): a.version for a in articles})
        _catch_up(_loaded)
        _write_snapshot(_loaded)
        return {"articles": len(index), "epoch": epoch, "seconds": (timezone.now() - started).total_seconds()}


def _catch_up(loaded: _Loaded) -> int:
    """Apply the changes since the last one applied (and the recent ones again); return how many articles
    were re-indexed or removed."""
    recent = timezone.now() - REPLAY_WINDOW
    changes = list(IndexChange.objects.filter(Q(id__gt=loaded.last_change) | Q(at__gte=recent))
                   .values_list("id", "article_id"))
    if not changes:
        return 0
    loaded.last_change = max(loaded.last_change, max(c[0] for c in changes))
    ids = {c[1] for c in changes}
    # one cheap query says which articles differ from what is indexed; only those are read in full
    versions = dict(Article.objects.filter(pk__in=ids, status=Status.PUBLISHED).values_list("pk", "version"))
    stale = [pk for pk, version in versions.items() if loaded.versions.get(str(pk)) != version]
    current = {str(a.pk): a for a in _published().filter(pk__in=stale)} if stale else {}
    applied = 0
    for pk in ids:
        key = str(pk)
        if pk not in versions:
            if key in loaded.index:
                loaded.index.remove(key)
                loaded.versions.pop(key, None)
                applied += 1
        elif key in current:
            article = current[key]
            loaded.index.update(engine_article(article))
            loaded.versions[key] = article.version
            applied += 1
    loaded.unsaved += applied
    return applied


def current_index() -> _Loaded:
    """This process's index, brought up to date. Call with ``_LOCK`` held."""
    global _loaded
    state = IndexState.objects.filter(pk=1).values_list("epoch", flat=True).first()
    if state is None:
        rebuild()
        return _loaded
    if _loaded is None or _loaded.epoch != state:
        snapshot = _read_snapshot(state)
        if snapshot is None:
            rebuild()
            return _loaded
        _loaded = snapshot
    if _catch_up(_loaded) and _loaded.unsaved >= SNAPSHOT_EVERY:
        global _writer
        _writer = _write_snapshot_in_background(_loaded)
    return _loaded


def search(query: str, *, kind=None, category=None, tag=None, limit: int = 20) -> SearchResult:
    """The engine's search over the published articles (ids are article primary keys as strings)."""
    with _LOCK:
        return current_index().index.search(query, kind=kind or None, category=category or None,
                                            tag=tag or None, limit=limit)


def snapshot_now() -> dict:
    """Bring this process's index up to date and write its snapshot (``knowledge_index --snapshot``)."""
    with _LOCK:
        loaded = current_index()
        _write_snapshot(loaded)
        return {"articles": len(loaded.index), "epoch": loaded.epoch, "last_change": loaded.last_change}


def index_status() -> dict:
    """What the administrators' page shows about the index."""
    state = IndexState.objects.filter(pk=1).first()
    with _LOCK:
        size = len(_loaded.index) if _loaded is not None and state and _loaded.epoch == state.epoch else None
    return {"state": state, "in_memory": size, "snapshot": (index_dir() / SNAPSHOT_NAME).exists()}


def query_terms(query: str) -> set[str]:
    """The words (typed and synonyms) and bigrams of a query, normalised: what the engine matches."""
    with _LOCK:
        analysed = current_index().index.analyse_query(query)
    return set(analysed.words) | set(analysed.grams)


def highlight_spans(text: str, terms: set[str]) -> list[tuple[int, int]]:
    """Where ``terms`` occur in ``text`` (character spans of the original text, merged), the way the engine
    highlights: normalisation keeps offsets, so spans found in the normalised text fit the original."""
    if not text or not terms:
        return []
    norm = normalise(text)
    spans: list[tuple[int, int]] = []
    for term in terms:
        if not term:
            continue
        latin = term.isascii() and term.isalnum()
        start = norm.find(term)
        while start != -1:
            end = start + len(term)
            if not latin or ((start == 0 or not norm[start - 1].isalnum()) and (end == len(norm)
                                                                                   or not norm[end].isalnum())):
                spans.append((start, end))
            start = norm.find(term, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def wait_for_snapshot(timeout: float = 60) -> None:
    """Wait until the last background snapshot write is done (tests; a process about to exit)."""
    if _writer is not None:
        _writer.join(timeout)


def forget_process_index() -> None:
    """Drop this process's index (tests; a process that must reload)."""
    global _loaded
    with _LOCK:
        _loaded = None
