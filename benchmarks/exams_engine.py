"""Speed of the assessment engines (servicecoach.exams.engine) on a synthetic bank.

    .venv/bin/python benchmarks/exams_engine.py [--bank 3000] [--candidates 500] [--repeat 3]

Builds a bank of single/multiple choice, true/false and fill-in questions over 10 topics x 3
difficulties, then times, in CPU seconds (best of --repeat runs, one core):

* drawing one paper per candidate from a cell blueprint (36 full cells) and from a marginal
  blueprint (topic, difficulty and type totals, solved with CP-SAT), checking every paper;
* automatic marking of every candidate's answers;
* Moodle quiz statistics on the candidates x questions mark matrix;
* GIFT export + import and Excel template export + import of the whole bank.
"""

from __future__ import annotations

import argparse
import io
import platform
import random
import statistics
import sys
import time
from collections import Counter
from decimal import Decimal

from servicecoach.exams.engine.blueprint import Blueprint, PaperPlan, Quota, candidate_seed, draw_paper
from servicecoach.exams.engine.importers import export_excel, export_gift, import_excel, import_gift
from servicecoach.exams.engine.marking import MultipleChoicePolicy, mark
from servicecoach.exams.engine.questions import (
    Blank,
    Difficulty,
    FillInBlank,
    MultipleChoice,
    Option,
    QuestionType,
    SingleChoice,
    TrueFalse,
)
from servicecoach.exams.engine.statistics import quiz_statistics

TOPICS = [f"模块{i:02d}" for i in range(10)]
TYPES = [
    QuestionType.SINGLE_CHOICE,
    QuestionType.MULTIPLE_CHOICE,
    QuestionType.TRUE_FALSE,
    QuestionType.FILL_IN_BLANK,
]


def build_bank(n: int, rng: random.Random):
    bank = []
    for i in range(n):
        topic, diff, qtype = rng.choice(TOPICS), rng.choice(list(Difficulty)), rng.choice(TYPES)
        common = dict(
            key=f"q{i}",
            stem=f"第{i}题：客户来电咨询{topic}的问题，应当如何处理？",
            topic=topic,
            difficulty=diff,
        )
        if qtype is QuestionType.SINGLE_CHOICE:
            q = SingleChoice(
                options=tuple(Option(id=c, text=f"选项{c}{i}", correct=c == "B") for c in "ABCD"), **common
            )
        elif qtype is QuestionType.MULTIPLE_CHOICE:
            q = MultipleChoice(
                options=tuple(Option(id=c, text=f"选项{c}{i}", correct=c in "AC") for c in "ABCDE"), **common
            )
        elif qtype is QuestionType.TRUE_FALSE:
            q = TrueFalse(answer=i % 2 == 0, **common)
        else:
            q = FillInBlank(blanks=(Blank(accepted=(f"答案{i}", f"答{i}")),), **common)
        bank.append(q)
    return bank


