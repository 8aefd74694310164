"""Question import and export: the Excel template, Moodle GIFT and Aiken (pure Python).

Every parser returns an ``ImportResult``: the questions it could read, each with where it came
from (``row 5`` / ``line 14``) and its content fingerprint, and one ``ImportProblem`` per bad
question naming the line/row and the rule broken. A bad question never stops the others.
``ImportResult.split_new(existing)`` separates questions already in the bank (same fingerprint)
from new ones, so re-importing a file never duplicates. Formats and examples:
docs/exams-engine.md.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from .questions import (
    Blank,
    Difficulty,
    Essay,
    FillInBlank,
    KeyPoint,
    MultipleChoice,
    Option,
    Question,
    QuestionError,
    QuestionType,
    ShortAnswer,
    SingleChoice,
    TrueFalse,
)

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class ImportProblem:
    location: str  # "row 5", "line 14"
    reason: str

    def __str__(self) -> str:
        return f"{self.location}: {self.reason}"


@dataclass(frozen=True)
class ImportedQuestion:
    question: Question
    location: str

    @property
    def fingerprint(self) -> str:
        return self.question.fingerprint()


@dataclass
class ImportResult:
    source: str
    questions: list[ImportedQuestion] = field(default_factory=list)
    problems: list[ImportProblem] = field(default_factory=list)

    def split_new(
        self, existing: Iterable[str] = ()
    ) -> tuple[list[ImportedQuestion], list[ImportedQuestion]]:
        """(new, duplicates): a question is a duplicate when its fingerprint is in ``existing``
        or an earlier question of the same file has it."""
        seen = set(existing)
        new, dup = [], []
        for iq in self.questions:
            fp = iq.fingerprint
            (dup if fp in seen else new).append(iq)
            seen.add(fp)
        return new, dup


class _Bad(Exception):
    """One question's problem; ``where`` overrides the question's own location when given."""

    def __init__(self, reason: str, where: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.where = where


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _finish(q: Question) -> Question:
    """Validate; a question without a title/id is keyed by its fingerprint's first 12 digits."""
    if not q.key:
        q = replace(q, key=q.fingerprint()[:12])
    q.validate()
    return q


