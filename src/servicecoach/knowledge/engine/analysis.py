"""Chinese-aware text analysis for knowledge search.

The pipeline, for documents and queries alike:

1. :func:`normalise` maps every character to exactly one character (full-width to half-width,
   lower case, a few traditional characters to simplified), so an offset in the normalised text is
   the same offset in the original text: highlighting spans stay correct for what the user typed.
2. jieba cuts the normalised text in search mode (long words and the shorter words inside them),
   with a private :class:`jieba.Tokenizer` per :class:`Analyzer` so that one index's domain
   dictionary never leaks into another's.
3. Stop words and punctuation are dropped; the remaining words are the ``word`` terms.
4. Character bigrams of every run of Chinese characters (and every Latin/digit token as a whole) are
   the ``gram`` terms: a fallback for words jieba does not know and for typos.

Queries are expanded with synonyms (:class:`SynonymTable`) at a lower weight.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).parent / "data"
MAX_QUERY_CHARS = 200

# A few traditional characters seen in customer messages typed on Taiwanese/Hong Kong keyboards;
# one character to one character only, so offsets survive.
_TRADITIONAL = (
    "貨货 費费 發发 單单 碼码 號号 運运 遞递 優优 會会 員员 賬账 帳账 戶户 換换 錢钱 買买 賣卖 訂订 "
    "開开 實实 體体 質质 寶宝 幣币 紅红 過过 時时 間间 還还 沒没 麼么 認认 證证 設设 備备 裝装 機机 "
    "電电 話话 線线 聯联 係系 務务 價价 額额 點点 積积 級级 條条 規规 則则 門门 壞坏 損损 維维 補补 "
    "郵邮 憑凭 據据 為为 這这 個个 們们 嗎吗 請请 問问 題题 處处 與与 從从 後后 來来 對对 進进 長长 "
    "東东 車车 樣样 輸输 驗验 動动 準准 網网 絡络 購购 車车 鍵键 態态 狀状 況况 庫库 倉仓 "
    "領领 紀纪 錄录 簽签 註注 冊册 罰罚 責责 權权 護护 隱隐 資资 訊讯 騙骗 擊击 關关 閉闭 獎奖 "
    "費费 辦办 現现 讓让 寫写 讀读 聽听 說说 講讲 歲岁 億亿 萬万 兩两 幾几 無无 盡尽 應应 該该 當当"
)
TRADITIONAL_TO_SIMPLIFIED = {pair[0]: pair[1] for pair in _TRADITIONAL.split() if pair[0] != pair[1]}

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD_CHAR = re.compile(r"[\w\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN_TOKEN = re.compile(r"[0-9a-z]+(?:[._\-+#][0-9a-z]+)*")
_ALNUM = re.compile(r"[0-9a-z]+")


def _normalise_char(ch: str) -> str:
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:  # full-width ASCII
        ch = chr(code - 0xFEE0)
    elif code == 0x3000:  # ideographic space
        return " "
    elif ch in TRADITIONAL_TO_SIMPLIFIED:
        return TRADITIONAL_TO_SIMPLIFIED[ch]
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


_NORMALISE_TABLE: dict[int, str] = {}
for _code in list(range(0xFF01, 0xFF5F)) + [0x3000] + [ord(c) for c in TRADITIONAL_TO_SIMPLIFIED]:
    _NORMALISE_TABLE[_code] = _normalise_char(chr(_code))
for _code in range(0x41, 0x5B):
    _NORMALISE_TABLE[_code] = chr(_code + 32)


def normalise(text: str) -> str:
    """Full-width to half-width, lower case, traditional to simplified; same length as ``text``."""
    out = text.translate(_NORMALISE_TABLE)
    if out.isascii():
        return out
    lowered = out.lower()  # Greek, Cyrillic, accented Latin...
    if len(lowered) == len(out):
        return lowered
    # a character whose lower case is longer (İ): keep that one as it is
    return "".join(_normalise_char(ch) for ch in out)


def is_han(text: str) -> bool:
    return bool(_HAN.fullmatch(text))


@dataclass(frozen=True)
class Token:
    """One term with its span in the (normalised = original) text."""

    term: str
    start: int
    end: int


def load_word_list(path: Path) -> list[str]:
    """One entry a line; ``#`` starts a comment; blank lines ignored."""
    words: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.append(line)
    return words


