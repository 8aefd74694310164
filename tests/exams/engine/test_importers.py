"""Question import/export (servicecoach.exams.engine.importers): Excel template, GIFT, Aiken."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from servicecoach.exams.engine.importers import (
    EXCEL_COLUMNS,
    decode_text,
    export_aiken,
    export_excel,
    export_gift,
    gift_escape,
    gift_unescape,
    import_aiken,
    import_excel,
    import_gift,
    write_excel_template,
)
from servicecoach.exams.engine.questions import (
    Blank,
    Difficulty,
    Essay,
    FillInBlank,
    KeyPoint,
    MultipleChoice,
    Option,
    QuestionType,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

D = Decimal


def workbook_bytes(rows, header=EXCEL_COLUMNS, sheet="题目"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def row(type_, stem, options=(), answer="", explanation="", topic="", difficulty="", points="", tags=""):
    opts = list(options) + [None] * (6 - len(options))
    return [type_, stem, *opts, answer, explanation, topic, difficulty, points, tags]


GOOD_ROWS = [
    row("单选题", "客户来电投诉物流延误，首先应当？", ["安抚情绪并致歉", "直接转接", "挂断"], "A", "先处理情绪", "投诉处理", "易", 2, "物流,安抚"),
    row("多选题", "哪些是礼貌用语？", ["您好", "请稍等", "喂"], "A、B", topic="服务规范"),
    row("判断题", "可以挂断客户电话", answer="错误", topic="服务规范", difficulty="难"),
    row("填空题", "热线是___，受理时效___", answer="95588|24小时;二十四小时", topic="产品知识"),
    row("简答题", "投诉处理的步骤？", answer="致歉;道歉(2)|记录问题|告知时限;时效", topic="投诉处理", points=4),
    row("论述题", "论述服务意识", answer="参考答案……", topic="服务规范", points=10),
]  # fmt: skip


# ---------------------------------------------------------------- Excel


def test_template_has_the_columns_and_an_instructions_sheet():
    buf = io.BytesIO()
    write_excel_template(buf)
    wb = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))
    assert wb.sheetnames == ["题目", "填写说明"]
    assert [c.value for c in wb["题目"][1]] == EXCEL_COLUMNS
    assert wb["题目"].max_row == 1
    help_text = " ".join(str(c.value) for r in wb["填写说明"].iter_rows() for c in r if c.value)
    assert "单选题 / 多选题 / 判断题 / 填空题 / 简答题 / 论述题" in help_text
    assert "致歉;道歉(2)|记录问题" in help_text
    # the blank template imports as nothing, without problems
    result = import_excel(buf.getvalue())
    assert result.questions == [] and result.problems == []


def test_excel_import_reads_every_type():
    result = import_excel(workbook_bytes(GOOD_ROWS))
    assert result.problems == []
    qs = [iq.question for iq in result.questions]
    assert [q.type for q in qs] == list(QuestionType)
    assert [iq.location for iq in result.questions] == [f"row {n}" for n in range(2, 8)]
    sc, mc, tf, fb, sa, es = qs
    assert sc.correct_ids == {"A"} and sc.points == D(2) and sc.difficulty is Difficulty.EASY
    assert sc.tags == ("物流", "安抚") and sc.explanation == "先处理情绪" and sc.topic == "投诉处理"
    assert mc.correct_ids == {"A", "B"} and mc.points == D(1) and mc.difficulty is Difficulty.MEDIUM
    assert tf.answer is False and tf.difficulty is Difficulty.HARD
    assert fb.blanks == (Blank(accepted=("95588",)), Blank(accepted=("24小时", "二十四小时")))
    assert sa.key_points == (
        KeyPoint(id="K1", text="致歉", weight=D(2), phrasings=("道歉",)),
        KeyPoint(id="K2", text="记录问题"),
        KeyPoint(id="K3", text="告知时限", phrasings=("时效",)),
    )
    assert es.reference_answer == "参考答案……" and es.points == D(10)
    assert sc.key == sc.fingerprint()[:12]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (row("单选题", "x", ["a", "b"], "C"), "正确答案 'C': 'C' is not one of the options filled (A, B)"),
        (row("单选题", "x", ["a", "b"], "AB"), "a single choice question has exactly one correct option"),
        (row("单选题", "x", ["a", None, "c"], "A"), "选项B is empty but a later option is filled"),
        (row("单选题", "x", ["a"], "A"), "a choice question needs at least two options"),
        (row("多选题", "x", ["a", "b"], "AA"), "a letter is repeated"),
        (row("多选题", "x", ["a", "b"], ""), "正确答案 is empty"),
        (row("问卷", "x"), "题型 '问卷' is not one of 单选题/多选题/判断题/填空题/简答题/论述题"),
        (row("", "x"), "题型 is empty"),
        (row("判断题", "", answer="对"), "题目 is empty"),
        (row("判断题", "x", answer="也许"), "a true/false answer must be 正确 or 错误"),
        (row("判断题", "x", ["a"], "对"), "has no options: leave 选项A..选项F empty"),
        (row("填空题", "x", answer=""), "正确答案 is empty: give the accepted answers of each blank"),
        (row("填空题", "x", answer="a||b"), "blank 2 has no accepted answer"),
        (row("简答题", "x", answer=""), "a short answer needs its key points"),
        (
            row("判断题", "x", answer="对", difficulty="超难"),
            "difficulty (难度) '超难' is not one of 易/中/难",
        ),
        (row("判断题", "x", answer="对", points="两分"), "points '两分' is not a number"),
        (row("判断题", "x", answer="对", points=-1), "points must be a positive number"),
    ],
)
def test_excel_bad_rows_are_reported_and_the_rest_imported(bad, reason):
    result = import_excel(workbook_bytes([GOOD_ROWS[0], bad, GOOD_ROWS[2]]))
    assert len(result.problems) == 1
    assert result.problems[0].location == "row 3"
    assert reason in result.problems[0].reason
    assert [iq.location for iq in result.questions] == ["row 2", "row 4"]


def test_excel_header_aliases_blank_rows_and_true_false_words():
    header = ["类型", "题干", "A", "B", "答案", "知识点", "分数"]
    rows = [["单选", "x?", "a", "b", "ｂ", "模块一", 3], [None] * 7, ["判断", "y?", None, None, "√", "", ""]]
    result = import_excel(workbook_bytes(rows, header=header, sheet="Sheet1"))
    assert result.problems == []
    (sc, loc1), (tf, loc2) = [(iq.question, iq.location) for iq in result.questions]
    assert sc.correct_ids == {"B"} and sc.topic == "模块一" and sc.points == D(3)
    assert tf.answer is True and (loc1, loc2) == ("row 2", "row 4")


def test_excel_missing_columns_and_unreadable_files():
    result = import_excel(workbook_bytes([["x"]], header=["题型", "题目"]))
    assert [str(p) for p in result.problems] == [
        "row 1: missing column 正确答案 (the header row must name the columns)"
    ]
    junk = import_excel(b"this is not a workbook")
    assert junk.problems[0].location == "file" and "not a readable .xlsx workbook" in junk.problems[0].reason


def test_excel_round_trip_and_reimport_never_duplicates():
    first = import_excel(workbook_bytes(GOOD_ROWS))
    buf = io.BytesIO()
    assert export_excel([iq.question for iq in first.questions], buf) == []
    again = import_excel(buf.getvalue())
    assert [iq.question for iq in again.questions] == [iq.question for iq in first.questions]
    new, dup = again.split_new(existing={iq.fingerprint for iq in first.questions})
    assert new == [] and len(dup) == 6
    doubled = import_excel(workbook_bytes(GOOD_ROWS + GOOD_ROWS[:2]))
    new, dup = doubled.split_new()
    assert len(new) == 6 and [d.location for d in dup] == ["row 8", "row 9"]


def test_excel_export_reports_questions_that_do_not_fit():
    seven = SingleChoice(
        key="q7", stem="s", options=tuple(Option(id=c, text=c, correct=c == "A") for c in "ABCDEFG")
    )
    problems = export_excel([seven], io.BytesIO())
    assert [str(p) for p in problems] == ["question q7: has 7 options; the template holds six (A..F)"]


# ---------------------------------------------------------------- GIFT

GIFT = r"""// ServiceCoach question bank
$CATEGORY: $course$/培训/投诉处理