def decode_text(data: bytes) -> str:
    """Text of an uploaded GIFT/Aiken file: UTF-8 (with or without BOM), else GB18030, which
    covers the GBK files Chinese Windows editors save by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


# --------------------------------------------------------------------------- shared vocab

TYPE_NAMES: dict[str, QuestionType] = {}
for _t, _names in {
    QuestionType.SINGLE_CHOICE: ("单选题", "单选", "单项选择题", "single choice", "single_choice"),
    QuestionType.MULTIPLE_CHOICE: (
        "多选题",
        "多选",
        "多项选择题",
        "不定项选择题",
        "multiple choice",
        "multiple_choice",
    ),
    QuestionType.TRUE_FALSE: ("判断题", "判断", "true/false", "true_false", "true false"),
    QuestionType.FILL_IN_BLANK: ("填空题", "填空", "fill in the blank", "fill_in_blank"),
    QuestionType.SHORT_ANSWER: ("简答题", "简答", "short answer", "short_answer"),
    QuestionType.ESSAY: ("论述题", "问答题", "问答", "论述", "案例分析题", "essay"),
}.items():
    for _n in _names:
        TYPE_NAMES[_n] = _t

TYPE_LABEL_ZH = {
    QuestionType.SINGLE_CHOICE: "单选题",
    QuestionType.MULTIPLE_CHOICE: "多选题",
    QuestionType.TRUE_FALSE: "判断题",
    QuestionType.FILL_IN_BLANK: "填空题",
    QuestionType.SHORT_ANSWER: "简答题",
    QuestionType.ESSAY: "论述题",
}

DIFFICULTY_NAMES = {
    "易": Difficulty.EASY, "简单": Difficulty.EASY, "容易": Difficulty.EASY, "easy": Difficulty.EASY,
    "中": Difficulty.MEDIUM, "中等": Difficulty.MEDIUM, "一般": Difficulty.MEDIUM, "medium": Difficulty.MEDIUM,
    "难": Difficulty.HARD, "困难": Difficulty.HARD, "较难": Difficulty.HARD, "hard": Difficulty.HARD,
}  # fmt: skip
DIFFICULTY_LABEL_ZH = {Difficulty.EASY: "易", Difficulty.MEDIUM: "中", Difficulty.HARD: "难"}

TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "t", "true", "是", "y", "yes", "1"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "x", "f", "false", "否", "n", "no", "0"}

_TAG_SPLIT = re.compile(r"[,，、;；]")
_WEIGHT = re.compile(r"^(.*?)[(（]\s*([0-9]+(?:\.[0-9]+)?)\s*[)）]\s*$", re.S)


def _difficulty(text: str) -> Difficulty:
    text = _nfkc(text).strip().lower()
    if not text:
        return Difficulty.MEDIUM
    try:
        return DIFFICULTY_NAMES[text]
    except KeyError:
        raise _Bad(f"difficulty (难度) {text!r} is not one of 易/中/难 (easy/medium/hard)") from None


def _points(text: str) -> Decimal:
    text = _nfkc(text).strip()
    if not text:
        return Decimal(1)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _Bad(f"points {text!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise _Bad(f"points must be a positive number, got {text!r}")
    return value


def _tags(text: str) -> tuple[str, ...]:
    return tuple(t.strip() for t in _TAG_SPLIT.split(text) if t.strip())


def parse_key_points(text: str) -> tuple[KeyPoint, ...]:
    """``致歉;道歉(2)|记录问题|告知处理时限;时效(1.5)``: key points separated by ``|``, each a
    text and its accepted phrasings separated by ``;``, with an optional weight in brackets."""
    points = []
    for i, part in enumerate(re.split(r"[|｜]", text), 1):
        part = part.strip()
        if not part:
            continue
        weight = Decimal(1)
        m = _WEIGHT.match(part)
        if m:
            part, weight = m.group(1).strip(), Decimal(m.group(2))
            if weight <= 0:
                raise _Bad(f"key point {i}: weight must be positive")
        phr = [p.strip() for p in re.split(r"[;；]", part) if p.strip()]
        if not phr:
            raise _Bad(f"key point {i} is empty")
        points.append(
            KeyPoint(id=f"K{len(points) + 1}", text=phr[0], weight=weight, phrasings=tuple(phr[1:]))
        )
    if not points:
        raise _Bad("a short answer needs its key points in the answer column, e.g. 致歉;道歉(2)|记录问题")
    return tuple(points)


_SEPARATORS = "|｜;；"


def _check_part(what: str, text: str) -> None:
    if any(ch in text for ch in _SEPARATORS):
        raise _Bad(f"{what} {text!r} contains | or ;, which separate answers in this format")


def format_key_points(points: Sequence[KeyPoint]) -> str:
    out = []
    for kp in points:
        for p in kp.all_phrasings:
            _check_part(f"key point {kp.id} phrasing", p)
        if _WEIGHT.match(kp.all_phrasings[-1]):
            raise _Bad(
                f"key point {kp.id}: {kp.all_phrasings[-1]!r} ends like a weight (n) and would be read as one"
            )
        text = ";".join(kp.all_phrasings)
        if kp.weight != 1:
            text += f"({_num(kp.weight)})"
        out.append(text)
    return "|".join(out)


def parse_blanks(text: str) -> tuple[Blank, ...]:
    """``客户;顾客|24小时``: blanks separated by ``|``, accepted answers of a blank by ``;``."""
    blanks = []
    for i, part in enumerate(re.split(r"[|｜]", text), 1):
        accepted = tuple(a.strip() for a in re.split(r"[;；]", part) if a.strip())
        if not accepted:
            raise _Bad(f"blank {i} has no accepted answer")
        blanks.append(Blank(accepted=accepted))
    return tuple(blanks)


def format_blanks(blanks: Sequence[Blank]) -> str:
    for i, b in enumerate(blanks, 1):
        for a in b.accepted:
            _check_part(f"blank {i} answer", a)
    return "|".join(";".join(b.accepted) for b in blanks)


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f")


# --------------------------------------------------------------------------- Excel template

EXCEL_COLUMNS = ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "选项E", "选项F",
                 "正确答案", "解析", "知识点/模块", "难度", "分值", "标签"]  # fmt: skip
EXCEL_SHEET = "题目"
EXCEL_HELP_SHEET = "填写说明"
_HEADER_ALIASES = {
    "题型": "题型", "题目类型": "题型", "类型": "题型",
    "题目": "题目", "题干": "题目", "题目内容": "题目",
    "正确答案": "正确答案", "答案": "正确答案", "标准答案": "正确答案",
    "解析": "解析", "答案解析": "解析", "试题解析": "解析",
    "知识点/模块": "知识点/模块", "知识点": "知识点/模块", "模块": "知识点/模块", "所属模块": "知识点/模块",
    "难度": "难度", "难易程度": "难度",
    "分值": "分值", "分数": "分值",
    "标签": "标签",
}  # fmt: skip
for _l in "ABCDEF":
    _HEADER_ALIASES[f"选项{_l}"] = f"选项{_l}"
    _HEADER_ALIASES[_l] = f"选项{_l}"

EXCEL_HELP = [
    ("题型", "单选题 / 多选题 / 判断题 / 填空题 / 简答题 / 论述题", "单选题"),
    ("题目", "题干文字，必填", "客户来电投诉物流延误，首先应当？"),
    ("选项A..选项F", "选择题的选项，至少两个，从A起连续填写；其他题型留空", "安抚情绪并致歉"),
    ("正确答案", "单选：B；多选：ABD；判断：正确/错误；填空：各空用 | 分隔，同一空的多个答案用 ; 分隔，如 客户;顾客|24小时；"
     "简答：要点用 | 分隔，同义说法用 ; 分隔，括号内为权重，如 致歉;道歉(2)|记录问题；论述：参考答案（可空）", "A"),
    ("解析", "考后展示给学员的解析，可空", ""),
    ("知识点/模块", "题目所属知识点或培训模块", "投诉处理"),
    ("难度", "易 / 中 / 难，空则为中", "中"),
    ("分值", "正数，空则为 1", "2"),
    ("标签", "多个标签用逗号或顿号分隔", "物流,安抚"),
]  # fmt: skip


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "正确" if value else "错误"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _choice_letters(text: str, available: str) -> list[str]:
    letters = [c for c in _nfkc(text).upper() if not c.isspace() and c not in ",，、;；/"]
    bad = [c for c in letters if c not in available]
    if not letters:
        raise _Bad("正确答案 is empty")
    if bad:
        raise _Bad(f"正确答案 {text!r}: {bad[0]!r} is not one of the options filled ({', '.join(available)})")
    if len(set(letters)) != len(letters):
        raise _Bad(f"正确答案 {text!r}: a letter is repeated")
    return letters


def _question_from_row(get) -> Question:
    raw_type = _nfkc(get("题型")).strip().lower()
    if not raw_type:
        raise _Bad("题型 is empty")
    qtype = TYPE_NAMES.get(raw_type)
    if qtype is None:
        raise _Bad(f"题型 {get('题型')!r} is not one of 单选题/多选题/判断题/填空题/简答题/论述题")
    stem = get("题目").strip()
    if not stem:
        raise _Bad("题目 is empty")
    meta = dict(
        key="",
        stem=stem,
        topic=get("知识点/模块").strip(),
        difficulty=_difficulty(get("难度")),
        points=_points(get("分值")),
        tags=_tags(get("标签")),
        explanation=get("解析").strip(),
    )
    answer = get("正确答案").strip()
    options_text = [get(f"选项{letter}").strip() for letter in "ABCDEF"]
    if qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
        filled = "".join(letter for letter, t in zip("ABCDEF", options_text) if t)
        if len(filled) < 2:
            raise _Bad("a choice question needs at least two options (选项A, 选项B, ...)")
        if filled != "ABCDEF"[: len(filled)]:
            gap = next(letter for letter in "ABCDEF"[: len(filled)] if letter not in filled)
            raise _Bad(
                f"选项{gap} is empty but a later option is filled: fill the options from A without gaps"
            )
        correct = _choice_letters(answer, filled)
        if qtype is QuestionType.SINGLE_CHOICE and len(correct) != 1:
            raise _Bad(f"正确答案 {answer!r}: a single choice question has exactly one correct option")
        options = tuple(
            Option(id=letter, text=t, correct=letter in correct) for letter, t in zip(filled, options_text)
        )
        cls = SingleChoice if qtype is QuestionType.SINGLE_CHOICE else MultipleChoice
        return _finish(cls(options=options, **meta))
    if any(options_text):
        raise _Bad(f"a {TYPE_LABEL_ZH[qtype]} has no options: leave 选项A..选项F empty")
    if qtype is QuestionType.TRUE_FALSE:
        word = _nfkc(answer).strip().lower()
        if word in TRUE_WORDS:
            return _finish(TrueFalse(answer=True, **meta))
        if word in FALSE_WORDS:
            return _finish(TrueFalse(answer=False, **meta))
        raise _Bad(f"正确答案 {answer!r}: a true/false answer must be 正确 or 错误")
    if qtype is QuestionType.FILL_IN_BLANK:
        if not answer:
            raise _Bad("正确答案 is empty: give the accepted answers of each blank")
        return _finish(FillInBlank(blanks=parse_blanks(answer), **meta))
    if qtype is QuestionType.SHORT_ANSWER:
        return _finish(ShortAnswer(key_points=parse_key_points(answer), **meta))
    return _finish(Essay(reference_answer=answer, **meta))


def import_excel(source: str | Path | BinaryIO | bytes) -> ImportResult:
    """Read the question template (sheet 题目, or the first sheet). Row numbers are Excel's."""
    import openpyxl

    name = str(source) if isinstance(source, str | Path) else "upload.xlsx"
    result = ImportResult(source=name)
    if isinstance(source, bytes):
        source = io.BytesIO(source)
    try:
        wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not xlsx
        result.problems.append(
            ImportProblem("file", f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})")
        )
        return result
    try:
        ws = wb[EXCEL_SHEET] if EXCEL_SHEET in wb.sheetnames else wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            result.problems.append(
                ImportProblem("row 1", "the sheet is empty: expected the header row 题型, 题目, ...")
            )
            return result
        columns: dict[str, int] = {}
        for idx, cell in enumerate(header):
            canon = _HEADER_ALIASES.get(_nfkc(_cell_text(cell)).replace(" ", ""))
            if canon and canon not in columns:
                columns[canon] = idx
        missing = [c for c in ("题型", "题目", "正确答案") if c not in columns]
        if missing:
            result.problems.append(
                ImportProblem(
                    "row 1", f"missing column {', '.join(missing)} (the header row must name the columns)"
                )
            )
            return result
        for n, row in enumerate(rows, start=2):
            if row is None or all(_cell_text(v) == "" for v in row):
                continue

            def get(col: str, row=row) -> str:
                idx = columns.get(col)
                return _cell_text(row[idx]) if idx is not None and idx < len(row) else ""

            try:
                q = _question_from_row(get)
            except (_Bad, QuestionError) as exc:
                result.problems.append(ImportProblem(f"row {n}", getattr(exc, "reason", str(exc))))
                continue
            result.questions.append(ImportedQuestion(q, f"row {n}"))
    finally:
        wb.close()
    return result