class SynonymTable:
    """Groups of words that mean the same thing to a customer (退款 退钱 钱退回来 ...).

    A word may sit in several groups; the expansion of a word is the union of its groups minus itself.
    """

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        self.groups: list[tuple[str, ...]] = []
        self._of: dict[str, set[str]] = {}
        for group in groups:
            self.add_group(group)

    @classmethod
    def from_file(cls, path: Path) -> SynonymTable:
        """Each line a group, words separated by spaces or ``/``; bad lines named by line number."""
        groups = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            words = [w for w in re.split(r"[\s/,，]+", line) if w]
            if len(words) < 2:
                raise ValueError(f"{path.name}, line {number}: a synonym group needs at least two words")
            groups.append(words)
        return cls(groups)

    def add_group(self, words: Iterable[str]) -> None:
        group = tuple(dict.fromkeys(normalise(w.strip()) for w in words if w.strip()))
        if len(group) < 2:
            raise ValueError(f"a synonym group needs at least two different words: {group!r}")
        self.groups.append(group)
        for word in group:
            self._of.setdefault(word, set()).update(group)

    def expand(self, word: str) -> set[str]:
        return self._of.get(word, set()) - {word}

    def words(self) -> set[str]:
        return set(self._of)


_BASE_LOCK = threading.Lock()
_BASE_TOKENIZER: jieba.Tokenizer | None = None


def _new_tokenizer() -> jieba.Tokenizer:
    """A private jieba tokenizer with the main dictionary loaded.

    Loading jieba's dictionary costs about a second; every analyser after the first copies the
    prefix dictionary of one loaded tokenizer instead (a few tens of milliseconds).
    """
    global _BASE_TOKENIZER
    with _BASE_LOCK:
        if _BASE_TOKENIZER is None:
            base = jieba.Tokenizer()
            level = jieba.default_logger.level
            jieba.default_logger.setLevel(logging.WARNING)  # no "Loading model cost" on stderr
            try:
                base.initialize()
            finally:
                jieba.default_logger.setLevel(level)
            _BASE_TOKENIZER = base
        base = _BASE_TOKENIZER
    tokenizer = jieba.Tokenizer()
    tokenizer.FREQ = dict(base.FREQ)
    tokenizer.total = base.total
    tokenizer.initialized = True
    return tokenizer


@dataclass
class AnalyzerConfig:
    """Everything an analyser depends on; stored with a serialised index."""

    user_words: list[str] = field(default_factory=list)
    stop_words: list[str] = field(default_factory=list)
    synonym_groups: list[list[str]] = field(default_factory=list)

    @classmethod
    def default(cls) -> AnalyzerConfig:
        return cls(
            user_words=load_word_list(DATA_DIR / "domain_words.txt"),
            stop_words=load_word_list(DATA_DIR / "stop_words.txt"),
            synonym_groups=[list(g) for g in SynonymTable.from_file(DATA_DIR / "synonyms.txt").groups],
        )

    def to_dict(self) -> dict:
        return {
            "user_words": list(self.user_words),
            "stop_words": list(self.stop_words),
            "synonym_groups": [list(g) for g in self.synonym_groups],
        }

    @classmethod
    def from_dict(cls, data: dict) -> AnalyzerConfig:
        return cls(
            user_words=list(data["user_words"]),
            stop_words=list(data["stop_words"]),
            synonym_groups=[list(g) for g in data["synonym_groups"]],
        )


@dataclass
class QueryTerms:
    """An analysed query: weighted word terms and bigram terms, and which words the user typed."""

    words: dict[str, float]
    grams: dict[str, float]
    typed: set[str]
    text: str  # normalised query text, for the phrase boost


