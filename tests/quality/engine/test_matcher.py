"""The multi-pattern matcher: the same occurrences from Hyperscan, pyahocorasick and plain Python."""

from __future__ import annotations

import pytest

from servicecoach.quality.engine.fast import Matcher, available_backends
from servicecoach.quality.engine.reference import find_all

WORDS = ["抱歉", "很抱歉", "歉", "ab", "b", "bab", "😀x", "Ā"]
TEXTS = ["很抱歉很抱歉", "abababab", "😀x😀😀x", "\u6200\u0100b", "", "无关的话", "a\x00b"]


def expected(text):
    return sorted((wid, s) for wid, w in enumerate(WORDS) for s in find_all(text, w))


@pytest.mark.parametrize("backend", ["hyperscan", "ahocorasick", "python"])
@pytest.mark.parametrize("text", TEXTS)
def test_every_backend_finds_every_occurrence_with_str_indices(backend, text):
    assert sorted(Matcher(WORDS, backend).scan(text)) == expected(text)


@pytest.mark.parametrize("backend", ["hyperscan", "ahocorasick", "python"])
def test_no_words_no_matches(backend):
    assert Matcher([], backend).scan("anything") == []


def test_default_backend_is_the_first_available_and_unknown_ones_are_refused():
    assert Matcher(["a"]).backend == available_backends()[0]
    with pytest.raises(ValueError, match="unknown matcher backend"):
        Matcher(["a"], "re2")