// [tag:物流]
// [difficulty:hard]
// [points:2]
::Q1:: 客户投诉物流延误，首先应该？ {
  =安抚情绪并致歉#正确
  ~直接转接#不妥
  ~挂断电话
  ####先处理情绪，再处理事情
}

::Q2:: 1 + 1 \= 2 {T}

::Q3:: [html]哪些是礼貌用语？ {
  ~%50%您好
  ~%50%请稍等
  ~%-100%喂
}

服务热线号码是 {=95588 =９５５８８} 。

$CATEGORY: $course$/服务规范
// [keypoints:致歉;道歉(2)|记录问题]
::Q5:: 投诉处理的步骤？ {}

::Q6::论述服务意识 {}

::Q7:: 转义 \{ \} \~ \# \: 与换行\n第二行 {F}
"""


def test_gift_reads_the_common_subset():
    result = import_gift(GIFT)
    assert result.problems == []
    by_key = {iq.question.key: iq for iq in result.questions}
    q1 = by_key["Q1"].question
    assert isinstance(q1, SingleChoice) and q1.correct_ids == {"A"}
    assert q1.topic == "投诉处理" and q1.tags == ("物流",) and q1.difficulty is Difficulty.HARD
    assert q1.points == D(2) and q1.explanation == "先处理情绪，再处理事情"
    assert q1.options[0].feedback == "正确" and q1.options[1].feedback == "不妥"
    assert by_key["Q1"].location == "line 7"
    assert isinstance(by_key["Q2"].question, TrueFalse) and by_key["Q2"].question.stem == "1 + 1 = 2"
    q3 = by_key["Q3"].question
    assert isinstance(q3, MultipleChoice) and q3.correct_ids == {"A", "B"}
    assert [o.fraction for o in q3.options] == [D("0.5"), D("0.5"), D(-1)]
    assert q3.stem == "哪些是礼貌用语？"
    fill = next(iq.question for iq in result.questions if isinstance(iq.question, FillInBlank))
    assert fill.stem == "服务热线号码是 _____ 。" and fill.blanks[0].accepted == ("95588", "９５５８８")
    q5 = by_key["Q5"].question
    assert isinstance(q5, ShortAnswer) and q5.topic == "服务规范" and q5.key_points[0].weight == D(2)
    assert isinstance(by_key["Q6"].question, Essay)
    q7 = by_key["Q7"].question
    assert q7.stem == "转义 { } ~ # : 与换行\n第二行" and q7.answer is False


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("::a:: no braces here", "line 1: no answer block { ... } found (an essay is written {})"),
        ("\n\n::a:: open {\n=x\n~y", "line 3: the answer block opened with { is not closed with }"),
        ("::a:: 配对 {\n=a -> b\n=c -> d\n}", "line 1: matching questions (->) are not supported"),
        ("::a:: 数字 {#3:1}", "line 1: numerical questions ({#...}) are not supported"),
        ("::a:: two right {=a =b ~c}", "a choice question needs exactly one = answer"),
        ("::a:: lead {text =a ~b}", "line 1: text 'text' before the first answer"),
        ("::a:: empty {=a ~}", "line 1: an answer is empty"),
        ("::a:: weight {~%abc%a ~b}", "line 1: weight %abc% is not a number"),
        ("::a:: weight {~%50a ~b}", "a weight opened with % is not closed"),
        ("::a:: mix {=a ~%50%b}", "mixes = with weighted ~%n% answers"),
        ("::a:: partial {=a =%50%b}", "partial credit on short-answer"),
        ("::a {T}", "the title opened with :: is not closed with ::"),
        ("::a:: {T}", "the question text before { is empty"),
        ("// [difficulty:极难]\n::a:: x {T}", "line 1: difficulty (难度) '极难' is not one of"),
    ],
)
def test_gift_malformed_questions_are_reported_and_the_rest_imported(text, problem):
    result = import_gift(text + "\n\n::ok:: 正常题 {T}\n")
    assert len(result.problems) == 1, result.problems
    assert problem in str(result.problems[0])
    assert [iq.question.key for iq in result.questions] == ["ok"]


def test_gift_error_line_points_into_the_question():
    text = "::a:: first {T}\n\n// c\n::b:: multi\nline {\n=a\n~b\n~%x%c\n}\n"
    result = import_gift(text)
    assert [str(p) for p in result.problems] == ["line 8: weight %x% is not a number"]


def test_gift_round_trip():
    first = import_gift(GIFT)
    text, problems = export_gift([iq.question for iq in first.questions])
    assert problems == []
    again = import_gift(text)
    assert again.problems == []
    assert [iq.fingerprint for iq in again.questions] == [iq.fingerprint for iq in first.questions]
    for a, b in zip(first.questions, again.questions):
        qa, qb = a.question, b.question
        assert (qa.key, qa.stem, qa.topic, qa.difficulty, qa.points, qa.tags, qa.explanation) == (
            qb.key,
            qb.stem,
            qb.topic,
            qb.difficulty,
            qb.points,
            qb.tags,
            qb.explanation,
        )
    assert again.split_new({iq.fingerprint for iq in first.questions}) == ([], again.questions)


def test_gift_export_of_questions_gift_cannot_hold():
    two_blanks = FillInBlank(key="f2", stem="x", blanks=(Blank(accepted=("a",)), Blank(accepted=("b",))))
    text, problems = export_gift([two_blanks, TrueFalse(key="t", stem="y")])
    assert [str(p) for p in problems] == ["question f2: GIFT holds one blank per question; this has 2"]
    assert "::t::y {TRUE}" in text


def test_gift_multiple_choice_without_fractions_exports_moodle_weights():
    mc = MultipleChoice(
        key="m",
        stem="s",
        options=(
            Option(id="A", text="a", correct=True),
            Option(id="B", text="b", correct=True),
            Option(id="C", text="c"),
        ),
    )
    text, _ = export_gift([mc])
    assert "~%50%a" in text and "~%-50%c" in text
    (iq,) = import_gift(text).questions
    assert iq.question.correct_ids == {"A", "B"} and iq.fingerprint == mc.fingerprint()


@given(st.text(alphabet=st.sampled_from("ab\\{}=~#:%\n ->[]"), max_size=40))
def test_gift_escape_round_trips(text):
    assert gift_unescape(gift_escape(text)) == text


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from("::{}=~#%$\\/ab \n\nT1ABCDANSWER.)"), max_size=120))
def test_parsers_never_crash_on_garbage(text):
    for result in (import_gift(text), import_aiken(text)):
        for p in result.problems:
            assert p.location.startswith(("line ", "file")) and p.reason


# ---------------------------------------------------------------- Aiken

AIKEN = """客户来电投诉物流延误，首先应当？
A. 安抚情绪并致歉
B. 直接转接
C) 挂断电话
ANSWER: A
哪些是礼貌用语？
A. 您好
B. 请稍等
C. 喂
ANSWER: A, B