def _question_row(q: Question) -> list[str]:
    row = {c: "" for c in EXCEL_COLUMNS}
    row["题型"] = TYPE_LABEL_ZH[q.type]
    row["题目"] = q.stem
    row["解析"] = q.explanation
    row["知识点/模块"] = q.topic
    row["难度"] = DIFFICULTY_LABEL_ZH[Difficulty(q.difficulty)]
    row["分值"] = _num(q.points)
    for tag in q.tags:
        if _TAG_SPLIT.search(tag):
            raise _Bad(f"tag {tag!r} contains a separator (, ， 、 ; ；) of the 标签 column")
    row["标签"] = ",".join(q.tags)
    if isinstance(q, SingleChoice | MultipleChoice):
        if len(q.options) > 6:
            raise _Bad(f"has {len(q.options)} options; the template holds six (A..F)")
        correct = []
        for letter, opt in zip("ABCDEF", q.options):
            row[f"选项{letter}"] = opt.text
            if opt.correct:
                correct.append(letter)
        row["正确答案"] = "".join(correct)
    elif isinstance(q, TrueFalse):
        row["正确答案"] = "正确" if q.answer else "错误"
    elif isinstance(q, FillInBlank):
        row["正确答案"] = format_blanks(q.blanks)
    elif isinstance(q, ShortAnswer):
        row["正确答案"] = format_key_points(q.key_points)
    elif isinstance(q, Essay):
        row["正确答案"] = q.reference_answer
    return [row[c] for c in EXCEL_COLUMNS]


