"""`servicecoach qa run|check|explain`: exit codes, summary, output order, inputs, real data."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import pytest

from servicecoach.cli import main as servicecoach_main
from servicecoach.quality.cli import main

SHARED = Path(os.environ.get("SERVICECOACH_SHARED_DIR", Path(__file__).resolve().parents[2].parent / "shared"))
REAL = SHARED / "data" / "stc3-dch1-cn-train.jsonl"


def record(cid, *msgs, **extra):
    return {"id": cid, "messages": [{"role": r, "text": t, "offset": o} for r, t, o in msgs], **extra}


GOOD = record("ok-1", ("customer", "你好，快递还没到", 0), ("agent", "您好，很抱歉，马上为您查询", 10),
              ("agent", "请问还有什么可以帮您？祝您生活愉快", 20))
RUDE = record("rude-1", ("customer", "我要投诉", 0), ("agent", "你有病吧", 50))


def write_jsonl(path: Path, records: list) -> Path:
    path.write_bytes(b"".join((r if isinstance(r, bytes) else orjson.dumps(r)) + b"\n" for r in records))
    return path


def read_results(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_run_scores_every_record_and_prints_the_summary(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD, RUDE])
    out = tmp_path / "out.jsonl"
    assert main(["run", "--rules", "zh", str(src), "-o", str(out)]) == 0
    results = read_results(out)
    assert [r["id"] for r in results] == ["ok-1", "rude-1"]
    assert results[1]["red_line"] is True and results[1]["score"] == 0
    text = capsys.readouterr().out
    assert "Auto-QA: 2 of 2 records scored, 0 skipped" in text
    assert "Rule set zh-default 2026.11.1; scorecard zh-default-card 2026.11.1" in text
    rude_row = next(line for line in text.splitlines() if line.strip().startswith("zh-rude-01"))
    assert rude_row.split()[1:4] == ["1", "2", "0"]  # 你有病 and 有病吧 overlap: two hits
    silence_row = next(line for line in text.splitlines() if line.strip().startswith("zh-silence-01"))
    assert silence_row.split()[1:4] == ["0", "0", "2"]  # not applicable on both chats
    assert "Score distribution:" in text and "no score" in text
    assert "Red lines: 1 conversation(s)" in text
    assert "Skipped records: none." in text


def test_bad_records_are_skipped_with_file_line_and_reason_and_exit_1(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD, b"{not json", record("x"), RUDE, b'{"id": 5, "messages": []}'])
    out = tmp_path / "out.jsonl"
    assert main(["run", "--rules", "zh", str(src), "-o", str(out)]) == 1
    assert [r["id"] for r in read_results(out)] == ["ok-1", "rude-1"]
    text = capsys.readouterr().out
    assert "2 of 5 records scored, 3 skipped" in text
    assert "Skipped records: 3 (exit status 1):" in text
    assert f"{src}:2: not valid JSON" in text
    assert f"{src}:3: messages" in text
    assert f"{src}:5: " in text


def test_only_the_first_20_skipped_records_are_listed(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [b"[]"] * 25)
    assert main(["run", "--rules", "zh", str(src), "-o", str(tmp_path / "o.jsonl")]) == 1
    text = capsys.readouterr().out
    assert "Skipped records: 25 (exit status 1); first 20 shown:" in text
    assert f"{src}:20:" in text and f"{src}:21:" not in text


def test_jobs_keep_the_input_order(tmp_path):
    records = [record(f"c{i}", ("customer", "在吗" * (i % 5 + 1), 0), ("agent", "您好" if i % 3 else "说", i)) for i in range(300)]
    src = write_jsonl(tmp_path / "in.jsonl", records)
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert main(["run", "--rules", "zh", str(src), "-o", str(one)]) == 0
    assert main(["run", "--rules", "zh", str(src), "-o", str(two), "--jobs", "2"]) == 0
    assert one.read_bytes() == two.read_bytes()
    assert [r["id"] for r in read_results(one)] == [f"c{i}" for i in range(300)]


def test_csv_input_with_custom_columns(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("conv,who,content,ts\nc1,customer,在吗,0\nc1,agent,您好,100\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["run", "--rules", "zh", str(src), "-o", str(out), "--csv-columns", "id=conv,role=who,text=content,time=ts"]) == 0
    [result] = read_results(out)
    assert result["id"] == "c1" and "zh-first-reply-01" in {h["rule"] for h in result["hits"]}


def test_xlsx_input(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["conversation_id", "role", "text", "time"])
    ws.append(["x1", "customer", "在吗", 0])
    ws.append(["x1", "agent", "您好，请问还有什么可以帮您？再见", 5])
    wb.save(tmp_path / "in.xlsx")
    out = tmp_path / "out.jsonl"
    assert main(["run", "--rules", "zh", str(tmp_path / "in.xlsx"), "-o", str(out)]) == 0
    assert read_results(out)[0]["id"] == "x1"


BAD_RULES = """
ruleset: mine
version: "1"
rules:
  - id: my-rule-01
    name: {zh: 规则, en: Rule}
    category: process
    severity: minor
    condition: {keywords: {words: [a, b], match: at_least, min: 0}}