热线号码是？
A. 95588
B. 110
ANSWER: A
"""


def test_aiken_reads_questions_with_and_without_blank_lines():
    result = import_aiken(AIKEN, topic="投诉处理")
    assert result.problems == []
    a, b, c = (iq.question for iq in result.questions)
    assert isinstance(a, SingleChoice) and a.correct_ids == {"A"} and a.options[2].text == "挂断电话"
    assert isinstance(b, MultipleChoice) and b.correct_ids == {"A", "B"}
    assert c.topic == "投诉处理"
    assert [iq.location for iq in result.questions] == ["line 1", "line 6", "line 12"]


def test_aiken_malformed_questions():
    text = (
        "Q1?\nA. a\nB b\nANSWER: A\n"  # line 3 is not an option line
        "Q2?\nA. a\nC. c\nANSWER: A\n"  # line 7 skips B
        "Q3?\nA. a\nB. b\nANSWER: D\n"  # line 12: D is not an option
        "Q4?\nA. a\nB. b\n\n"  # no ANSWER line before the blank line 16
        "A. a\nB. b\nANSWER: A\n"  # no question text (line 17)
        "Q6?\nA. only one\nANSWER: A\n"  # line 20: one option
        "Q7?\nA. a\nB. b\nANSWER: B\n"
    )
    result = import_aiken(text)
    assert [str(p) for p in result.problems] == [
        'line 3: option line must look like "B. text"',
        "line 7: option C out of order: expected B",
        "line 12: ANSWER: 'D' is not one of the options (A, B)",
        "line 16: blank line before the ANSWER: line",
        "line 17: the question text is missing before the options",
        "line 20: needs at least two options, has 1",
    ]
    assert [iq.question.stem for iq in result.questions] == ["Q7?"]
    truncated = import_aiken("Q?\nA. a\nB. b")
    assert [str(p) for p in truncated.problems] == ["line 1: the question has no ANSWER: line"]


def test_aiken_round_trip_and_export_limits():
    first = import_aiken(AIKEN)
    text, problems = export_aiken([iq.question for iq in first.questions] + [TrueFalse(key="t", stem="s")])
    assert [str(p) for p in problems] == ["question t: Aiken holds choice questions only, not true false"]
    again = import_aiken(text)
    assert [iq.fingerprint for iq in again.questions] == [iq.fingerprint for iq in first.questions]


def test_uploaded_text_in_utf8_with_bom_or_gbk_is_decoded():
    for data in (AIKEN.encode("utf-8"), b"\xef\xbb\xbf" + AIKEN.encode("utf-8"), AIKEN.encode("gbk")):
        result = import_aiken(decode_text(data))
        assert (
            result.problems == [] and result.questions[0].question.stem == "客户来电投诉物流延误，首先应当？"
        )
    assert import_gift("\ufeff::a:: x {T}").questions[0].question.key == "a"


GIFT_TEXT = st.text(alphabet=st.sampled_from("ab中文\\{}=~#:%[]->/ \n"), min_size=1, max_size=12).filter(
    lambda t: t.strip() != ""
)


@st.composite
def gift_questions(draw):
    key = draw(st.text(alphabet=st.sampled_from("qk1:{}#"), min_size=1, max_size=6))
    common = dict(
        key=key,
        stem=draw(GIFT_TEXT),
        topic=draw(st.sampled_from(["", "投诉处理", "产品知识"])),
        difficulty=draw(st.sampled_from(list(Difficulty))),
        points=draw(st.sampled_from([D(1), D(2), D("2.5")])),
        explanation=draw(st.sampled_from(["", "解析 # 与 {}"])),
    )
    kind = draw(st.sampled_from(["sc", "mc", "tf", "fill", "essay"]))
    if kind == "tf":
        return TrueFalse(answer=draw(st.booleans()), **common)
    if kind == "essay":
        return Essay(**common)
    if kind == "fill":
        return FillInBlank(
            blanks=(Blank(accepted=tuple(draw(st.lists(GIFT_TEXT, min_size=1, max_size=3)))),), **common
        )
    texts = draw(st.lists(GIFT_TEXT, min_size=2, max_size=5, unique_by=lambda t: " ".join(t.split())))
    correct = draw(
        st.sets(st.integers(0, len(texts) - 1), min_size=1, max_size=1 if kind == "sc" else len(texts))
    )
    options = tuple(Option(id="ABCDE"[i], text=t, correct=i in correct) for i, t in enumerate(texts))
    return (SingleChoice if kind == "sc" else MultipleChoice)(options=options, **common)


@settings(max_examples=120, deadline=None)
@given(st.lists(gift_questions(), min_size=1, max_size=4, unique_by=lambda q: q.key))
def test_gift_round_trip_of_random_questions(questions):
    text, problems = export_gift(questions)
    assert problems == []
    result = import_gift(text)
    assert result.problems == [], text
    assert [iq.question.key for iq in result.questions] == [q.key for q in questions]
    assert [iq.fingerprint for iq in result.questions] == [q.fingerprint() for q in questions]
    for q, iq in zip(questions, result.questions):
        got = iq.question
        assert (got.topic, got.difficulty, got.points) == (q.topic, q.difficulty, q.points)


EXCEL_TEXT = st.text(alphabet=st.sampled_from("ab中文=+-%()（）[]{}#:/ \n"), min_size=1, max_size=10).filter(
    lambda t: t.strip() != ""
)


@st.composite
def excel_questions(draw):
    common = dict(
        key="",
        stem=draw(EXCEL_TEXT),
        topic=draw(st.sampled_from(["", "投诉处理"])),
        difficulty=draw(st.sampled_from(list(Difficulty))),
        points=draw(st.sampled_from([D(1), D(3), D("0.5")])),
        tags=tuple(draw(st.lists(st.sampled_from(["物流", "安抚", "x"]), unique=True, max_size=2))),
        explanation=draw(st.sampled_from(["", "=解析"])),
    )
    kind = draw(st.sampled_from(["sc", "mc", "tf", "fill", "short", "essay"]))
    if kind == "tf":
        return TrueFalse(answer=draw(st.booleans()), **common)
    if kind == "essay":
        return Essay(reference_answer=draw(st.sampled_from(["", "参考"])), **common)
    if kind == "fill":
        blanks = draw(st.lists(st.lists(EXCEL_TEXT, min_size=1, max_size=2), min_size=1, max_size=3))
        return FillInBlank(
            blanks=tuple(Blank(accepted=tuple(a.strip() for a in b)) for b in blanks), **common
        )
    if kind == "short":
        kps = draw(
            st.lists(st.sampled_from(["致歉", "记录问题", "时效"]), min_size=1, max_size=3, unique=True)
        )
        return ShortAnswer(
            key_points=tuple(
                KeyPoint(id=f"K{i + 1}", text=t, weight=draw(st.sampled_from([D(1), D(2)])))
                for i, t in enumerate(kps)
            ),
            **common,
        )
    texts = draw(st.lists(EXCEL_TEXT, min_size=2, max_size=6))
    correct = draw(st.sets(st.integers(0, len(texts) - 1), min_size=1, max_size=1 if kind == "sc" else 6))
    options = tuple(Option(id="ABCDEF"[i], text=t.strip(), correct=i in correct) for i, t in enumerate(texts))
    return (SingleChoice if kind == "sc" else MultipleChoice)(options=options, **common)


@settings(max_examples=40, deadline=None)
@given(st.lists(excel_questions(), min_size=1, max_size=5))
def test_excel_round_trip_of_random_questions(questions):
    buf = io.BytesIO()
    assert export_excel(questions, buf) == []
    result = import_excel(buf.getvalue())
    assert result.problems == []
    assert [iq.fingerprint for iq in result.questions] == [q.fingerprint() for q in questions]
    for q, iq in zip(questions, result.questions):
        got = iq.question
        assert (got.topic, got.difficulty, got.points, got.tags, got.explanation) == (
            q.topic,
            q.difficulty,
            q.points,
            q.tags,
            q.explanation.strip(),
        )


def test_answers_containing_the_templates_separators_are_refused_on_export():
    fill = FillInBlank(key="f", stem="s", blanks=(Blank(accepted=("a|b",)),))
    tagged = TrueFalse(key="t", stem="s", tags=("物流,安抚",))
    short = ShortAnswer(key="k", stem="s", key_points=(KeyPoint(id="K1", text="第(2)"),))
    problems = export_excel([fill, tagged, short], io.BytesIO())
    assert [str(p) for p in problems] == [
        "question f: blank 1 answer 'a|b' contains | or ;, which separate answers in this format",
        "question t: tag '物流,安抚' contains a separator (, ， 、 ; ；) of the 标签 column",
        "question k: key point K1: '第(2)' ends like a weight (n) and would be read as one",
    ]
    _, gift_problems = export_gift([short])
    assert [p.location for p in gift_problems] == ["question k"]