def _new_workbook(with_help: bool):
    import openpyxl
    from openpyxl.styles import Alignment, Font

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = EXCEL_SHEET
    ws.append(EXCEL_COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJKLMN", (10, 50, 22, 22, 22, 22, 16, 16, 24, 40, 16, 8, 8, 16)):
        ws.column_dimensions[letter].width = width
    if with_help:
        help_ws = wb.create_sheet(EXCEL_HELP_SHEET)
        help_ws.append(["列", "填写规则", "示例"])
        for cell in help_ws[1]:
            cell.font = Font(bold=True)
        for line in EXCEL_HELP:
            help_ws.append(list(line))
        help_ws.append([])
        help_ws.append(["说明", "每行一题；整行为空的行会被跳过。导入时逐行检查，出错的行会列出行号和原因，其余题目照常导入；"
                        "内容完全相同的题目（题型、题干、选项和答案相同）不会重复导入。"])  # fmt: skip
        help_ws.column_dimensions["A"].width = 14
        help_ws.column_dimensions["B"].width = 90
        help_ws.column_dimensions["C"].width = 30
        for row in help_ws.iter_rows(min_row=2):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return wb, ws


def write_excel_template(target: str | Path | BinaryIO) -> None:
    """The blank template: sheet 题目 with the header row, sheet 填写说明 with the rules."""
    wb, _ = _new_workbook(with_help=True)
    wb.save(target)


def export_excel(questions: Sequence[Question], target: str | Path | BinaryIO) -> list[ImportProblem]:
    """Write the questions in the template layout; questions that do not fit are listed."""
    wb, ws = _new_workbook(with_help=True)
    problems = []
    for q in questions:
        try:
            ws.append(_question_row(q))
        except _Bad as exc:
            problems.append(ImportProblem(f"question {q.key}", exc.reason))
            continue
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text such as "=5", not a formula
    wb.save(target)
    return problems


# --------------------------------------------------------------------------- GIFT

_GIFT_SPECIAL = "~=#{}:"
_META = re.compile(r"^//\s*\[(tag|id|difficulty|points|keypoints):(.*)\]\s*$")


def gift_escape(text: str) -> str:
    out = text.replace("\\", "\\\\")
    for ch in _GIFT_SPECIAL:
        out = out.replace(ch, "\\" + ch)
    # "->" would read as a matching question, a leading "%" as a weight, a leading "[html]" as
    # a format marker: escape them too (a backslash before any character keeps it literal).
    out = out.replace("->", "-\\>")
    body = out.lstrip()
    if body.startswith(("%", "[")):
        out = out[: len(out) - len(body)] + "\\" + body
    return out.replace("\n", "\\n")


def gift_unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _unescaped_positions(text: str, chars: str) -> list[int]:
    pos, i = [], 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] in chars:
            pos.append(i)
        i += 1
    return pos


