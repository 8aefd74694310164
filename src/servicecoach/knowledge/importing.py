"""Import articles from Excel (FAQ rows) and Markdown, export to Excel. The formats are in docs/knowledge.md.

An import is all or nothing: every row (or Markdown article) is checked first; if any is wrong, nothing is
stored and every mistake is reported with its row or line and the reason. Importing the same file again
changes nothing: an article is found again by its kind and title (normalised), and one whose content is the
same gets no new version.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

import yaml
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from servicecoach.knowledge import kinds, services
from servicecoach.knowledge.engine.analysis import normalise
from servicecoach.knowledge.models import Article, Kind, Status
from servicecoach.org.models import User

MAX_ROWS = 5000
MAX_BYTES = 10 * 1024 * 1024

COLUMNS = {
    "question": ("question", "问题", "标题", "title"),
    "answer": ("answer", "答案", "回答"),
    "category": ("category", "分类", "类别"),
    "similar": ("similar", "similar phrasings", "相似问法", "相似问题"),
    "tags": ("tags", "tag", "标签"),
}
REQUIRED_COLUMNS = ("question", "answer")


@dataclass
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass
class Candidate:
    where: str
    kind: str
    title: str
    fields: dict
    category: str = ""
    tags: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    source: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def import_key(kind: str, title: str) -> str:
    return f"{kind}:{''.join(normalise(title).split())}"[:255]


def _split_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [p for p in re.split(r"[,，;；、\s]+", str(value)) if p]


def _row(where: str, number: int) -> str:
    return _("%(where)s, row %(row)s") % {"where": where, "row": number}


def _line(name: str, number: int) -> str:
    return _("%(file)s, line %(line)s") % {"file": name, "line": number}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# ---------------------------------------------------------------- Excel


def read_excel(data: bytes, *, name: str = "workbook.xlsx") -> tuple[list[Candidate], list[Problem]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a file that is not a workbook
        return [], [Problem(name, _("This is not an Excel workbook (.xlsx) that can be read."))]
    sheet = workbook["FAQ"] if "FAQ" in workbook.sheetnames else workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None)
    where = _("%(file)s, sheet “%(sheet)s”") % {"file": name, "sheet": sheet.title}
    if header is None:
        return [], [Problem(where, _("The sheet is empty."))]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        text = _cell(title).lower()
        for key, aliases in COLUMNS.items():
            if text in aliases and key not in columns:
                columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS if key not in columns]
    if missing:
        return [], [Problem(_row(where, 1), _("Missing column(s): %(names)s. The first row must name the "
                                                          "columns question, answer and category (or 问题, 答案, 分类).")
                            % {"names": ", ".join(missing)})]
    candidates: list[Candidate] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            problems.append(Problem(where, _("More than %(n)s rows: split the file.") % {"n": MAX_ROWS}))
            break
        values = {key: _cell(row[i]) if i < len(row) else "" for key, i in columns.items()}
        if not any(values.values()):
            continue
        at = _row(where, number)
        question, answer = values.get("question", ""), values.get("answer", "")
        if not question:
            problems.append(Problem(at, _("The question is empty.")))
            continue
        if not answer:
            problems.append(Problem(at, _("The answer is empty.")))
            continue
        if len(question) > 200:
            problems.append(Problem(at, _("The question is longer than 200 characters.")))
            continue
        if len(values.get("category", "")) > 80:
            problems.append(Problem(at, _("The category is longer than 80 characters.")))
            continue
        key = import_key(Kind.FAQ, question)
        if key in seen:
            problems.append(Problem(at, _("The same question as row %(row)s.") % {"row": seen[key]}))
            continue
        seen[key] = number
        similar = [s.strip() for s in re.split(r"[\n;；|]+", values.get("similar", "")) if s.strip()]
        candidates.append(Candidate(at, Kind.FAQ, question, {"answer": answer, "similar": similar},
                                    values.get("category", ""), _split_list(values.get("tags"))))
    return candidates, problems


# ---------------------------------------------------------------- Markdown

_HEADING = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")
_META = re.compile(r"^(category|分类|tags|标签)\s*[:：]\s*(.*)$", re.IGNORECASE)


def _labels(kind: str) -> dict[str, str]:
    """Every way a section heading may name a field of ``kind``: its key, its English and Chinese labels."""
    names: dict[str, str] = {}
    for spec in kinds.field_specs(kind):
        names[spec.name.lower()] = spec.name
        for alias in spec.aliases:
            names[alias] = spec.name
        for language in ("en", "zh-hans"):
            with translation.override(language):
                names[str(spec.label).lower()] = spec.name
    return names


def _choice_value(spec: kinds.FieldSpec, text: str) -> str:
    text = text.strip()
    if kinds.CHOICE_ALIASES.get(text) in {value for value, _ in spec.choices}:
        return kinds.CHOICE_ALIASES[text]
    for value, label in spec.choices:
        for language in ("en", "zh-hans"):
            with translation.override(language):
                if text.lower() in (value, str(label).lower()):
                    return value
    return text


def read_markdown(text: str, *, name: str = "articles.md") -> tuple[list[Candidate], list[Problem]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    problems: list[Problem] = []
    meta: dict = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            return [], [Problem(_line(name, 1), _("The front matter starting here is not closed by a "
                                                             "line “---”."))]
        try:
            meta = yaml.safe_load("\n".join(lines[1:end])) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            return [], [Problem(_line(name, line), _("The front matter is not valid YAML."))]
        if not isinstance(meta, dict):
            return [], [Problem(_line(name, 2), _("The front matter must be “key: value” lines."))]
        start = end + 1
    kind = str(meta.get("kind", Kind.FAQ)).strip().lower()
    if kind not in Kind.values:
        return [], [Problem(_line(name, 2), _("Unknown kind “%(kind)s”: use one of %(kinds)s.")
                            % {"kind": kind, "kinds": ", ".join(Kind.values)})]
    default_category = str(meta.get("category", "") or "").strip()
    default_tags = _split_list(meta.get("tags"))
    labels = _labels(kind)
    specs = {s.name: s for s in kinds.field_specs(kind)}

    # (line number, title, list of (line number, text)) per article
    articles: list[dict] = []
    if meta.get("title"):
        articles.append({"line": 1, "title": str(meta["title"]).strip(), "body": []})
    for number, line in enumerate(lines[start:], start=start + 1):
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1 and not meta.get("title"):
            articles.append({"line": number, "title": match.group(2).strip(), "body": []})
        elif articles:
            articles[-1]["body"].append((number, line))
        elif line.strip():
            problems.append(Problem(_line(name, number),
                                    _("Text before the first “# title” heading belongs to no article.")))
            break
    if not articles and not problems:
        problems.append(Problem(name, _("No article found: start each one with a “# title” heading, or give "
                                        "a title in the front matter.")))
    candidates: list[Candidate] = []
    seen: dict[str, int] = {}
    for article in articles:
        at = _line(name, article["line"])
        sections: dict[str, list[str]] = {}
        current = kinds.MAIN_FIELD[kind]
        category, tags, bad = default_category, list(default_tags), False
        preamble = True
        for number, line in article["body"]:
            heading = _HEADING.match(line)
            if heading and len(heading.group(1)) == 2:
                label = heading.group(2).strip().lower()
                if label not in labels:
                    problems.append(Problem(_line(name, number), _(
                        "Unknown section “%(label)s” for this kind; use one of: %(names)s.") % {
                        "label": heading.group(2).strip(),
                        "names": ", ".join(str(s.label) for s in kinds.field_specs(kind))}))
                    bad = True
                    break
                current, preamble = labels[label], False
                continue
            meta_line = _META.match(line.strip()) if preamble else None
            if meta_line:
                key, value = meta_line.group(1).lower(), meta_line.group(2).strip()
                if key in ("category", "分类"):
                    category = value
                else:
                    tags = _split_list(value)
                continue
            if line.strip():
                preamble = False
            sections.setdefault(current, []).append(line)
        if bad:
            continue
        fields: dict = {}
        for key, body in sections.items():
            value = "\n".join(body).strip()
            spec = specs[key]
            if spec.shape == "lines":
                fields[key] = [re.sub(r"^\s*[-*+]\s+", "", v).strip() for v in value.splitlines() if v.strip()]
            elif spec.shape == "choice":
                fields[key] = _choice_value(spec, value)
            else:
                fields[key] = value
        title = article["title"]
        if len(title) > 200:
            problems.append(Problem(at, _("The title is longer than 200 characters.")))
            continue
        try:
            fields = kinds.clean_fields(kind, fields)
        except Exception as error:  # ValidationError: name the field
            messages = getattr(error, "message_dict", {"": getattr(error, "messages", [str(error)])})
            for key, errors in messages.items():
                label = str(specs[key].label) if key in specs else key
                problems.append(Problem(at, f"{label}: {' '.join(errors)}" if label else " ".join(errors)))
            continue
        key = import_key(kind, title)
        if key in seen:
            problems.append(Problem(at, _("The same title as the article at line %(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = article["line"]
        candidates.append(Candidate(at, kind, title, fields, category, tags))
    return candidates, problems


# ---------------------------------------------------------------- storing


def import_file(*, data: bytes, name: str, actor: User | None) -> ImportResult:
    """Read an uploaded .xlsx or .md file and store its articles (all or nothing)."""
    result = ImportResult(source=name)
    lower = name.lower()
    if len(data) > MAX_BYTES:
        result.problems.append(Problem(name, _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}))
        return result
    if lower.endswith(".xlsx"):
        candidates, problems = read_excel(data, name=name)
    elif lower.endswith((".md", ".markdown", ".txt")):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            result.problems.append(Problem(name, _("The file is not UTF-8 text.")))
            return result
        candidates, problems = read_markdown(text, name=name)
    else:
        result.problems.append(Problem(name, _("Upload an Excel workbook (.xlsx) or a Markdown file (.md).")))
        return result
    result.problems = problems
    if problems:
        return result
    _store(candidates, actor=actor, result=result)
    return result


@transaction.atomic
def _store(candidates: list[Candidate], *, actor: User | None, result: ImportResult) -> None:
    for candidate in candidates:
        key = import_key(candidate.kind, candidate.title)
        article = Article.objects.filter(import_key=key).first()
        if article is None:
            for other in Article.objects.filter(kind=candidate.kind, title__iexact=candidate.title.strip()):
                if import_key(other.kind, other.title) == key:
                    article = other
                    break
        if article is None:
            services.article_create(kind=candidate.kind, title=candidate.title, fields=candidate.fields,
                                    author=actor, category=candidate.category, tags=candidate.tags,
                                    status=Status.PUBLISHED, note=_("Imported"), import_key=key)
            result.created += 1
            continue
        before = article.version
        article = services.article_update(article=article, author=actor, title=candidate.title,
                                          fields={**candidate.fields}, category=candidate.category,
                                          tags=candidate.tags, note=_("Imported"))
        if article.version != before:
            result.updated += 1
        else:
            result.unchanged += 1


# ---------------------------------------------------------------- export


def export_workbook(articles) -> bytes:
    """A workbook: sheet "FAQ" in the import format (so it can be edited and imported back) and a sheet of
    every article with its content as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    faq = workbook.active
    faq.title = "FAQ"
    faq.append(["question", "answer", "category", "similar", "tags"])
    every = workbook.create_sheet(_("All articles"))
    every.append([_("ID"), _("Kind"), _("Title"), _("Category"), _("Tags"), _("Status"), _("Owner"),
                  _("Review date"), _("Version"), _("Content")])
    for sheet in (faq, every):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    for article in articles:
        tags = " ".join(t.name for t in article.tags.all())
        category = article.category.name if article.category_id else ""
        if article.kind == Kind.FAQ:
            faq.append([article.title, article.fields.get("answer", ""), category,
                        "\n".join(article.fields.get("similar", [])), tags])
        every.append([article.pk, article.get_kind_display(), article.title, category, tags,
                      article.get_status_display(), article.owner.name if article.owner_id else "",
                      article.review_date, article.version, kinds.search_body(article.kind, article.fields)])
    for sheet, widths in ((faq, (40, 80, 16, 40, 24)), (every, (8, 12, 40, 16, 24, 10, 12, 12, 8, 80))):
        for letter, width in zip("ABCDEFGHIJ", widths, strict=False):
            sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def acknowledgement_workbook(request, report: dict) -> bytes:
    """Who has and has not acknowledged a request (the rows the reader may see), for chasing people up."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Acknowledgements")[:31]
    sheet.append([_("Employee number"), _("Name"), _("Unit"), _("Acknowledged"), _("Time")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in [*report["pending"], *report["done"]]:
        at = row.acknowledged_at
        sheet.append([row.person.employee_no, row.person.name, row.person.unit.name,
                      _("yes") if at else _("no"),
                      at.astimezone().replace(tzinfo=None) if at else None])
    for letter, width in zip("ABCDE", (14, 14, 20, 10, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