def cpu(fn, repeat: int):
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.process_time()
        result = fn()
        best = min(best, time.process_time() - start)
    return best, result


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bank", type=int, default=3000)
    ap.add_argument("--candidates", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    rng = random.Random(20261123)
    bank = build_bank(args.bank, rng)
    by_key = {q.key: q for q in bank}
    have = Counter((q.topic, q.difficulty, q.type) for q in bank)
    print(f"python {platform.python_version()} on {platform.machine()}, bank {len(bank)} questions")

    cell_quotas = tuple(
        Quota(
            topic=t, difficulty=d, qtype=ty, count=min(2 if d is not Difficulty.HARD else 1, have[(t, d, ty)])
        )
        for t in TOPICS[:6]
        for d in Difficulty
        for ty in (QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE)
    )
    cell_bp = Blueprint(quotas=cell_quotas)
    marginal_bp = Blueprint(
        quotas=(
            *(Quota(topic=t, count=5) for t in TOPICS),
            Quota(difficulty=Difficulty.HARD, count=10),
            Quota(difficulty=Difficulty.EASY, count=15),
            Quota(qtype=QuestionType.SINGLE_CHOICE, count=20, points_each=Decimal(2)),
            Quota(qtype=QuestionType.MULTIPLE_CHOICE, count=10, points_each=Decimal(3)),
            Quota(qtype=QuestionType.TRUE_FALSE, count=10, points_each=Decimal(1)),
            Quota(qtype=QuestionType.FILL_IN_BLANK, count=10, points_each=Decimal(2)),
        ),
        total=50,
    )
    seeds = [candidate_seed("bench-exam", f"c{i}") for i in range(args.candidates)]

    def draw_all(bp):
        plan = PaperPlan(bank, bp)  # checked once, then one draw per candidate
        return [plan.draw(seed=s) for s in seeds]

    t_plan, _ = cpu(lambda: PaperPlan(bank, cell_bp), args.repeat)
    t_cells, papers = cpu(lambda: draw_all(cell_bp), args.repeat)
    assert all(len(p.items) == cell_bp.paper_size for p in papers)
    t_one, _ = cpu(lambda: draw_paper(bank, cell_bp, seed=1), args.repeat)
    print(f"cell blueprint ({len(cell_quotas)} cells, {cell_bp.paper_size} questions): plan {1000 * t_plan:.1f} ms, "
          f"then {len(seeds) / t_cells:,.0f} papers/s ({1000 * t_cells / len(seeds):.2f} ms each); "
          f"draw_paper without a plan {1000 * t_one:.1f} ms")  # fmt: skip

    per_paper = []
    marginal_plan = PaperPlan(bank, marginal_bp)

    def draw_marginal():
        out = []
        for s in seeds:
            start = time.process_time()
            out.append(marginal_plan.draw(seed=s))
            per_paper.append(time.process_time() - start)
        return out

    t_marg, papers = cpu(draw_marginal, 1)
    for p in papers:
        cells = p.cell_counts()
        for q in marginal_bp.quotas:
            assert sum(n for c, n in cells.items() if q.matches(c)) == q.count
    distinct = len({tuple(sorted(i.question_key for i in p.items)) for p in papers})
    print(f"marginal blueprint (16 totals, 50 questions, CP-SAT): {len(seeds) / t_marg:,.0f} papers/s, "
          f"median {1000 * statistics.median(per_paper):.1f} ms, first {1000 * per_paper[0]:.0f} ms (loads OR-Tools), "
          f"worst of the rest {1000 * max(per_paper[1:]):.1f} ms; "
          f"{distinct} distinct papers of {len(papers)}; all met the blueprint")  # fmt: skip

    answers = []
    for p in papers:
        row = []
        ability = rng.random()  # stronger candidates answer more questions right
        for item in p.items:
            q = by_key[item.question_key]
            good = rng.random() < 0.2 + 0.75 * ability
            if isinstance(q, SingleChoice):
                row.append((q, "B" if good else "A"))
            elif isinstance(q, MultipleChoice):
                row.append((q, {"A", "C"} if good else {"A", "D"}))
            elif isinstance(q, TrueFalse):
                row.append((q, q.answer if good else not q.answer))
            else:
                row.append((q, [q.blanks[0].accepted[0] if good else "不知道"]))
        answers.append(row)
    n_marks = sum(len(r) for r in answers)

    def mark_all():
        return [[mark(q, a, policy=MultipleChoicePolicy.PROPORTIONAL) for q, a in row] for row in answers]

    t_mark, marks = cpu(mark_all, args.repeat)
    print(f"marking: {n_marks / t_mark:,.0f} answers/s ({n_marks} answers)")

    matrix = [[float(m.score) for m in row] for row in marks]
    max_marks = [float(m.max_score) for m in marks[0]]
    t_stats, qs = cpu(lambda: quiz_statistics(matrix, max_marks), args.repeat)
    print(f"quiz statistics, {len(matrix)} attempts x {len(max_marks)} positions: {1000 * t_stats:.0f} ms "
          f"(alpha {qs.test.cic:.1f}%)")  # fmt: skip

    t_gexp, (gift_text, _) = cpu(lambda: export_gift(bank), args.repeat)
    t_gimp, gift_result = cpu(lambda: import_gift(gift_text), args.repeat)
    assert len(gift_result.questions) == len(bank) and not gift_result.problems
    print(f"GIFT: export {len(bank) / t_gexp:,.0f} questions/s, import {len(bank) / t_gimp:,.0f} questions/s")

    def excel_round():
        buf = io.BytesIO()
        export_excel(bank, buf)
        return buf.getvalue()

    t_xexp, blob = cpu(excel_round, args.repeat)
    t_ximp, x_result = cpu(lambda: import_excel(blob), args.repeat)
    assert len(x_result.questions) == len(bank) and not x_result.problems
    print(f"Excel: export {len(bank) / t_xexp:,.0f} rows/s, import {len(bank) / t_ximp:,.0f} rows/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