def _find_unescaped(text: str, needle: str, start: int = 0) -> int:
    i = start
    while i <= len(text) - len(needle):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


@dataclass
class _Block:
    lines: list[tuple[int, str]]
    meta: list[tuple[str, str, int]]

    @property
    def text(self) -> str:
        return "\n".join(t for _, t in self.lines)

    def line_at(self, offset: int) -> int:
        pos = 0
        for n, t in self.lines:
            if offset <= pos + len(t):
                return n
            pos += len(t) + 1
        return self.lines[-1][0]


def _gift_blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[tuple[int, str]] = []
    meta: list[tuple[str, str, int]] = []
    pending: list[tuple[str, str, int]] = []
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("//"):
            m = _META.match(stripped)
            if m:
                (meta if current else pending).append((m.group(1), m.group(2).strip(), n))
            continue
        if not stripped:
            if current:
                blocks.append(_Block(current, meta))
                current, meta = [], []
            continue
        if not current:
            meta, pending = pending, []
        current.append((n, line.rstrip()))
    if current:
        blocks.append(_Block(current, meta))
    return blocks


def _parse_percent(text: str) -> tuple[Decimal | None, str]:
    if not text.startswith("%"):
        return None, text
    end = text.find("%", 1)
    if end < 0:
        raise _Bad("a weight opened with % is not closed, e.g. ~%50%answer")
    raw = text[1:end]
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise _Bad(f"weight %{raw}% is not a number") from None
    if not Decimal(-100) <= value <= Decimal(100):
        raise _Bad(f"weight %{raw}% must be between -100 and 100")
    return value / 100, text[end + 1 :]


