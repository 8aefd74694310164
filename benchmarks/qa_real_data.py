"""The zh pack on real dialogues: rank correlation of the overall QA score with human satisfaction.

    .venv/bin/python benchmarks/qa_real_data.py [path/to/stc3-dch1-cn-train.jsonl]

Reads the STC-3 DCH-1 Weibo helpdesk dialogues (../shared/data, or $SERVICECOACH_SHARED_DIR/data),
scores them with the built-in zh pack and scorecard, and prints Spearman's rho between the overall
score and the human labels (``labels.stc3_quality_mean``: S = customer satisfaction, A = task
accomplished, E = effectiveness), beside the customer-emotion score (negated: calmer = better) and
each rule that fires often enough to matter."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from servicecoach.quality.engine.readers import ReadError, read_conversations
from servicecoach.quality.engine.results import Inspector
from servicecoach.quality.engine.stats import spearman

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = Path(os.environ.get("SERVICECOACH_SHARED_DIR", ROOT.parent / "shared")) / "data" / "stc3-dch1-cn-train.jsonl"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    path = Path(argv[0]) if argv else DEFAULT
    if not path.exists():
        print(f"not found: {path} (set SERVICECOACH_SHARED_DIR)", file=sys.stderr)
        return 2
    inspector = Inspector.load("zh")
    rows = []
    for conv in read_conversations([path]):
        if isinstance(conv, ReadError):
            print(f"skipped {conv}", file=sys.stderr)
            continue
        result = inspector.inspect(conv)
        labels = conv.labels.get("stc3_quality_mean") or {}
        rows.append((result, labels))
    print(f"{len(rows):,} dialogues from {path.name}; rule set {inspector.ruleset.id} {inspector.ruleset.version}")
    scored = [(r, lab) for r, lab in rows if r["score"] is not None and "S" in lab]
    print(f"{len(scored):,} with a score and a satisfaction label")
    for key, label in (("S", "satisfaction"), ("A", "task accomplished"), ("E", "effectiveness")):
        pairs = [(r["score"], lab[key]) for r, lab in scored if key in lab]
        rho_score = spearman([p[0] for p in pairs], [p[1] for p in pairs])
        emo = [(-r["customer_emotion"], lab[key]) for r, lab in scored if key in lab]
        rho_emotion = spearman([p[0] for p in emo], [p[1] for p in emo])
        print(f"Spearman rho with {key} ({label}): overall score {rho_score:+.3f}; "
              f"customer emotion (negated) {rho_emotion:+.3f}")
    print("\nRules that fire on at least 2% of dialogues: rho of 'did not fire' with S")
    satisfaction = [lab["S"] for _r, lab in scored]
    for rule in inspector.ruleset.rules:
        fired = [any(h["rule"] == rule.id for h in r["hits"]) for r, _lab in scored]
        share = sum(fired) / len(fired)
        if 0.02 <= share <= 0.98:
            rho = spearman([0.0 if f else 1.0 for f in fired], satisfaction)
            print(f"  {rule.id:<24} fires on {share:6.1%}  rho {rho:+.3f}  {rule.name_en}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
