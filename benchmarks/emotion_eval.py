"""How well the customer-emotion score ranks the real STC-3 DCH-1 Weibo helpdesk dialogues by the
human customer-satisfaction label (labels.stc3_quality_mean.S), against a crude word-count baseline.

    .venv/bin/python benchmarks/emotion_eval.py [--data PATH]

Reports Spearman's rank correlation of -score with S (higher is better) on all dialogues and on
the even-/odd-numbered halves: the weights were tuned on the even half only, so the odd half is
the honest figure. Data: $SERVICECOACH_SHARED_DIR/data/stc3-dch1-cn-train.jsonl (default
<repo>/../shared).
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from servicecoach.quality.engine.emotion import Lexicon, analyse, crude_count, default_lexicon
from servicecoach.quality.engine.readers import ReadError, read_conversations
from servicecoach.quality.engine.stats import spearman

REPO = Path(__file__).resolve().parents[1]


def default_data_path() -> Path:
    shared = Path(os.environ.get("SERVICECOACH_SHARED_DIR", REPO.parent / "shared"))
    return shared / "data" / "stc3-dch1-cn-train.jsonl"


def load(path: Path):
    conversations = []
    for item in read_conversations([path]):
        if isinstance(item, ReadError):
            print(f"skipped: {item}", file=sys.stderr)
            continue
        conversations.append(item)
    return conversations


def evaluate(conversations) -> dict[str, dict[str, float]]:
    """Spearman of -score and of -crude count with S, on all, even and odd positions."""
    satisfaction = [c.labels["stc3_quality_mean"]["S"] for c in conversations]
    ours = [-analyse(c).score for c in conversations]
    crude = [-crude_count(c) for c in conversations]
    out = {}
    for name, pick in (
        ("all", slice(None)),
        ("even (tuned)", slice(0, None, 2)),
        ("odd (held out)", slice(1, None, 2)),
    ):
        out[name] = {
            "emotion": spearman(ours[pick], satisfaction[pick]),
            "crude": spearman(crude[pick], satisfaction[pick]),
            "n": len(satisfaction[pick]),
        }
    return out


def _cpu_seconds(conversations, lexicon) -> float:
    started = time.process_time()
    for conversation in conversations:
        analyse(conversation, lexicon=lexicon)
    return time.process_time() - started


def _print_speed(name: str, conversations) -> None:
    gc.collect()
    gc.freeze()  # the loaded conversations are not garbage: keep the collector off them
    chars = sum(len(m.text) for c in conversations for m in c.messages if m.role == "customer")
    per = len(conversations)
    print(
        f"speed of analyse() on {name} ({per} conversations, {chars / per:.0f} customer characters each), CPU time:"
    )
    for label, lexicon in (
        ("pyahocorasick", default_lexicon()),
        ("pure Python", Lexicon.load(use_automaton=False)),
    ):
        best = min(_cpu_seconds(conversations, lexicon) for _ in range(3))
        print(f"  {label:<14} {per / best:>9,.0f} conversations/s")
    gc.unfreeze()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=default_data_path())
    parser.add_argument(
        "--speed-data",
        type=Path,
        help="also time analyse() on this conversation file (e.g. from benchmarks/gen_conversations.py)",
    )
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(f"no data at {args.data} (set SERVICECOACH_SHARED_DIR)", file=sys.stderr)
        return 2
    conversations = load(args.data)
    results = evaluate(conversations)
    print(f"data: {args.data} ({len(conversations)} dialogues)")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; lexicon phrases: {len(default_lexicon().entries)}")
    print("Spearman correlation with human satisfaction S (of -score; higher is better)")
    print(f"{'subset':<16} {'n':>5} {'emotion':>9} {'crude':>7}")
    for name, row in results.items():
        print(f"{name:<16} {row['n']:>5} {row['emotion']:>9.3f} {row['crude']:>7.3f}")
    _print_speed(args.data.name, conversations)
    if args.speed_data:
        _print_speed(args.speed_data.name, load(args.speed_data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