def _gift_question(block: _Block, topic: str) -> Question:
    text = block.text.strip()
    title = ""
    body_from = 0
    if text.startswith("::"):
        end = _find_unescaped(text, "::", 2)
        if end < 0:
            raise _Bad("the title opened with :: is not closed with ::")
        title = gift_unescape(text[2:end]).strip()
        body_from = end + 2
    rest = text[body_from:].lstrip()
    offset_base = len(text) - len(rest)
    m = re.match(r"^\[(html|moodle|plain|markdown)\]", rest)
    if m:
        rest = rest[m.end() :]
        offset_base += m.end()
    open_at = _find_unescaped(rest, "{")
    if open_at < 0:
        raise _Bad("no answer block { ... } found (an essay is written {})")
    close_at = _find_unescaped(rest, "}", open_at + 1)
    if close_at < 0:
        raise _Bad(
            "the answer block opened with { is not closed with }",
            f"line {block.line_at(offset_base + open_at)}",
        )
    after = rest[close_at + 1 :].strip()
    stem_raw = rest[:open_at].strip() + (" _____ " + after if after else "")
    stem = gift_unescape(stem_raw).strip()
    if not stem:
        raise _Bad("the question text before { is empty")
    body = rest[open_at + 1 : close_at]
    body_line = block.line_at(offset_base + open_at)

    explanation = ""
    gf = _find_unescaped(body, "####")
    if gf >= 0:
        explanation = gift_unescape(body[gf + 4 :]).strip()
        body = body[:gf]

    meta: dict[str, object] = {"tags": []}
    for name, value, n in block.meta:
        if name == "tag":
            meta["tags"].append(value)
        elif name == "id":
            meta["id"] = value
        elif name == "difficulty":
            try:
                meta["difficulty"] = _difficulty(value)
            except _Bad as exc:
                raise _Bad(exc.reason, f"line {n}") from None
        elif name == "points":
            try:
                meta["points"] = _points(value)
            except _Bad as exc:
                raise _Bad(exc.reason, f"line {n}") from None
        elif name == "keypoints":
            try:
                meta["keypoints"] = parse_key_points(value)
            except _Bad as exc:
                raise _Bad(exc.reason, f"line {n}") from None
    common = dict(
        key=str(meta.get("id") or title),
        stem=stem,
        topic=topic,
        difficulty=meta.get("difficulty", Difficulty.MEDIUM),
        points=meta.get("points", Decimal(1)),
        tags=tuple(meta["tags"]),
        explanation=explanation,
    )
    stripped = body.strip()
    if not stripped:
        if "keypoints" in meta:
            return _finish(ShortAnswer(key_points=meta["keypoints"], **common))
        return _finish(Essay(**common))
    head = gift_unescape(stripped.split("#", 1)[0]).strip().upper()
    if head in {"T", "TRUE", "F", "FALSE"} and not _unescaped_positions(stripped, "=~"):
        return _finish(TrueFalse(answer=head.startswith("T"), **common))
    if stripped.startswith("#"):
        raise _Bad("numerical questions ({#...}) are not supported", f"line {body_line}")
    if _find_unescaped(body, "->") >= 0:
        raise _Bad("matching questions (->) are not supported", f"line {body_line}")
    marks = _unescaped_positions(body, "=~")
    if not marks:
        raise _Bad(
            "the answer block has no answers: start each with = (right) or ~ (wrong)", f"line {body_line}"
        )
    lead = body[: marks[0]].strip()
    if lead:
        raise _Bad(
            f"text {lead[:20]!r} before the first answer: answers start with = or ~", f"line {body_line}"
        )
    answers = []
    for i, pos in enumerate(marks):
        end = marks[i + 1] if i + 1 < len(marks) else len(body)
        chunk = body[pos + 1 : end].strip()
        where = f"line {block.line_at(offset_base + open_at + 1 + pos)}"
        try:
            weight, chunk = _parse_percent(chunk)
        except _Bad as exc:
            raise _Bad(exc.reason, where) from None
        fb_at = _find_unescaped(chunk, "#")
        feedback = gift_unescape(chunk[fb_at + 1 :]).strip() if fb_at >= 0 else ""
        answer_text = gift_unescape(chunk[:fb_at] if fb_at >= 0 else chunk).strip()
        if not answer_text:
            raise _Bad("an answer is empty", where)
        answers.append((body[pos], weight, answer_text, feedback, where))

    if all(a[0] == "=" for a in answers):
        for _marker, weight, _, _, where in answers:
            if weight is not None and weight != 1:
                raise _Bad(
                    "partial credit on short-answer (fill in the blank) answers is not supported", where
                )
        return _finish(FillInBlank(blanks=(Blank(accepted=tuple(a[2] for a in answers)),), **common))
    positive_tilde = any(a[0] == "~" and a[1] is not None and a[1] > 0 for a in answers)
    options = []
    if positive_tilde:
        if any(a[0] == "=" for a in answers):
            raise _Bad("mixes = with weighted ~%n% answers: a multiple choice question uses ~%n% only",
                       f"line {body_line}")  # fmt: skip
        for i, (_, weight, t, fb, _) in enumerate(answers):
            w = weight if weight is not None else Decimal(0)
            options.append(Option(id=LETTERS[i], text=t, correct=w > 0, fraction=w, feedback=fb))
        return _finish(MultipleChoice(options=tuple(options), **common))
    rights = [a for a in answers if a[0] == "="]
    if len(rights) != 1:
        raise _Bad(
            "a choice question needs exactly one = answer (or ~%n% weights for multiple choice); "
            f"this one has {len(rights)}",
            f"line {body_line}",
        )
    for i, (marker, _, t, fb, _) in enumerate(answers):
        options.append(Option(id=LETTERS[i], text=t, correct=marker == "=", feedback=fb))
    return _finish(SingleChoice(options=tuple(options), **common))


