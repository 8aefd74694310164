"""Customer emotion from the lexicon (servicecoach.quality.engine.emotion)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.quality.engine.emotion import (
    EmotionHit,
    EmotionResult,
    Lexicon,
    LexiconError,
    analyse,
    crude_count,
    default_lexicon,
    make_matcher,
    score_message,
)
from servicecoach.quality.engine.model import Conversation, Message

LEXICON = default_lexicon()
PY_LEXICON = Lexicon.load(use_automaton=False)


def talk(*turns: str | tuple[str, str]) -> Conversation:
    """Customer messages as strings; ("agent", text) for others."""
    messages = [Message(*t) if isinstance(t, tuple) else Message("customer", t) for t in turns]
    return Conversation(id="t", messages=messages)


def score(text: str) -> float:
    return analyse(talk(text)).score


# --------------------------------------------------------------------------- words and modifiers


def test_calm_text_scores_zero():
    assert score("我想查一下订单的物流信息") == 0.0
    assert score("") == 0.0


def test_negative_words_score_by_intensity():
    assert 0 < score("有点慢") < score("太慢了") < score("简直是骗子")
    assert score("我要打12315投诉你们，还要找媒体曝光") >= 6


def test_negation_cancels_a_negative_word_but_not_a_listed_negative_phrase():
    assert score("我很生气") > 0
    assert score("我不生气") == 0.0
    assert score("我没有生气") == 0.0
    assert score("我不是在生气") == 0.0  # one character between negation and word
    assert score("不满意") > 0  # listed as a phrase: longest match beats 满意
    assert score("我不知道生气有什么用") > 0  # too far apart to negate


def test_negation_turns_a_positive_word_negative():
    assert score("很满意") == 0.0
    assert score("不太满意") > 0
    assert score("问题没有明白") > 0


def test_degree_adverbs_multiply():
    assert score("非常失望") > score("失望") > score("有点失望") > 0
    assert score("极其失望") > score("非常失望")


def test_neutral_phrases_stop_the_words_inside_them():
    assert score("麻烦您帮我查一下") == 0.0
    assert score("差不多了") == 0.0


def test_punctuation_amplifies_and_repeated_marks_count_alone():
    assert score("太慢了！") > score("太慢了")
    assert score("太慢了！！！") > score("太慢了！")
    assert score("？？？") > 0
    assert score("在吗？") > 0  # an open question: the customer is not settled yet
    assert score("好的！！！谢谢！！") == 0.0  # excitement without a negative word is not anger


def test_rhetorical_questions_add_weight_even_after_negation():
    assert score("凭什么") > 0
    assert score("不凭什么") == score("凭什么")
    assert score("你们到底要拖到什么时候？") > score("要拖到什么时候？")


def test_positive_words_lower_the_message():
    assert score("太慢了，不过问题解决了，谢谢") < score("太慢了")
    assert score("谢谢，已解决") == 0.0


# --------------------------------------------------------------------------- English


def test_english_words_negation_degree_and_whole_words():
    assert score("This is terrible service") > 0
    assert score("I am not angry") == 0.0
    assert score("not happy with this") > 0
    assert score("extremely disappointed") > score("disappointed") > 0
    assert score("I made a madeleine") == 0.0  # "mad" only as a whole word
    assert score("Thanks, all good now") == 0.0


def test_english_all_caps_is_shouting():
    assert score("THIS IS TERRIBLE SERVICE") > score("this is terrible service")
    assert score("I need my VIP card ID") == 0.0  # acronyms are not shouting


# --------------------------------------------------------------------------- conversation


def test_result_shape_and_non_customer_messages():
    c = talk("垃圾服务！", ("agent", "非常抱歉，垃圾短信已屏蔽"), "好的谢谢")
    result = analyse(c)
    assert isinstance(result, EmotionResult)
    assert len(result.per_message) == 3
    assert result.per_message[1] == 0.0  # the agent's words never count
    assert result.per_message[0] > 0 and result.per_message[2] == 0.0
    assert result.peak == result.per_message[0]
    assert result.last == 0.0
    assert all(h.message in (0, 2) for h in result.hits)
    with pytest.raises(AttributeError):
        result.extra = 1  # slots


def test_hits_carry_message_span_and_signed_weight():
    c = talk(("agent", "您好"), "快递太慢了，非常失望", "谢谢")
    hits = analyse(c).hits
    for hit in hits:
        assert isinstance(hit, EmotionHit)
        assert c.messages[hit.message].text[hit.start : hit.end] == hit.text
    assert [(h.message, h.text) for h in hits] == [(1, "太慢"), (1, "非常失望"), (2, "谢谢")]
    assert hits[0].weight > 0 and hits[2].weight < 0
    assert hits[1].weight == pytest.approx(2 * 1.6)  # 失望 2 x 非常 1.6


def test_the_end_of_the_conversation_weighs_most():
    angry_then_calm = analyse(talk("垃圾！骗子！", "查到了", "好的，解决了，谢谢"))
    calm_then_angry = analyse(talk("好的，谢谢", "查到了", "垃圾！骗子！"))
    assert calm_then_angry.score > angry_then_calm.score


def test_trend():
    assert analyse(talk("你好")).trend is None
    assert analyse(talk(("agent", "您好"))).trend is None
    assert analyse(talk("你好", "还没到", "太慢了！垃圾！")).trend == "rising"
    assert analyse(talk("气死我了！垃圾！", "好的", "解决了谢谢")).trend == "falling"
    assert analyse(talk("你好", "嗯")).trend == "flat"


def test_no_customer_message():
    result = analyse(talk(("agent", "垃圾"), ("bot", "骗子")))
    assert (result.score, result.trend, result.peak, result.last, result.hits) == (0.0, None, 0.0, 0.0, [])


def test_text_whose_lowercase_changes_length_and_lone_surrogates_keep_offsets():
    c = talk("İstanbul 太慢了", "bad \udcff service")
    result = analyse(c)
    for hit in result.hits:
        assert c.messages[hit.message].text[hit.start : hit.end] == hit.text
    assert {h.text for h in result.hits} >= {"太慢", "bad"}


def test_crude_count_counts_negative_phrases_without_modifiers():
    assert crude_count(talk("不生气", ("agent", "垃圾"), "太慢了，投诉！")) == 3  # 生气, 太慢, 投诉


# --------------------------------------------------------------------------- matchers and lexicon files


def test_python_fallback_equals_pyahocorasick_on_real_phrases():
    assert LEXICON.matcher.kind == "pyahocorasick"
    assert PY_LEXICON.matcher.kind == "python"
    text = "我非常不满意！！你们到底要拖到什么时候？12315投诉。Not happy, TERRIBLE service. 麻烦您 İİ"
    assert sorted(LEXICON.matcher(LEXICON.lower(text))) == sorted(PY_LEXICON.matcher(PY_LEXICON.lower(text)))
    c = talk(text, "谢谢，解决了")
    assert analyse(c) == analyse(c, lexicon=PY_LEXICON)


ALPHABET = list("不没很非常太气死垃圾骗子投诉满意谢谢好的慢！？?! .aAnotbd\udcffİé") + [
    "12315",
    "不满意",
    "not ",
    "bad",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join), min_size=1, max_size=4))
def test_both_matchers_give_the_same_result_on_random_text(texts):
    for text in texts:
        low = LEXICON.lower(text)
        assert sorted(LEXICON.matcher(low)) == sorted(PY_LEXICON.matcher(low))
    c = talk(*texts)
    assert analyse(c) == analyse(c, lexicon=PY_LEXICON)


def test_make_matcher_reports_every_occurrence_in_characters():
    match = make_matcher(["ab", "b", "不满", "满意"])
    assert sorted(match("xab不满意")) == [(1, 3, 0), (2, 3, 1), (3, 5, 2), (4, 6, 3)]
    assert match("") == []


def test_an_extra_lexicon_directory_adds_and_reweights(tmp_path):
    extra = tmp_path / "mine"
    extra.mkdir()
    (extra / "negative_shop.txt").write_text("# shop words\n发霉\t2\n太慢\t0.5\n", encoding="utf-8")
    lexicon = Lexicon.load(Lexicon.__init__.__globals__["LEXICON_DIR"], extra)
    assert score_message("面包发霉了", lexicon)[0] > 0 == score_message("面包发霉了", LEXICON)[0]
    assert score_message("太慢", lexicon)[0] < score_message("太慢", LEXICON)[0]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "negative_x.txt",
            "垃圾\tlots\n",
            "negative_x.txt:1: '垃圾\\tlots': expected a phrase, a tab, then a number",
        ),
        ("negative_x.txt", "垃圾\t-1\n", "negative_x.txt:1: '垃圾': the number must not be negative"),
        ("negative_x.txt", "垃圾\t1\n# c\n垃圾\t2\n", "negative_x.txt:3: '垃圾' is already listed at"),
        ("angry_x.txt", "垃圾\t1\n", "the file name must start with one of negative, positive"),
        ("negation_x.txt", "不\t1\n", "negation_x.txt:1: '不\\t1': negation phrases take no number"),
    ],
)
def test_bad_lexicon_files_are_refused_with_file_and_line(tmp_path, name, content, message):
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        Lexicon.load(tmp_path)
    assert message in str(info.value)


def test_shipped_lexicon_is_several_hundred_phrases_in_both_languages():
    kinds = {}
    for entry in [*LEXICON.entries, *LEXICON.modifiers.values()]:
        lang = "en" if entry.term.isascii() else "zh"
        kinds[(entry.kind, lang)] = kinds.get((entry.kind, lang), 0) + 1
    assert kinds[(0, "zh")] >= 400  # negative, Chinese
    assert kinds[(0, "en")] >= 150
    assert kinds[(1, "zh")] >= 60 and kinds[(1, "en")] >= 30  # positive
