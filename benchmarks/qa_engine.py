"""Auto-QA engine benchmark: one run, every figure of docs/benchmarks.md "Auto-QA engine".

    .venv/bin/python benchmarks/qa_engine.py [--small 10000] [--large 40000] [--naive 500] [--workdir /tmp]

Generates realistic Chinese chats (benchmarks/gen_conversations.py: ~20 messages each, with times),
then measures, with the built-in zh pack and its scorecard:

1. the floor: read the file and parse each line with orjson, nothing else;
2. reading into Conversation objects (orjson + the conversation-v1 validation of readers.py);
3. the engine on one core, end to end as ``qa run`` does it (read, validate, all rules, customer
   emotion, scorecard, result JSON line) with the batched evaluator (engine/batch.py, batches of
   ``--batch`` conversations, the garbage collector paused per batch as ``qa run`` does) and with
   the per-conversation fast evaluator, and their parts on already-read conversations (customer
   emotion and the scorecard both per conversation and batched);
4. the naive baseline: the reference evaluator (one rule, one word, one message at a time);
5. peak memory (ru_maxrss of a fresh ``qa run`` process) at two input sizes;
6. ``qa run --jobs 1`` and ``--jobs 2`` wall time;
7. the compiled core against the pure-Python engine (``SERVICECOACH_QA_NATIVE=0``): end to end and
   stage by stage (reading, the batch columns, literal matching, the clause table, customer
   emotion, the rules, the scorecard, result lines), both in the same run.

CPU figures use process time (this machine is shared; wall time is noisier); each is the best of
``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_conversations  # noqa: E402
from _common import best, machine  # noqa: E402
from servicecoach.quality.cli import BAND_MINIMUMS  # noqa: E402
from servicecoach.quality.engine import native, reference  # noqa: E402
from servicecoach.quality.engine.batch import _Batch  # noqa: E402
from servicecoach.quality.engine.emotion import analyse, analyse_batch  # noqa: E402
from servicecoach.quality.engine.readers import iter_jsonl_raw, parse_jsonl_line, parse_jsonl_records  # noqa: E402
from servicecoach.quality.engine.results import Inspector, build_result, gc_paused  # noqa: E402
from servicecoach.quality.engine.scorecard import score, score_batch  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]






def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (KiB) of a fresh ``servicecoach qa`` process."""
    code = (
        "import resource, sys\n"
        "from servicecoach.quality.cli import main\n"
        f"rc = main({args!r})\n"
        # the peak of this process's own memory since exec (VmHWM); ru_maxrss would also count the
        # benchmark's pages that the fork copied before exec
        "import re, pathlib\n"
        "status = pathlib.Path('/proc/self/status').read_text()\n"
        "print(int(re.search(r'VmHWM:\\s+(\\d+)', status).group(1)) if 'VmHWM' in status else "
        "resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "sys.exit(rc)\n"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"qa run failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, int(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=40_000)
    parser.add_argument("--naive", type=int, default=500, help="conversations for the naive baseline")
    parser.add_argument("--sample", type=int, default=5_000, help="conversations for the in-process figures")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch", type=int, default=1024, help="conversations per batch (qa run: 1024)")
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args(argv)

    work = Path(args.workdir)
    small, large = work / f"qa-bench-{args.small}.jsonl", work / f"qa-bench-{args.large}.jsonl"
    for path, count in ((small, args.small), (large, args.large)):
        if not path.exists():
            gen_conversations.write(str(path), count, seed=1)
    print(f"# Auto-QA engine benchmark, {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC")
    print(f"# {machine()}")
    print(f"# load: {uptime()}")
    print(f"# compiled core (engine/_native.c): {'built' if native.available() else 'NOT BUILT'}")

    raws = [raw for _, raw in iter_jsonl_raw(small)][: args.sample]
    n = len(raws)
    convs = [parse_jsonl_line(raw) for raw in raws]
    messages = sum(len(c.messages) for c in convs)
    print(f"# corpus: {n:,} conversations, {messages / n:.1f} messages each on average, "
          f"{sum(len(r) for r in raws) / n:,.0f} bytes per JSON line")
    inspector = Inspector.load("zh")
    rules_only = Inspector.load("zh", analyse=lambda conv: _CALM)
    engine, card = inspector.engine, inspector.scorecard
    print(f"# rule set {inspector.ruleset.id} {inspector.ruleset.version}: {len(inspector.ruleset.rules)} rules, "
          f"{len(engine.matcher.words)} literal words in one {engine.backend} matcher")

    def floor():
        for _, raw in iter_jsonl_raw(small):
            orjson.loads(raw)

    def read():
        for number, raw in iter_jsonl_raw(small):
            parse_jsonl_line(raw, file="x", line=number)

    def end_to_end():
        inspect = inspector.inspect_json  # what qa run calls
        for number, raw in iter_jsonl_raw(small):
            inspect(parse_jsonl_line(raw, file="x", line=number))

    size = args.batch

    def end_to_end_batched():
        # what qa run does per chunk, the collector paused: read the chunk (with the compiled core when
        # it is built), score it with the batched evaluator, write its lines and summary counts
        inspect = inspector.inspect_lines_batch
        chunk = []
        for number, raw in iter_jsonl_raw(small):
            chunk.append(("x", number, raw))
            if len(chunk) >= size:
                with gc_paused():
                    inspect(parse_jsonl_records(chunk), BAND_MINIMUMS)
                chunk = []
        if chunk:
            with gc_paused():
                inspect(parse_jsonl_records(chunk), BAND_MINIMUMS)

    def batched(engine, items):
        return lambda: [engine.evaluate(items[i : i + size]) for i in range(0, len(items), size)]

    total = sum(1 for _ in iter_jsonl_raw(small))
    t_floor = best(floor, args.repeat) / total
    t_read = best(read, args.repeat) / total
    t_e2e = best(end_to_end, args.repeat) / total
    t_e2e_b = best(end_to_end_batched, args.repeat) / total
    batch_engine = rules_only.batch
    t_rules_b = best(batched(batch_engine, convs), args.repeat) / n
    from servicecoach.quality.engine.batch import BatchRuleSet
    from servicecoach.quality.engine.fast import CompiledRuleSet
    from servicecoach.quality.engine.rules import RuleSet

    n_batched = sum(batch_engine.batched)
    only_b = BatchRuleSet(CompiledRuleSet(RuleSet(id="b", version="1", rules=[
        r for r, ok in zip(inspector.ruleset.rules, batch_engine.batched) if ok]), analyse=lambda conv: _CALM))
    only_f = batch_engine.fallback
    t_only_b = best(batched(only_b, convs), args.repeat) / n
    t_only_b_fast = best(lambda: [only_b.compiled.evaluate(c) for c in convs], args.repeat) / n
    t_only_f = best(lambda: [only_f.evaluate(c) for c in convs], args.repeat) / n if only_f else 0.0
    t_rules = best(lambda: [rules_only.engine.evaluate(c) for c in convs], args.repeat) / n
    t_emotion = best(lambda: [analyse(c) for c in convs], args.repeat) / n
    t_emotion_b = best(lambda: [analyse_batch(convs[i : i + size]) for i in range(0, n, size)], args.repeat) / n
    outcomes = [engine.evaluate(c) for c in convs]
    t_score = best(lambda: [score(card, o, shared=True) for o in outcomes], args.repeat) / n
    matrices = [inspector.batch.evaluate_matrix(convs[i : i + size])[1] for i in range(0, n, size)]
    ids = inspector.batch.rule_ids
    t_score_b = best(lambda: [score_batch(card, ids, m) for m in matrices], args.repeat) / n
    emotions = [engine.emotion(c, o) for c, o in zip(convs, outcomes)]
    scored = [score(card, o, shared=True) for o in outcomes]
    t_result = best(lambda: [orjson.dumps(build_result(c, o, s, e, inspector.ruleset, card))
                             for c, o, s, e in zip(convs, outcomes, scored, emotions)], args.repeat) / n
    naive_convs = convs[: args.naive]
    t_naive = best(lambda: [score(card, reference.evaluate(inspector.ruleset, c)) for c in naive_convs], 1) / len(naive_convs)
    t_naive_e2e = t_naive + t_read + t_result  # the same reading and writing around it

    def rate(seconds: float) -> str:
        return f"{1 / seconds:>10,.0f} conv/s  ({seconds * 1e6:7.1f} µs/conv)"

    print("\n## One core (process time, best of runs)")
    print(f"floor: read + orjson.loads              {rate(t_floor)}")
    print(f"read: + conversation-v1 validation      {rate(t_read)}   (Python reader, Conversation objects)")
    print(f"engine end to end, batched (= qa run)   {rate(t_e2e_b)}   {t_e2e_b / t_floor:.1f}x the floor "
          f"({'compiled core' if native.enabled() else 'pure Python'})")
    print(f"engine end to end, per conversation     {rate(t_e2e)}   {t_e2e / t_floor:.1f}x the floor "
          f"(--per-conversation)")
    print(f"  rules only, batched evaluator         {rate(t_rules_b)}")
    print(f"  rules only, fast evaluator            {rate(t_rules)}")
    print(f"  the {n_batched} rules with a batched form: batched  {rate(t_only_b)}")
    print(f"  the same {n_batched} rules, fast evaluator          {rate(t_only_b_fast)}   batched is {t_only_b_fast / t_only_b:.1f}x faster")
    if only_f:
        print(f"  the {len(batch_engine.fallback_ids)} others (per conversation: {', '.join(batch_engine.fallback_ids)})  "
              f"{rate(t_only_f)}")
    else:
        print("  (no rule falls back to the per-conversation evaluator)")
    print(f"  customer emotion, per conversation (emotion.analyse)   {rate(t_emotion)}")
    print(f"  customer emotion, batched (emotion.analyse_batch)      {rate(t_emotion_b)}")
    print(f"  scorecard, per conversation (score, shared records)    {rate(t_score)}")
    print(f"  scorecard, batched (score_batch)                       {rate(t_score_b)}")
    print(f"  result record + orjson.dumps          {rate(t_result)}")
    print(f"naive: reference evaluator + scorecard  {rate(t_naive)}   fast rules are {t_naive / t_rules:.0f}x faster")
    print(f"  batched rules are {t_naive / t_rules_b:.0f}x faster than the naive loop")
    print(f"naive end to end (same read/write)      {rate(t_naive_e2e)}   engine end to end is {t_naive_e2e / t_e2e_b:.1f}x "
          f"faster batched, {t_naive_e2e / t_e2e:.1f}x per conversation")
    # the text-matching part alone: the rules made only of keywords (and not/and/or over them)
    from servicecoach.quality.engine.fast import CompiledRuleSet
    from servicecoach.quality.engine.rules import And, Keywords, Not, Or, RuleSet, iter_leaves

    text_rules = [r for r in inspector.ruleset.rules
                  if all(isinstance(leaf, Keywords | And | Or | Not) for leaf in iter_leaves(r.condition)) and r.when is None]
    text_set = RuleSet(id="kw", version="1", rules=text_rules)
    fast_text = CompiledRuleSet(text_set, analyse=lambda conv: _CALM)
    t_text_fast = best(lambda: [fast_text.evaluate(c) for c in convs], args.repeat) / n
    t_text_batch = best(batched(BatchRuleSet(fast_text), convs), args.repeat) / n
    t_text_ref = best(lambda: [reference.evaluate(text_set, c, lambda conv: _CALM) for c in naive_convs], 1) / len(naive_convs)
    print(f"keyword rules only ({len(text_rules)} rules, {sum(len(a) for r in text_rules for leaf in iter_leaves(r.condition) if isinstance(leaf, Keywords) for a in leaf.items)} words):")
    print(f"  fast (one matcher scan)               {rate(t_text_fast)}")
    print(f"  batched (one matcher scan per batch)  {rate(t_text_batch)}")
    print(f"  reference (str.find per word/message) {rate(t_text_ref)}   fast is {t_text_ref / t_text_fast:.0f}x faster, "
          f"batched {t_text_ref / t_text_batch:.0f}x")
    for backend in ("ahocorasick", "python"):
        other = Inspector.load("zh", backend=backend, analyse=lambda conv: _CALM)
        t_other = best(lambda other=other: [other.engine.evaluate(c) for c in convs], args.repeat) / n
        t_other_b = best(batched(other.batch, convs), args.repeat) / n
        print(f"  rules only, {backend:<12} matcher     {rate(t_other)}   batched {rate(t_other_b)}")

    if native.available():
        native_vs_python(small, inspector, rules_only, size, args.repeat)
    else:
        print("\n## Compiled core: not built (pip install -e . with a C compiler), no native rows")

    print("\n## Memory and processes (fresh `servicecoach qa run` processes, wall time)")
    out = work / "qa-bench-out.jsonl"
    for path, count in ((small, args.small), (large, args.large)):
        wall, rss = run_cli(["run", "--rules", "zh", str(path), "-o", str(out), "--no-progress"])
        print(f"{count:>8,} conversations, --jobs 1: peak RSS {rss / 1024:6.1f} MiB, wall {wall:6.1f} s ({count / wall:,.0f} conv/s)")
    wall_pc, _ = run_cli(["run", "--rules", "zh", str(small), "-o", str(out), "--no-progress", "--per-conversation"])
    print(f"{args.small:>8,} conversations, --jobs 1 --per-conversation: wall {wall_pc:6.1f} s ({args.small / wall_pc:,.0f} conv/s)")
    wall2, rss2 = run_cli(["run", "--rules", "zh", str(large), "-o", str(out), "--jobs", "2", "--no-progress"])
    print(f"{args.large:>8,} conversations, --jobs 2: peak RSS {rss2 / 1024:6.1f} MiB (main process), wall {wall2:6.1f} s "
          f"({args.large / wall2:,.0f} conv/s)")
    out.unlink(missing_ok=True)
    print(f"# load at the end: {uptime()}")
    return 0


def uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    except OSError:
        return "(uptime not available)"


def native_vs_python(path: Path, inspector: Inspector, rules_only: Inspector, size: int, repeat: int) -> None:
    """The compiled core against the pure-Python engine, end to end as ``qa run`` does it (chunks of
    ``size`` JSON lines read with ``parse_jsonl_records`` and scored with ``inspect_json_batch``, the
    collector paused) and stage by stage on the same chunks, in microseconds per conversation. Each
    figure is measured on both paths one after the other, so that both see the same machine load."""
    from servicecoach.quality.engine.results import lines_of
    from servicecoach.quality.engine.scorecard import score_batch_json

    records = [(str(path), number, raw) for number, raw in iter_jsonl_raw(path)]
    chunks = [records[i : i + size] for i in range(0, len(records), size)]
    n = len(records)
    engine = inspector.batch
    card, ids = inspector.scorecard, engine.rule_ids
    old = os.environ.get(native.ENV)

    def on(use_native: bool) -> None:
        os.environ[native.ENV] = "1" if use_native else "0"

    convs, matrices, parts = {}, {}, {}
    for use_native in (True, False):
        on(use_native)
        with gc_paused():
            convs[use_native] = [parse_jsonl_records(chunk) for chunk in chunks]
        parts[use_native] = [(cs, *engine.evaluate_parts(cs)) for cs in convs[use_native]]
        matrices[use_native] = [p[1] for p in parts[use_native]]

    def e2e(_use_native):
        for chunk in chunks:
            with gc_paused():
                inspector.inspect_lines_batch(parse_jsonl_records(chunk), BAND_MINIMUMS)

    def read(_use_native):
        for chunk in chunks:
            with gc_paused():
                parse_jsonl_records(chunk)

    def per_batch(work):
        def run(use_native):
            for cs in convs[use_native]:
                with gc_paused():
                    work(cs)
        return run

    def matching(cs):
        b = _Batch(engine, cs)
        b.matches(False)
        b.matches(True)

    def clauses(cs):
        b = _Batch(engine, cs)
        b.clauses()
        b.questioned()

    def scorecard(use_native):
        for m in matrices[use_native]:
            score_batch_json(card, ids, m)

    def lines_from_parts(use_native):
        # what qa run does after evaluate_parts: the emotion adapter, the scorecard, the lines and the
        # summary counts (compiled: engine/_results.c; pure Python: the records, orjson, counted from them)
        for cs, matrix, hits_of, emotions in parts[use_native]:
            with gc_paused():
                emotion = inspector._emotion_columns(cs, emotions)
                if use_native:
                    inspector.lines_of_parts(cs, matrix, hits_of, emotion, BAND_MINIMUMS)
                else:
                    lines_of(inspector.records_of_parts(cs, matrix, hits_of, emotion), BAND_MINIMUMS)

    stages = {
        "end to end, batched (as qa run)": e2e,
        "reading (+ validation)": read,
        "the batch's columns": per_batch(lambda cs: _Batch(engine, cs)),
        "+ literal matching (both matchers)": per_batch(matching),
        "+ clause table of the repeat rules (+ questions)": per_batch(clauses),
        "+ customer emotion (analyse_batch)": per_batch(lambda cs: _Batch(engine, cs).emotions()),
        # compiled, the emotions are arrays (EmotionBatch): this row adds making every EmotionResult
        "+ customer emotion, with every EmotionResult object": per_batch(lambda cs: list(_Batch(engine, cs).emotions())),
        "+ the 31 rules (emotion stubbed)": per_batch(rules_only.batch.evaluate_parts),
        "all rules and emotion (evaluate_parts)": per_batch(engine.evaluate_parts),
        "scorecard (score_batch_json)": scorecard,
        "scoring read chunks (inspect_json_batch)": per_batch(inspector.inspect_json_batch),
        # qa run's: the lines and summary counts (compiled: engine/_results.c), no result dict
        "scoring read chunks, lines + counts (inspect_lines_batch)": per_batch(
            lambda cs: inspector.inspect_lines_batch(cs, BAND_MINIMUMS)),
        "scorecard + lines + counts, from evaluate_parts' parts": lines_from_parts,
    }
    figures: dict[str, list[float]] = {}
    try:
        for name, fn in stages.items():
            for use_native in (True, False):
                on(use_native)
                figures.setdefault(name, []).append(best(lambda fn=fn, u=use_native: fn(u), repeat) / n)
    finally:
        if old is None:
            os.environ.pop(native.ENV, None)
        else:
            os.environ[native.ENV] = old
    columns = figures["the batch's columns"]
    rest = [figures["scoring read chunks (inspect_json_batch)"][k] - figures["all rules and emotion (evaluate_parts)"][k]
            - figures["scorecard (score_batch_json)"][k] for k in (0, 1)]
    print(f"\n## Compiled core against pure Python (SERVICECOACH_QA_NATIVE=0), {n:,} conversations, µs/conv")
    print("(lines with + are measured with the batch's columns and shown without them)")
    print(f"{'stage':<50} {'native':>8} {'python':>8}")
    for name, pair in figures.items():
        if name.startswith("+"):
            pair = [pair[k] - columns[k] for k in (0, 1)]
        print(f"{name:<50} {pair[0] * 1e6:8.1f} {pair[1] * 1e6:8.1f}")
    print(f"{'result dicts and JSON lines (scoring less the two above)':<50} {rest[0] * 1e6:8.1f} {rest[1] * 1e6:8.1f}")
    a, b = figures["end to end, batched (as qa run)"]
    print(f"end to end: native {1 / a:,.0f} conv/s, pure Python {1 / b:,.0f} conv/s ({b / a:.2f}x)")


class _Calm:
    score = 0.0
    trend = None
    hits: list = []
    per_message: list = []


_CALM = _Calm()

if __name__ == "__main__":
    sys.exit(main())