def import_gift(text: str, *, source: str = "upload.gift") -> ImportResult:
    result = ImportResult(source=source)
    topic = ""
    for block in _gift_blocks(text.lstrip("\ufeff")):
        first = block.lines[0][1].strip()
        if first.startswith("$CATEGORY:"):
            path = first[len("$CATEGORY:") :].strip()
            path = re.sub(r"^\$(course|system|module|cat\d*)\$/?", "", path)
            topic = path.rstrip("/").split("/")[-1].strip() if path else ""
            if len(block.lines) == 1:
                continue
            block = _Block(block.lines[1:], block.meta)
        start = block.lines[0][0]
        try:
            q = _gift_question(block, topic)
        except _Bad as exc:
            result.problems.append(ImportProblem(exc.where or f"line {start}", exc.reason))
            continue
        except QuestionError as exc:
            result.problems.append(ImportProblem(f"line {start}", str(exc)))
            continue
        result.questions.append(ImportedQuestion(q, f"line {start}"))
    return result


def _gift_fraction(value: Decimal) -> str:
    pct = (value * 100).quantize(Decimal("0.00001")).normalize()
    return format(pct, "f")


def export_gift(questions: Sequence[Question]) -> tuple[str, list[ImportProblem]]:
    """GIFT text for the questions; what GIFT cannot hold (several blanks) is listed instead."""
    out: list[str] = []
    problems = []
    topic: str | None = None
    for q in questions:
        if isinstance(q, FillInBlank) and len(q.blanks) > 1:
            problems.append(ImportProblem(f"question {q.key}", "GIFT holds one blank per question; this has "
                                          f"{len(q.blanks)}"))  # fmt: skip
            continue
        if q.topic != topic:
            topic = q.topic
            out.append(f"$CATEGORY: $course$/{topic}" if topic else "$CATEGORY: $course$/")
            out.append("")
        lines = []
        if q.difficulty != Difficulty.MEDIUM:
            lines.append(f"// [difficulty:{Difficulty(q.difficulty).value}]")
        if q.points != 1:
            lines.append(f"// [points:{_num(q.points)}]")
        lines.extend(f"// [tag:{t}]" for t in q.tags)
        if isinstance(q, ShortAnswer):
            try:
                lines.append(f"// [keypoints:{format_key_points(q.key_points)}]")
            except _Bad as exc:
                problems.append(ImportProblem(f"question {q.key}", exc.reason))
                continue
        general = f"####{gift_escape(q.explanation)}" if q.explanation else ""
        head = f"::{gift_escape(q.key)}::{gift_escape(q.stem)}"
        if isinstance(q, SingleChoice):
            body = [f"\t{'=' if o.correct else '~'}{gift_escape(o.text)}" + (f"#{gift_escape(o.feedback)}" if o.feedback else "")
                    for o in q.options]  # fmt: skip
            lines.append(head + " {")
            lines.extend(body)
            lines.append(f"\t{general}}}" if general else "}")
        elif isinstance(q, MultipleChoice):
            k = Decimal(len(q.correct_ids))
            lines.append(head + " {")
            for o in q.options:
                f = o.fraction if o.fraction is not None else (1 / k if o.correct else -1 / k)
                if o.correct and f <= 0:
                    f = 1 / k  # a correct option must carry a positive weight in GIFT
                fb = f"#{gift_escape(o.feedback)}" if o.feedback else ""
                lines.append(f"\t~%{_gift_fraction(f)}%{gift_escape(o.text)}{fb}")
            lines.append(f"\t{general}}}" if general else "}")
        elif isinstance(q, TrueFalse):
            lines.append(head + f" {{{'TRUE' if q.answer else 'FALSE'}{general}}}")
        elif isinstance(q, FillInBlank):
            accepted = " ".join(f"={gift_escape(a)}" for a in q.blanks[0].accepted)
            lines.append(head + f" {{{accepted}{general}}}")
        else:
            lines.append(head + f" {{{general}}}")
        out.extend(lines)
        out.append("")
    return "\n".join(out), problems


# --------------------------------------------------------------------------- Aiken

_AIKEN_OPTION = re.compile(r"^([A-Z])[.)、．]\s*(.+)$")
_AIKEN_ANSWER = re.compile(r"^ANSWER\s*[:：]\s*(.*)$", re.I)