class Analyzer:
    """Turns text into terms. One instance per index; ``add_words`` extends its dictionary."""

    def __init__(self, config: AnalyzerConfig | None = None) -> None:
        self.config = config if config is not None else AnalyzerConfig.default()
        self._tokenizer = _new_tokenizer()
        self.stop_words = {normalise(w) for w in self.config.stop_words}
        self.synonyms = SynonymTable(self.config.synonym_groups)
        self.config.synonym_groups = [list(g) for g in self.synonyms.groups]
        words = list(self.config.user_words)
        self.config.user_words = []
        # synonyms become dictionary words too, so 退钱 is cut as one word and can be expanded
        self.add_words(words + sorted(self.synonyms.words() - set(words)))

    # dictionary -------------------------------------------------------------------------------
    def add_words(self, words: Iterable[str]) -> None:
        """Add domain words (product names, jargon) to this analyser's dictionary.

        Documents indexed before the change keep their old segmentation until re-indexed; the
        character bigrams still let queries find them.
        """
        known = set(self.config.user_words)
        for raw in words:
            word = normalise(raw.strip())
            if not word or word in known:
                continue
            if any(ch.isspace() for ch in word):
                raise ValueError(f"a dictionary word cannot contain spaces: {raw!r}")
            # a high frequency makes jieba prefer the word as a whole over its pieces
            self._tokenizer.add_word(word, freq=max(self._tokenizer.suggest_freq(word), 50_000))
            self.config.user_words.append(word)
            known.add(word)

    # analysis ---------------------------------------------------------------------------------
    def _word_spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        norm = normalise(text)
        stop = self.stop_words
        for word, start, end in self._tokenizer.tokenize(norm, mode="search", HMM=True):
            if word in stop or not _WORD_CHAR.match(word):
                continue
            if not word.isascii() or _LATIN_TOKEN.fullmatch(word):
                yield word, start, end
            else:  # e.g. "sc-2081." : keep the Latin/digit pieces with their own spans
                for m in _LATIN_TOKEN.finditer(word):
                    if m.group() not in stop:
                        yield m.group(), start + m.start(), start + m.end()

    def word_tokens(self, text: str) -> Iterator[Token]:
        """Search-mode words of ``text`` (already normalised or not: spans are the same)."""
        return (Token(*span) for span in self._word_spans(text))

    def words(self, text: str) -> list[str]:
        return [span[0] for span in self._word_spans(text)]

    def _gram_spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        norm = normalise(text)
        stop = self.stop_words
        for m in _HAN.finditer(norm):
            run, base = m.group(), m.start()
            if len(run) == 1 and run not in stop:
                yield run, base, base + 1
            for i in range(len(run) - 1):
                gram = run[i : i + 2]
                if gram not in stop:
                    yield gram, base + i, base + i + 2
        for m in _ALNUM.finditer(norm):
            if m.group() not in stop:
                yield m.group(), m.start(), m.end()

    def gram_tokens(self, text: str) -> Iterator[Token]:
        """Character bigrams of each Chinese run (a lone character as itself) and Latin/digit runs.

        A bigram that is itself a stop word (什么, 怎么) is left out.
        """
        return (Token(*span) for span in self._gram_spans(text))

    def grams(self, text: str) -> list[str]:
        return [span[0] for span in self._gram_spans(text)]

    def analyse_query(self, text: str, *, synonym_weight: float = 0.6) -> QueryTerms:
        """Weighted terms of a query: typed words 1.0, their synonyms ``synonym_weight``.

        Only the first ``MAX_QUERY_CHARS`` characters count (an agent may paste a whole message).
        """
        text = text[:MAX_QUERY_CHARS]
        typed = self.words(text)
        words: dict[str, float] = dict.fromkeys(typed, 1.0)
        for word in typed:
            for synonym in self.synonyms.expand(word):
                for part in self.words(synonym) or [synonym]:
                    if words.get(part, 0.0) < synonym_weight:
                        words[part] = synonym_weight
        grams = dict.fromkeys(self.grams(text), 1.0)
        return QueryTerms(words=words, grams=grams, typed=set(typed), text=_squeeze(normalise(text)))


def _squeeze(text: str) -> str:
    return "".join(ch for ch in text if _WORD_CHAR.match(ch))


def fold(text: str) -> str:
    """Normalised text without punctuation and spaces (used by the phrase boost)."""
    return _squeeze(normalise(text))
