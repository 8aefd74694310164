"""The built-in zh and en packs give byte-identical result lines through the batched evaluator
(``Inspector.inspect_json_batch``, what ``qa run`` uses) and the per-conversation one
(``Inspector.inspect_json``): on the benchmark's generated corpus (also turned into calls and into
untimed chats) and on the real Weibo dialogues (skipped when the shared data is absent)."""

from __future__ import annotations

import importlib.util
import os
import random
from pathlib import Path

import orjson
import pytest

from servicecoach.quality.cli import main
from servicecoach.quality.engine.readers import parse_conversation, parse_jsonl_line
from servicecoach.quality.engine.results import Inspector

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("SERVICECOACH_SHARED_DIR", ROOT.parent / "shared"))
REAL = SHARED / "data" / "stc3-dch1-cn-train.jsonl"
ENGLISH = ["Hello, how can I help you?", "This is terrible, I want a refund NOW!!", "I'm sorry for the trouble.",
           "I don't know.", "Call me at 13812345678", "Is there anything else I can help with?", "ok thanks bye"]


def _generator():
    spec = importlib.util.spec_from_file_location("gen_conversations", ROOT / "benchmarks" / "gen_conversations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def corpus(count: int = 600) -> list:
    """Generated chats, plus the same turned into calls (end times, some overlapping), into chats
    without times, and with English messages mixed in."""
    rng = random.Random(3)
    records = list(_generator().generate(count, seed=5))
    out = []
    for i, rec in enumerate(records):
        kind = i % 4
        if kind == 1:
            rec["channel"] = "call"
            for m in rec["messages"]:
                m["end"] = round(m["offset"] + rng.uniform(0.5, 12), 1)
        elif kind == 2:
            for m in rec["messages"]:
                del m["offset"]
        elif kind == 3:
            for m in rec["messages"]:
                if rng.random() < 0.5:
                    m["text"] = rng.choice(ENGLISH)
        out.append(parse_conversation(rec))
    return out


@pytest.mark.parametrize("pack", ["zh", "en"])
def test_batched_and_per_conversation_results_are_identical_on_the_generated_corpus(pack):
    inspector = Inspector.load(pack)
    convs = corpus()
    batched = [line for line, _ in inspector.inspect_json_batch(convs)]
    single = [inspector.inspect_json(conv)[0] for conv in convs]
    assert batched == single
    results = [orjson.loads(line) for line in batched]
    # not trivial: hits, not-applicable rules and red lines all occur
    assert sum(len(r["hits"]) for r in results) > len(results)
    assert any(r["not_applicable"] for r in results) and any(r["red_line"] for r in results)


@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
@pytest.mark.parametrize("pack", ["zh", "en"])
def test_batched_and_per_conversation_results_are_identical_on_real_dialogues(pack):
    inspector = Inspector.load(pack)
    convs = [parse_jsonl_line(line) for line in REAL.read_bytes().splitlines() if line.strip()]
    assert len(convs) == 2700
    batched = [line for i in range(0, len(convs), 1000) for line, _ in inspector.inspect_json_batch(convs[i : i + 1000])]
    assert batched == [inspector.inspect_json(conv)[0] for conv in convs]


def test_qa_run_writes_the_same_file_batched_or_not_with_any_jobs(tmp_path):
    src = tmp_path / "in.jsonl"
    lines = [orjson.dumps(r) for r in _generator().generate(300, seed=9)]
    lines.insert(100, b'{"id": "bad"}')  # a bad record in the middle is skipped either way
    src.write_bytes(b"\n".join(lines) + b"\n")
    outputs = []
    for extra in ([], ["--per-conversation"], ["--jobs", "2"]):
        out = tmp_path / f"out{len(outputs)}.jsonl"
        assert main(["run", "--rules", "zh", str(src), "-o", str(out), *extra]) == 1
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0].count(b"\n") == 300
