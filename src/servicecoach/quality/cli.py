"""``servicecoach qa``: automatic quality inspection of conversation files, no database needed.

    servicecoach qa run --rules PACK [--scorecard CARD] INPUT... -o results.jsonl [--jobs N]
    servicecoach qa check PACK
    servicecoach qa explain --rules PACK [--scorecard CARD] INPUT --id ID

PACK is a built-in pack name (``zh``, ``en``) or a rule-set YAML file; a pack brings its default
scorecard. INPUT files are conversation-v1 JSON Lines, CSV or Excel (.xlsx).

Exit status: 0 every record scored; 1 some records were skipped (each named in the summary with
file:line and the reason); 2 usage error or a rule set / scorecard that does not load.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from .engine.readers import (
    JSONL_SUFFIXES,
    ConversationFormatError,
    ReadError,
    iter_jsonl_raw,
    parse_jsonl_records,
    read_conversations,
)
from .engine.rules import RuleError, load_ruleset
from .engine.scorecard import load_scorecard

PROG = "servicecoach qa"
CHUNK = 1024  # records per chunk: the batched evaluator's batch, a worker's unit of work
SCORE_BANDS = ((90, "90-100"), (80, "80-89"), (70, "70-79"), (60, "60-69"), (0, "0-59"))
BAND_MINIMUMS = tuple(float(minimum) for minimum, _ in SCORE_BANDS)
SKIPPED_SHOWN = 20


class UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit; we return 2 from main()
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Automatic quality inspection of conversation files.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="score every conversation of the input files")
    run.add_argument("--rules", required=True, help="rule set: zh, en or a YAML file")
    run.add_argument("--scorecard", help="scorecard YAML file (default: the rule set's own)")
    run.add_argument("inputs", nargs="+", metavar="INPUT", help=".jsonl, .csv or .xlsx files")
    run.add_argument("-o", "--output", required=True, help="results file (JSON Lines); - for standard output")
    run.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    run.add_argument("--csv-columns", help="CSV/Excel headers, e.g. id=conv_id,role=speaker,text=content,time=ts")
    run.add_argument("--backend", choices=("hyperscan", "ahocorasick", "python"), help=argparse.SUPPRESS)
    run.add_argument("--per-conversation", action="store_true", help=argparse.SUPPRESS)  # no batches (comparison)
    run.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                     help="progress bar on standard error (default: when it is a terminal)")

    check = sub.add_parser("check", help="validate a rule set and list its rules")
    check.add_argument("rules", metavar="PACK", help="rule set: zh, en or a YAML file")
    check.add_argument("--scorecard", help="also validate this scorecard against the rule set")

    explain = sub.add_parser("explain", help="show one conversation with its hits and its score worked out")
    explain.add_argument("--rules", required=True)
    explain.add_argument("--scorecard")
    explain.add_argument("input", metavar="INPUT")
    explain.add_argument("--id", required=True, help="the conversation's id")
    explain.add_argument("--csv-columns")
    explain.add_argument("--color", action=argparse.BooleanOptionalAction, default=None,
                         help="ANSI colours (default: when standard output is a terminal)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not argv or argv[0] in ("-h", "--help"):
        parser.print_help()
        return 0 if argv else 2
    try:
        args = parser.parse_args(argv)
        if args.command == "run":
            return cmd_run(args)
        if args.command == "check":
            return cmd_check(args)
        return cmd_explain(args)
    except UsageError as exc:
        print(f"{exc}\n(see: {PROG} {argv[0] if argv else ''} --help)", file=sys.stderr)
        return 2
    except RuleError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    except SystemExit as exc:  # --help of a subcommand
        return int(exc.code or 0)


def parse_csv_columns(text: str | None) -> dict[str, str] | None:
    if not text:
        return None
    mapping = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise UsageError(f"{PROG}: --csv-columns: {part!r} is not field=header (e.g. id=conv_id,role=speaker)")
        mapping[key.strip()] = value.strip()
    return mapping


def _check_inputs(paths: list[str]) -> None:
    for path in paths:
        if not Path(path).is_file():
            raise UsageError(f"{PROG}: input file not found: {path}")


# --------------------------------------------------------------------------- run: the work


_INSPECTOR: Any = None


_BATCHED = True


def _init_worker(rules: str, scorecard: str | None, backend: str | None, batched: bool = True) -> None:
    global _INSPECTOR, _BATCHED
    from .engine.results import Inspector

    _INSPECTOR = Inspector.load(rules, scorecard, backend=backend)
    _BATCHED = batched


@dataclass
class ChunkResult:
    output: bytes = b""
    ok: int = 0
    errors: list[tuple[str, int, str]] = field(default_factory=list)
    fired: Counter = field(default_factory=Counter)
    hits: Counter = field(default_factory=Counter)
    not_applicable: Counter = field(default_factory=Counter)
    bands: Counter = field(default_factory=Counter)
    red_lines: int = 0
    size: int = 0


def process_chunk(items: list[tuple]) -> ChunkResult:
    """Score one chunk of records: ``("raw", file, line, bytes)`` JSON lines, ``("conv", file,
    Conversation)`` or ``("error", ReadError)``. Runs in a worker process or in the main one."""
    from .engine.results import gc_paused

    with gc_paused():  # reading and scoring a chunk makes no reference cycles (engine/results.py)
        return _process_chunk(items)


def _process_chunk(items: list[tuple]) -> ChunkResult:
    from .engine.results import lines_of

    inspector = _INSPECTOR
    out = ChunkResult()
    convs: list[tuple[str, int, Any]] = []
    # the chunk's JSON lines read at once (with the compiled core when it is built: engine/native.py)
    parsed = iter(parse_jsonl_records([item[1:] for item in items if item[0] == "raw"]))
    for item in items:
        kind = item[0]
        if kind == "raw":
            _, name, number, raw = item
            out.size += len(raw) + 1
            conv = next(parsed)
            if isinstance(conv, ConversationFormatError):
                err = conv.to_read_error()
                out.errors.append((err.file, err.line, err.reason))
                continue
        elif kind == "conv":
            _, name, conv = item
            number = 0
        else:
            err = item[1]
            out.errors.append((err.file, err.line, err.reason))
            continue
        convs.append((name, number, conv))
    if _BATCHED and convs:
        try:
            done = inspector.inspect_lines_batch([c for _, _, c in convs], BAND_MINIMUMS)
        except Exception:  # noqa: BLE001 - one conversation at a time below names the one that fails
            done = None
        if done is not None:
            _add_lines(out, done)
            return out
    scored: list[Any] = []
    for name, number, conv in convs:
        try:
            scored.append(inspector.inspect_json(conv))
        except Exception as exc:  # a bug must not stop the other records; report it like a bad record
            out.errors.append((name, number, f"conversation {conv.id!r} could not be scored (please report "
                                             f"this): {type(exc).__name__}: {exc}"))
    _add_lines(out, lines_of(scored, BAND_MINIMUMS))
    return out


def _add_lines(out: ChunkResult, done: Any) -> None:
    """Add a chunk's :class:`.engine.results.ChunkLines` (its result lines and counts) to ``out``."""
    out.output = done.output
    out.ok += done.ok
    out.hits.update(done.hits)
    out.fired.update(done.fired)
    out.not_applicable.update(done.not_applicable)
    labels = [label for _, label in SCORE_BANDS] + ["no score"]
    out.bands.update({label: n for label, n in zip(labels, done.bands) if n})
    out.red_lines += done.red_lines