def import_aiken(text: str, *, source: str = "upload.txt", topic: str = "") -> ImportResult:
    """Aiken: a question line, options ``A. text`` / ``A) text`` (letters in order from A), then
    ``ANSWER: B``. Extension: ``ANSWER: A,C`` makes a multiple choice question."""
    result = ImportResult(source=source)
    lines = text.lstrip("\ufeff").splitlines()
    i = 0
    n_lines = len(lines)

    def skip_to_next_question(j: int) -> int:
        # after an error: resume after this question's ANSWER line, or at the next blank line
        while j < n_lines:
            s = lines[j].strip()
            if _AIKEN_ANSWER.match(s):
                return j + 1
            if not s:
                return j
            j += 1
        return j

    while i < n_lines:
        if not lines[i].strip():
            i += 1
            continue
        start = i + 1
        stem_lines = []
        # the question text runs until the first option line
        while i < n_lines and lines[i].strip() and not _AIKEN_OPTION.match(lines[i].strip()):
            if _AIKEN_ANSWER.match(lines[i].strip()):
                break
            stem_lines.append(lines[i].strip())
            i += 1
        options: list[tuple[str, str]] = []
        error: ImportProblem | None = None
        answer_letters: list[str] | None = None
        while i < n_lines:
            s = lines[i].strip()
            if not s:
                error = ImportProblem(f"line {i + 1}", "blank line before the ANSWER: line")
                break
            m_answer = _AIKEN_ANSWER.match(s)
            if m_answer:
                raw = _nfkc(m_answer.group(1)).upper()
                letters = [c for c in raw if c not in " ,，、;；"]
                valid = "".join(o[0] for o in options)
                if not letters:
                    error = ImportProblem(f"line {i + 1}", "ANSWER: names no option")
                elif any(c not in valid for c in letters):
                    bad = next(c for c in letters if c not in valid)
                    error = ImportProblem(
                        f"line {i + 1}",
                        f"ANSWER: {bad!r} is not one of the options ({', '.join(valid) or 'none'})",
                    )
                else:
                    answer_letters = letters
                i += 1
                break
            m_opt = _AIKEN_OPTION.match(s)
            if not m_opt:
                error = ImportProblem(f"line {i + 1}", 'option line must look like "B. text"')
                break
            expected = LETTERS[len(options)]
            if m_opt.group(1) != expected:
                error = ImportProblem(
                    f"line {i + 1}", f"option {m_opt.group(1)} out of order: expected {expected}"
                )
                break
            options.append((m_opt.group(1), m_opt.group(2).strip()))
            i += 1
        else:
            error = ImportProblem(f"line {start}", "the question has no ANSWER: line")
        if error is None and answer_letters is None:
            error = ImportProblem(f"line {start}", "the question has no ANSWER: line")
        if error is None and not stem_lines:
            error = ImportProblem(f"line {start}", "the question text is missing before the options")
        if error is None and len(options) < 2:
            error = ImportProblem(f"line {start}", f"needs at least two options, has {len(options)}")
        if error is not None:
            result.problems.append(error)
            if not _AIKEN_ANSWER.match(lines[i - 1].strip() if i > 0 else ""):
                i = skip_to_next_question(i)
            continue
        opts = tuple(Option(id=letter, text=t, correct=letter in answer_letters) for letter, t in options)
        cls = SingleChoice if len(answer_letters) == 1 else MultipleChoice
        try:
            q = _finish(cls(key="", stem=" ".join(stem_lines), topic=topic, options=opts))
        except QuestionError as exc:
            result.problems.append(ImportProblem(f"line {start}", str(exc)))
            continue
        result.questions.append(ImportedQuestion(q, f"line {start}"))
    return result


def export_aiken(questions: Sequence[Question]) -> tuple[str, list[ImportProblem]]:
    out, problems = [], []
    for q in questions:
        if not isinstance(q, SingleChoice | MultipleChoice):
            problems.append(
                ImportProblem(f"question {q.key}", f"Aiken holds choice questions only, not {q.type.label}")
            )
            continue
        if len(q.options) > len(LETTERS):
            problems.append(ImportProblem(f"question {q.key}", "too many options for Aiken's letters"))
            continue
        out.append(" ".join(q.stem.split()))
        for letter, o in zip(LETTERS, q.options):
            out.append(f"{letter}. {' '.join(o.text.split())}")
        out.append("ANSWER: " + ",".join(letter for letter, o in zip(LETTERS, q.options) if o.correct))
        out.append("")
    return "\n".join(out), problems
