"""``servicecoach kpi``: KPI scorecards on spreadsheets, no database needed.

    servicecoach kpi templates [--template ID|FILE]
        the templates and each one's input columns (every header accepted for each)
    servicecoach kpi score --template ecommerce-cs --month 2026-10 DATA.xlsx [-o results.xlsx]
        score one month: DATA is .xlsx or .csv, one row per agent per month; rows of the month before
        feed month-over-month items. -o .xlsx or .csv (UTF-8 with BOM); without -o a ranking is printed.

Exit status: 0 all rows scored; 1 some rows were skipped (each reported with its row number and
reason on stderr, and in the workbook's 跳过的行 sheet); 2 usage errors (bad arguments, unreadable
file or template, no rows for the month).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .engine.rules import fmt
from .engine.scoring import score_month
from .engine.tables import (
    IDENTITY,
    TableError,
    parse_month,
    previous_month,
    read_table,
    write_csv,
    write_xlsx,
)
from .engine.template import Template, TemplateError, builtin_templates, get_template

KIND_WORDS = {"amount": "amount 金额", "count": "count 次数", "percent": "percent 百分比", "level": "level 等级"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit; we return 2 from main
        raise _Usage(f"{self.prog}: {message}")


class _Usage(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="servicecoach kpi", description=__doc__.split("\n\n")[0],
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    t = sub.add_parser("templates", help="list the templates and their input columns")
    t.add_argument("--template", help="only this template (built-in id or .yaml file)")
    s = sub.add_parser("score", help="score a month from an .xlsx or .csv file")
    s.add_argument("--template", required=True, help="built-in template id (e.g. ecommerce-cs) or a .yaml file")
    s.add_argument("--month", required=True, help="the month to score, e.g. 2026-10")
    s.add_argument("data", help="the figures: .xlsx or .csv, one row per agent per month")
    s.add_argument("-o", "--output", help="results file: .xlsx or .csv (default: print a ranking)")
    return parser


def describe(template: Template) -> list[str]:
    lines = [f"{template.id}  (version {template.version})  {template.name[0]} / {template.name[1]}",
             f"  max total {fmt(template.max_total)}; items: " + ", ".join(
                 f"{it.name[0]} {fmt(it.weight)}" for it in template.items),
             "  columns (any of the headers; a unit in brackets after a header is ignored):"]
    for key, (_, aliases) in IDENTITY.items():
        need = "required" if key == "agent" else "optional"
        lines.append(f"    {key:<20} {need:<16} {' | '.join(aliases)}")
    for fig in template.figures.values():
        extra = ""
        if fig.kind == "level":
            rating = template.rating_of(fig.id)
            if rating is not None:
                extra = "  levels: " + ", ".join(f"{lv.id}={lv.name[0]}" for lv in rating.levels)
        lines.append(f"    {fig.id:<20} {KIND_WORDS[fig.kind]:<16} {' | '.join(fig.headers())}{extra}")
    if template.uses_previous:
        lines.append("  month-over-month items read the previous month's rows of the same file")
    return lines


def cmd_templates(args: argparse.Namespace) -> int:
    templates = [get_template(args.template)] if args.template else list(builtin_templates().values())
    for i, t in enumerate(templates):
        if i:
            print()
        print("\n".join(describe(t)))
    return 0


def cmd_score(args: argparse.Namespace) -> int:
    month = parse_month(args.month)
    if month is None:
        raise _Usage(f"--month {args.month!r} is not a month: write it as 2026-10")
    out = Path(args.output) if args.output else None
    if out is not None and out.suffix.lower() not in (".xlsx", ".csv"):
        raise _Usage(f"-o {out}: give a .xlsx or .csv file name")
    template = get_template(args.template)
    sheet = read_table(args.data, template)
    for p in sheet.problems:
        print(p, file=sys.stderr)
    prev_month = previous_month(month)
    if sheet.has_month:
        current = [r for r in sheet.rows if r["month"] == month]
        previous = {r["agent"]: r for r in sheet.rows if r["month"] == prev_month}
        others = len(sheet.rows) - len(current) - len(previous)
    else:
        current, previous, others = sheet.rows, {}, 0
    if not current:
        months = sorted({r["month"] for r in sheet.rows if r.get("month")})
        found = f" (months in the file: {', '.join(months)})" if months else ""
        print(f"servicecoach kpi: {args.data}: no rows to score for {month}{found}", file=sys.stderr)
        return 2
    if sheet.missing_figures:
        affected = [it.name[1] for it in template.items if it.figures & {f.id for f in sheet.missing_figures}]
        print("note: no column for " + ", ".join(f"{f.name[0]} {f.name[1]}" for f in sheet.missing_figures)
              + f": these items score no data: {', '.join(affected)}", file=sys.stderr)
    if sheet.ignored_headers:
        print(f"note: columns not used: {', '.join(sheet.ignored_headers)}", file=sys.stderr)
    if others:
        print(f"note: {others} row(s) of other months ignored", file=sys.stderr)
    if template.uses_previous and not previous:
        print(f"note: no rows for {prev_month}: month-over-month items score no data", file=sys.stderr)
    unscored: dict[str, int] = {}
    for bad in sheet.skipped:
        if not sheet.has_month or bad.get("month") in (month, None):
            team = bad.get("team") or ""
            unscored[team] = unscored.get(team, 0) + 1
    results = score_month(template, current, previous=previous, month=month, unscored=unscored)
    incomplete = sum(1 for r in results if not r.complete)
    teams = len({r.team for r in results})
    if out is None:
        print(f"{'team':<12} {'rank':>4}  {'agent':<16} {'total':>7}  tier  missing")
        for r in results:
            print(f"{r.team:<12} {r.rank:>4}  {r.agent:<16} {fmt(r.total):>7}  {r.tier or '-':<4}  "
                  f"{', '.join(r.missing)}")
    elif out.suffix.lower() == ".csv":
        write_csv(out, template, results)
    else:
        write_xlsx(out, template, results, problems=sheet.problems, month=month)
    print(f"scored {len(results)} agent(s) in {teams} team(s) for {month} with {template.id} {template.version}"
          + (f"; {incomplete} with items of no data" if incomplete else "")
          + (f"; {len({p.row for p in sheet.problems})} row(s) skipped" if sheet.problems else "")
          + (f" → {out}" if out else ""))
    return 1 if sheet.problems else 0


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command == "templates":
            return cmd_templates(args)
        return cmd_score(args)
    except SystemExit as e:  # --help
        return int(e.code or 0)
    except _Usage as e:
        print(str(e), file=sys.stderr)
        print("usage: servicecoach kpi templates | servicecoach kpi score --template ID --month YYYY-MM DATA "
              "[-o OUT]", file=sys.stderr)
        return 2
    except (TemplateError, TableError) as e:
        print(f"servicecoach kpi: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"servicecoach kpi: {e}", file=sys.stderr)
        return 2