"""


@pytest.mark.parametrize("args", [
    [],
    ["run", "in.jsonl", "-o", "o.jsonl"],  # no --rules
    ["run", "--rules", "zh", "-o", "o.jsonl"],  # no input
    ["frobnicate"],
])
def test_usage_errors_exit_2(args, capsys):
    assert main(args) == 2


def test_rule_errors_exit_2_naming_rule_and_field(tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    rules.write_text(BAD_RULES, encoding="utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    assert main(["run", "--rules", str(rules), str(src), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "rule my-rule-01, field condition.keywords.min: must be a positive integer" in capsys.readouterr().err
    assert main(["check", str(rules)]) == 2
    assert main(["check", str(tmp_path / "nope.yaml")]) == 2
    assert "rule set file not found" in capsys.readouterr().err


def test_a_rule_set_without_a_scorecard_needs_one(tmp_path, capsys):
    rules = tmp_path / "rules.yaml"
    rules.write_text(BAD_RULES.replace("min: 0", "min: 1"), encoding="utf-8")
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    assert main(["run", "--rules", str(rules), str(src), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "has no default scorecard: name one with --scorecard" in capsys.readouterr().err


@pytest.mark.parametrize("extra", [["--jobs", "0"], ["--csv-columns", "id"], ["--csv-columns", "colour=x"]])
def test_bad_options_exit_2(tmp_path, extra, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    assert main(["run", "--rules", "zh", str(src), "-o", str(tmp_path / "o.jsonl"), *extra]) == 2
    assert capsys.readouterr().err


def test_missing_input_file_exits_2(tmp_path, capsys):
    assert main(["run", "--rules", "zh", str(tmp_path / "none.jsonl"), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert "input file not found" in capsys.readouterr().err


def test_check_lists_the_rules(capsys):
    assert main(["check", "zh"]) == 0
    text = capsys.readouterr().out
    assert "Rule set zh-default version 2026.11.1: 31 rules" in text
    assert "Scorecard zh-default-card version 2026.11.1" in text
    assert "zh-apology-01" in text and "attitude" in text and "客户投诉后未致歉" in text and "No apology after a complaint" in text


def test_explain_shows_hits_and_the_score_item_by_item(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD, RUDE])
    assert main(["explain", "--rules", "zh", str(src), "--id", "rude-1", "--no-color"]) == 0
    text = capsys.readouterr().out
    assert "[[你有病吧]]" in text and "\x1b[" not in text
    assert "zh-rude-01" in text and "RED LINE" in text
    assert "A red-line item fired: the score is 0." in text
    assert main(["explain", "--rules", "zh", str(src), "--id", "ok-1", "--color"]) == 0
    text = capsys.readouterr().out
    assert "\x1b[" in text and "Score = earned" in text
    assert main(["explain", "--rules", "zh", str(src), "--id", "nobody"]) == 2


def test_the_servicecoach_command_routes_qa_here(capsys):
    assert servicecoach_main(["qa", "check", "en"]) == 0
    assert "en-default" in capsys.readouterr().out


@pytest.mark.skipif(not REAL.exists(), reason=f"shared data not found: {REAL} (set SERVICECOACH_SHARED_DIR)")
def test_real_weibo_dialogues_end_to_end(tmp_path, capsys):
    out = tmp_path / "real.jsonl"
    assert main(["run", "--rules", "zh", str(REAL), "-o", str(out), "--jobs", "2"]) == 0
    results = read_results(out)
    assert len(results) == 2700 and len({r["id"] for r in results}) == 2700
    for r in results:
        assert r["source"] == "weibo-helpdesk"
        assert r["score"] is None or 0 <= r["score"] <= 100
        assert r["red_line"] == (r["score"] == 0) or not r["red_line"]
        assert r["customer_emotion"] >= 0
        assert "zh-first-reply-01" in r["not_applicable"]  # no timestamps in these dialogues
        for h in r["hits"]:
            assert (h["message"] is None) == (h["start"] is None)
    assert sum(r["score"] is not None for r in results) == 2700
    assert "2,700 of 2,700 records scored, 0 skipped" in capsys.readouterr().out


def test_garbage_files_never_crash_the_command(tmp_path, capsys):
    import random

    rng = random.Random(7)
    lines = [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 60))).replace(b"\n", b" ") for _ in range(40)]
    lines += [b'{"id": "a", "messages": [{"role": "agent", "text": "x", "offset": "soon"}]}',
              b'{"id": "b", "messages": [{"role": "agent", "text": "x", "offset": 5, "end": -3}], "channel": "call"}',
              b'{"id": "c", "messages": [{"role": "customer", "text": "\\u0000\\ud83d", "offset": 1e300}]}']
    src = write_jsonl(tmp_path / "junk.jsonl", lines)
    out = tmp_path / "o.jsonl"
    assert main(["run", "--rules", "zh", str(src), "-o", str(out)]) == 1
    records = sum(1 for line in lines if line.strip(b" \t\r\n"))
    scored = len(read_results(out))
    assert f"{scored} of {records} records scored, {records - scored} skipped" in capsys.readouterr().out


def test_a_missing_or_broken_scorecard_exits_2_naming_it(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    card = tmp_path / "card.yaml"
    assert main(["run", "--rules", "zh", "--scorecard", str(card), str(src), "-o", str(tmp_path / "o.jsonl")]) == 2
    assert f"scorecard {card}: scorecard file not found" in capsys.readouterr().err
    card.write_text("scorecard: c\nversion: '1'\nsections:\n  - id: s\n    name: {zh: 节, en: S}\n"
                    "    items: [{id: a, name: {zh: a, en: a}, points: 5, rules: [no-such-rule]}]\n", encoding="utf-8")
    assert main(["check", "zh", "--scorecard", str(card)]) == 2
    assert "field sections.s.items.a.rules: names rule 'no-such-rule', which rule set zh-default does not have" in capsys.readouterr().err


def test_progress_bar_on_standard_error_when_asked(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", [GOOD, RUDE])
    assert main(["run", "--rules", "zh", str(src), "-o", str(tmp_path / "o.jsonl"), "--progress"]) == 0
    captured = capsys.readouterr()
    assert "100.0%" in captured.err and "2 conversations" in captured.err and "#" * 30 in captured.err
    assert "Auto-QA:" in captured.out and "100.0%" not in captured.out
    assert main(["run", "--rules", "zh", str(src), "-o", str(tmp_path / "o.jsonl"), "--no-progress"]) == 0
    assert capsys.readouterr().err == ""
