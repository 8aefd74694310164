from __future__ import annotations

import pytest

from servicecoach.knowledge.engine.analysis import (
    MAX_QUERY_CHARS,
    Analyzer,
    AnalyzerConfig,
    SynonymTable,
    normalise,
)


def test_normalise_maps_full_width_and_case_one_character_to_one():
    text = "ＳＣ－２０８１　Ｐｒｏ退款"
    norm = normalise(text)
    assert norm == "sc-2081 pro退款"
    assert len(norm) == len(text)


def test_normalise_maps_known_traditional_characters():
    assert normalise("退貨運費") == "退货运费"


def test_full_width_query_gives_the_same_words_as_half_width(analyzer):
    assert analyzer.words("ｉＰｈｏｎｅ１５手机壳") == analyzer.words("iphone15手机壳")


def test_search_mode_gives_long_words_and_the_words_inside(analyzer):
    words = analyzer.words("钱什么时候退回来")
    assert {"退回来", "退回", "回来", "钱"} <= set(words)


def test_stop_words_are_dropped(analyzer):
    words = analyzer.words("请问我的快递怎么还没到呢")
    assert "的" not in words and "呢" not in words and "怎么" not in words
    assert "快递" in words


def test_custom_word_is_cut_whole_and_only_in_its_own_analyser():
    first, second = Analyzer(), Analyzer()
    assert "蓝鲸净水宝" not in first.words("我买的蓝鲸净水宝漏水了")
    first.add_words(["蓝鲸净水宝"])
    assert "蓝鲸净水宝" in first.words("我买的蓝鲸净水宝漏水了")
    # the other analyser (another index) does not see the new word
    assert "蓝鲸净水宝" not in second.words("我买的蓝鲸净水宝漏水了")
    assert "蓝鲸净水宝" in first.config.user_words


def test_dictionary_word_with_space_is_refused(analyzer):
    with pytest.raises(ValueError, match="cannot contain spaces"):
        analyzer.add_words(["蓝鲸 净水宝"])


def test_query_is_expanded_with_synonyms_at_a_lower_weight(analyzer):
    q = analyzer.analyse_query("退钱", synonym_weight=0.6)
    assert q.words["退钱"] == 1.0
    assert q.words["退款"] == 0.6
    assert q.typed == {"退钱"}


def test_typed_word_keeps_full_weight_when_also_a_synonym(analyzer):
    q = analyzer.analyse_query("退钱 退款", synonym_weight=0.6)
    assert q.words["退款"] == 1.0


def test_bigrams_cover_chinese_runs_and_latin_tokens(analyzer):
    grams = analyzer.grams("苹果手机壳 SC-2081")
    assert {"苹果", "果手", "手机", "机壳"} <= set(grams)
    assert "sc" in grams and "2081" in grams


def test_bigram_that_is_a_stop_word_is_dropped(analyzer):
    assert "什么" not in analyzer.grams("什么快递")


def test_spans_of_words_point_into_the_original_text(analyzer):
    text = "ＳＣ－２０８１型号的手机壳"
    for token in analyzer.word_tokens(text):
        assert normalise(text[token.start : token.end]) == token.term


def test_synonym_file_line_with_one_word_is_reported(tmp_path):
    path = tmp_path / "synonyms.txt"
    path.write_text("退款 退钱\n# comment\n快递\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"synonyms.txt, line 3: .*at least two words"):
        SynonymTable.from_file(path)


def test_default_config_reads_the_shipped_data_files():
    config = AnalyzerConfig.default()
    assert "七天无理由" in config.user_words
    assert "的" in config.stop_words
    assert any("退钱" in group and "退款" in group for group in config.synonym_groups)
    assert AnalyzerConfig.from_dict(config.to_dict()) == config


def test_only_the_beginning_of_a_very_long_query_counts(analyzer):
    pasted = "退款" + "的" * MAX_QUERY_CHARS + "发票"
    q = analyzer.analyse_query(pasted)
    assert "退款" in q.typed and "发票" not in q.typed
