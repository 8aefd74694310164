"""Benchmark: scoring 10,000 agents × 12 months with the built-in ecommerce-cs template.

    .venv/bin/python benchmarks/kpi_scoring.py [--agents 10000] [--months 12] [--team-size 10] [--skip-xlsx]

1. engine: score_month for each month (previous month's figures passed), agent-months per second;
2. end to end from a file: one CSV and one .xlsx holding every agent-month (the layout
   ``servicecoach kpi score`` reads), read with tables.read_table, every month scored, one month
   written back to .csv and .xlsx; and the command itself on one month.
Figures go to docs/benchmarks.md, section "KPI scoring".
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine
from servicecoach.kpi.engine.scoring import score_month
from servicecoach.kpi.engine.tables import read_table, write_csv, write_xlsx
from servicecoach.kpi.engine.template import builtin_templates

LEVELS = "AAABBBBCCD"


def months(n: int) -> list[str]:
    return [f"2026-{m:02d}" if m <= 12 else f"2027-{m - 12:02d}" for m in range(1, n + 1)]


def make_rows(agents: int, n_months: int, team_size: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for month in months(n_months):
        for a in range(agents):
            target = 100_000
            sales = rng.randint(40_000, 140_000)
            visits = rng.randint(200, 3000)
            orders = rng.randint(0, visits // 20)
            rows.append({
                "agent": f"A{a:05d}", "team": f"T{a // team_size:04d}", "month": month,
                "sales": sales, "sales_target": target, "visits": visits, "orders": orders,
                "main_product_sales": int(sales * rng.uniform(0.5, 1.05)), "refunds": rng.randint(0, 3),
                "consultations": rng.randint(50, 700), "disputes": rng.choice((0, 0, 0, 1, 2)),
                "product_knowledge": rng.choice(LEVELS), "selling": rng.choice(LEVELS),
                "communication": rng.choice(LEVELS), "adaptability": rng.choice(LEVELS),
                "late_arrivals": rng.choice((0, 0, 0, 1, 2, 4)), "etiquette_breaches": rng.choice((0, 0, 1)),
                "responsibility": rng.choice(LEVELS), "complaints": rng.choice((0, 0, 0, 1, 2)),
                "rude_remarks": rng.choice((0, 0, 0, 0, 1)), "reports": rng.choice(LEVELS),
                "rule_breaches": rng.choice((0, 0, 1)), "team_holdbacks": rng.choice((0, 0, 0, 0, 1)),
            })
    return rows


class Clock:
    """Wall time and this process's CPU time: the machine is shared, so wall time alone says more
    about the neighbours than about the code."""

    def __enter__(self):
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.w0, time.process_time() - self.c0

    def __str__(self):
        return f"{self.wall:.2f} s wall / {self.cpu:.2f} s CPU"


def engine_run(template, by_month: dict[str, list[dict]]) -> tuple[Clock, int]:
    scored = 0
    prev = None
    with Clock() as clock:
        for month, rows in by_month.items():
            previous = {r["agent"]: r for r in prev} if prev else None
            scored += len(score_month(template, rows, previous=previous, month=month))
            prev = rows
    return clock, scored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--team-size", type=int, default=10)
    ap.add_argument("--skip-xlsx", action="store_true")
    args = ap.parse_args()
    template = builtin_templates()["ecommerce-cs"]
    rows = make_rows(args.agents, args.months, args.team_size)
    by_month: dict[str, list[dict]] = {}
    for r in rows:
        by_month.setdefault(r["month"], []).append(r)
    n = len(rows)
    items = len(template.items)
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; machine: {machine()}; {args.agents} agents × {args.months} months = {n} agent-months, "
          f"{items} items each, teams of {args.team_size}")

    clock, scored = engine_run(template, by_month)
    assert scored == n
    print(f"engine: {clock}; {n / clock.cpu:,.0f} agent-months per CPU second, {n * items / clock.cpu:,.0f} items "
          f"per CPU second (wall: {n / clock.wall:,.0f} agent-months/s)")

    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        fields = list(rows[0])
        csv_path = tmpd / "all.csv"
        with open(csv_path, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(rows)
        paths = [csv_path]
        if not args.skip_xlsx:
            from openpyxl import Workbook

            wb = Workbook(write_only=True)
            ws = wb.create_sheet()
            ws.append(fields)
            for r in rows:
                ws.append([r[f] for f in fields])
            xlsx_path = tmpd / "all.xlsx"
            wb.save(xlsx_path)
            paths.append(xlsx_path)
        for path in paths:
            with Clock() as read:
                sheet = read_table(path, template)
            assert not sheet.problems and len(sheet.rows) == n
            grouped: dict[str, list[dict]] = {}
            for r in sheet.rows:
                grouped.setdefault(r["month"], []).append(r)
            scoring, _ = engine_run(template, grouped)
            last = list(grouped)[-1]
            prev = {r["agent"]: r for r in grouped[list(grouped)[-2]]} if len(grouped) > 1 else None
            results = score_month(template, grouped[last], previous=prev, month=last)
            with Clock() as wcsv:
                write_csv(tmpd / "out.csv", template, results)
            with Clock() as wxlsx:
                write_xlsx(tmpd / "out.xlsx", template, results, month=last)
            cpu = read.cpu + scoring.cpu
            print(f"{path.suffix[1:]} file ({path.stat().st_size / 1e6:.1f} MB, {n} rows): read {read}; score "
                  f"every month {scoring}; read + score {n / cpu:,.0f} agent-months per CPU second. Writing one "
                  f"month ({len(results)} agents, {len(results) * items} explained items): csv {wcsv}, xlsx {wxlsx}")
            before = os.times()
            with Clock() as cli:
                proc = subprocess.run(
                    [sys.executable, "-m", "servicecoach", "kpi", "score", "--template", "ecommerce-cs",
                     "--month", last, str(path), "-o", str(tmpd / "cli.xlsx")], capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
            after = os.times()
            child_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
            print(f"  servicecoach kpi score --month {last} {path.name} -o cli.xlsx: {cli.wall:.2f} s wall / "
                  f"{child_cpu:.2f} s CPU "
                  f"(reads the whole file, scores and writes {len(results)} agents)")




if __name__ == "__main__":
    main()