def iter_items(paths: list[str], csv_columns: dict[str, str] | None) -> Iterator[tuple]:
    for path in paths:
        if Path(path).suffix.lower() in JSONL_SUFFIXES:
            try:
                for number, raw in iter_jsonl_raw(path):
                    yield ("raw", path, number, raw)
            except OSError as exc:
                yield ("error", ReadError(path, 0, f"cannot read the file: {exc.strerror or exc}"))
        else:
            for record in read_conversations([path], csv_columns=csv_columns):
                yield ("error", record) if isinstance(record, ReadError) else ("conv", path, record)


def chunks(items: Iterator[tuple], size: int = CHUNK) -> Iterator[list[tuple]]:
    batch: list[tuple] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ordered_parallel(pool: Any, batches: Iterator[list[tuple]], window: int) -> Iterator[ChunkResult]:
    """Results of ``process_chunk`` over ``batches`` in input order, with at most ``window`` chunks in
    flight: unlike ``Pool.imap``, which reads its whole input ahead, memory stays flat."""
    pending: deque = deque()
    for batch in batches:
        pending.append(pool.apply_async(process_chunk, (batch,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


class Progress:
    """A one-line progress bar on standard error (no dependency)."""

    def __init__(self, total_bytes: int, stream: TextIO, enabled: bool):
        self.total = total_bytes
        self.stream = stream
        self.enabled = enabled
        self.start = time.monotonic()
        self.last = 0.0
        self.done_bytes = 0
        self.records = 0

    def update(self, records: int, size: int) -> None:
        self.records += records
        self.done_bytes += size
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.2:
            self.last = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self.start, 1e-9)
        rate = self.records / elapsed
        if self.total and self.done_bytes:
            frac = min(1.0, self.done_bytes / self.total)
            bar = "#" * int(frac * 30)
            head = f"[{bar:<30}] {frac * 100:5.1f}%"
        else:
            head = "[" + "." * (int(elapsed * 4) % 30) + "]"
        self.stream.write(f"\r{head} {self.records:,} conversations  {rate:,.0f}/s  {elapsed:.1f}s ")
        self.stream.flush()

    def finish(self) -> float:
        elapsed = time.monotonic() - self.start
        if self.enabled:
            self._draw(time.monotonic())
            self.stream.write("\n")
            self.stream.flush()
        return elapsed


def cmd_run(args: argparse.Namespace) -> int:
    if args.jobs < 1:
        raise UsageError(f"{PROG} run: --jobs must be 1 or more")
    csv_columns = parse_csv_columns(args.csv_columns)
    _check_inputs(args.inputs)
    try:
        read_conversations([], csv_columns=csv_columns)  # validates the column names
    except ValueError as exc:
        raise UsageError(f"{PROG} run: --csv-columns: {exc}") from None
    batched = not args.per_conversation
    _init_worker(args.rules, args.scorecard, args.backend, batched)  # also validates: RuleError -> exit 2
    inspector = _INSPECTOR
    to_stdout = args.output == "-"
    try:
        out = sys.stdout.buffer if to_stdout else open(args.output, "wb")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(f"{PROG} run: cannot write {args.output}: {exc.strerror or exc}") from None
    report = sys.stderr if to_stdout else sys.stdout
    show = sys.stderr.isatty() if args.progress is None else args.progress
    total = sum(Path(p).stat().st_size for p in args.inputs)
    progress = Progress(total, sys.stderr, show)
    summary = ChunkResult()
    try:
        batches = chunks(iter_items(args.inputs, csv_columns))
        if args.jobs == 1:
            results = map(process_chunk, batches)
            pool = None
        else:
            import multiprocessing

            pool = multiprocessing.get_context("fork" if os.name == "posix" else "spawn").Pool(
                args.jobs, initializer=_init_worker, initargs=(args.rules, args.scorecard, args.backend, batched)
            )
            results = ordered_parallel(pool, batches, window=4 * args.jobs)
        for part in results:
            out.write(part.output)
            summary.ok += part.ok
            summary.errors += part.errors
            summary.fired.update(part.fired)
            summary.hits.update(part.hits)
            summary.not_applicable.update(part.not_applicable)
            summary.bands.update(part.bands)
            summary.red_lines += part.red_lines
            progress.update(part.ok + len(part.errors), part.size)
        if pool is not None:
            pool.close()
            pool.join()
    finally:
        if not to_stdout:
            out.close()
        else:
            out.flush()
    elapsed = progress.finish()
    print_summary(report, summary, inspector, args, elapsed)
    return 1 if summary.errors else 0


def _table(rows: list[list[str]], stream: TextIO, right: set[int] = frozenset()) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else (cell if i == len(row) - 1 else cell.ljust(widths[i]))
            for i, cell in enumerate(row)
        ]
        stream.write("  " + "  ".join(cells).rstrip() + "\n")


def print_summary(stream: TextIO, s: ChunkResult, inspector: Any, args: argparse.Namespace, elapsed: float) -> None:
    rs, card = inspector.ruleset, inspector.scorecard
    total = s.ok + len(s.errors)
    rate = s.ok / elapsed if elapsed > 0 else 0.0
    w = stream.write
    w(f"\nAuto-QA: {s.ok:,} of {total:,} records scored, {len(s.errors):,} skipped, in {elapsed:.1f} s ({rate:,.0f}/s)\n")
    w(f"Rule set {rs.id} {rs.version}; scorecard {card.id} {card.version}; results: {args.output}\n\n")
    use_zh = rs.language == "zh"
    rows = [["rule", "fired", "hits", "N/A", "name"]]
    for rule in rs.rules:
        rows.append([
            rule.id, f"{s.fired[rule.id]:,}", f"{s.hits[rule.id]:,}", f"{s.not_applicable[rule.id]:,}",
            rule.name_zh if use_zh else rule.name_en,
        ])
    w("Hits per rule (fired = conversations where the rule held):\n")
    _table(rows, stream, right={1, 2, 3})
    w("\nScore distribution:\n")
    biggest = max(s.bands.values(), default=0) or 1
    bands = [label for _, label in SCORE_BANDS] + ["no score"]
    rows = [[label, f"{s.bands[label]:,}", "#" * round(40 * s.bands[label] / biggest)] for label in bands]
    _table(rows, stream, right={1})
    w(f"\nRed lines: {s.red_lines:,} conversation(s) failed a red-line item (score 0).\n")
    if s.errors:
        shown = s.errors[:SKIPPED_SHOWN]
        w(f"\nSkipped records: {len(s.errors):,} (exit status 1)" + (f"; first {SKIPPED_SHOWN} shown" if len(s.errors) > SKIPPED_SHOWN else "") + ":\n")
        for file, line, reason in shown:
            w(f"  {file}:{line}: {reason}\n")
    else:
        w("Skipped records: none.\n")
    stream.flush()


# --------------------------------------------------------------------------- check


def cmd_check(args: argparse.Namespace) -> int:
    rs = load_ruleset(args.rules)
    card_src = args.scorecard or rs.scorecard_path
    card = None
    if card_src is not None:
        card = load_scorecard(card_src)
        card.check_rules(rs)
    words = sum(len(alts) for rule in rs.rules for alts in _keyword_items(rule.condition))
    print(f"Rule set {rs.id} version {rs.version}: {len(rs.rules)} rules, {len(rs.synonyms)} synonym lists, {words} keyword entries — OK")
    if card is not None:
        items = sum(len(sec.items) for sec in card.sections)
        print(f"Scorecard {card.id} version {card.version}: {len(card.sections)} sections, {items} items — OK")
    print()
    rows = [["id", "category", "severity", "name (zh)", "name (en)"]]
    rows += [[r.id, r.category, r.severity, r.name_zh, r.name_en] for r in rs.rules]
    _table(rows, sys.stdout)
    return 0


def _keyword_items(node: Any) -> list:
    from .engine.rules import Keywords, iter_leaves

    return [alts for leaf in iter_leaves(node) if isinstance(leaf, Keywords) for alts in leaf.items]


# --------------------------------------------------------------------------- explain

_COLORS = ["\x1b[1;31m", "\x1b[1;33m", "\x1b[1;35m", "\x1b[1;36m", "\x1b[1;32m", "\x1b[1;34m"]
_RESET, _DIM, _BOLD = "\x1b[0m", "\x1b[2m", "\x1b[1m"


def highlight(text: str, spans: list[tuple[int, int, str]], color: bool, palette: dict[str, str]) -> str:
    """``text`` with each span marked: ANSI colours, or [[...]] when colours are off."""
    marks = sorted({(s, e) for s, e, _ in spans})
    merged: list[list[int]] = []
    for s, e in marks:
        if merged and s < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out.append(text[pos:s])
        rule = next(r for ss, ee, r in spans if ss < e and ee > s)
        out.append(f"{palette[rule]}{text[s:e]}{_RESET}" if color else f"[[{text[s:e]}]]")
        pos = e
    out.append(text[pos:])
    return "".join(out)


def cmd_explain(args: argparse.Namespace) -> int:
    from .engine.results import Inspector

    csv_columns = parse_csv_columns(args.csv_columns)
    _check_inputs([args.input])
    inspector = Inspector.load(args.rules, args.scorecard)
    conv = None
    for record in read_conversations([args.input], csv_columns=csv_columns):
        if not isinstance(record, ReadError) and record.id == args.id:
            conv = record
            break
    if conv is None:
        print(f"{PROG} explain: no readable conversation with id {args.id!r} in {args.input}", file=sys.stderr)
        return 2
    color = sys.stdout.isatty() if args.color is None else args.color
    outcome, scored, emotion = inspector.evaluate(conv)
    rs, card = inspector.ruleset, inspector.scorecard
    names = {r.id: (r.name_zh if rs.language == "zh" else r.name_en) for r in rs.rules}
    palette = {r.id: _COLORS[i % len(_COLORS)] for i, r in enumerate(rs.rules)}
    w = sys.stdout.write
    bold = (lambda t: f"{_BOLD}{t}{_RESET}") if color else (lambda t: t)
    w(bold(f"Conversation {conv.id}") + f"  source {conv.source}, channel {conv.channel}, {len(conv.messages)} messages\n")
    w(f"Rule set {rs.id} {rs.version}; scorecard {card.id} {card.version}\n\n")
    by_msg: dict[int, list[tuple[int, int, str]]] = {}
    for rule, mi, s, e, _text in outcome.hits:
        if mi is not None:
            by_msg.setdefault(mi, []).append((s, e, rule))
    per_msg = getattr(emotion, "per_message", None) or []
    for i, m in enumerate(conv.messages):
        when = f"{m.time:7.1f}s" if m.time is not None else "       -"
        emo = f"  emotion {per_msg[i]:.1f}" if m.role == "customer" and i < len(per_msg) and per_msg[i] else ""
        spans = by_msg.get(i, [])
        rules = sorted({r for _, _, r in spans})
        w(f"#{i:<3} {when} {m.role:<8} {highlight(m.text, spans, color, palette)}\n")
        if rules or emo:
            tag = ", ".join(f"{palette[r]}{r}{_RESET}" if color else r for r in rules)
            w(f"{'':19}{'<- ' + tag if tag else ''}{emo}\n")
    w("\n" + bold("Rules that held") + ":\n")
    fired = outcome.fired
    if not fired:
        w("  none\n")
    for rule in fired:
        spans = [h for h in outcome.hits if h[0] == rule]
        where = "; ".join(
            "conversation" if mi is None else f"#{mi} [{s}:{e}] {text!r}" for _r, mi, s, e, text in spans[:6]
        )
        more = f" (+{len(spans) - 6} more)" if len(spans) > 6 else ""
        w(f"  {rule:<26} {names[rule]}: {where}{more}\n")
    na = outcome.not_applicable
    w(f"\nNot applicable here ({len(na)}): {', '.join(na) or 'none'}\n")
    if emotion is not None:
        w(f"Customer emotion: {emotion.score:.2f} (0 = calm), trend {emotion.trend or 'n/a'}\n")
    w("\n" + bold("Score, item by item") + ":\n")
    item_names = {(sec.id, it.id): (it.name_zh if rs.language == "zh" else it.name_en) for sec in card.sections for it in sec.items}
    rows = [["section", "item", "earned", "points", "why", "name"]]
    for item in scored.items:
        if item["manual"]:
            why, earned = "human review", "-"
        elif not item["applicable"]:
            why, earned = "not applicable (out of the denominator)", "-"
        else:
            earned = f"{item['earned']:g}"
            verb = "fired" if item["rules"] else "did not fire"
            why = f"{', '.join(item['rules']) or ', '.join(_item_rules(card, item))} {verb}"
            if item["bonus"]:
                why += " (bonus)"
            if item["red_line"] and item["rules"]:
                why += " RED LINE"
        rows.append([item["section"], item["item"], earned, f"{item['points']:g}", why,
                     item_names[(item["section"], item["item"])]])
    _table(rows, sys.stdout, right={2, 3})
    if scored.red_line:
        w("\nA red-line item fired: the score is 0.\n")
    elif scored.score is None:
        w("\nNo item applies: no score.\n")
    else:
        w(f"\nScore = earned {scored.earned:g} / applicable {scored.applicable:g} x 100")
        w(f" = {scored.score:g} (capped at 100)" if scored.earned > scored.applicable else f" = {scored.score:g}")
        w(f", grade {scored.grade}\n")
    return 0


def _item_rules(card: Any, item: dict) -> tuple[str, ...]:
    for sec in card.sections:
        for it in sec.items:
            if sec.id == item["section"] and it.id == item["item"]:
                return it.rules
    return ()
