"""Papers from blueprints (servicecoach.exams.engine.blueprint): exact, seeded, clear shortages."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from servicecoach.exams.engine.blueprint import (
    Blueprint,
    BlueprintError,
    BlueprintShortage,
    OptionShuffle,
    PaperPlan,
    Quota,
    allocate,
    candidate_seed,
    cell_of,
    draw_paper,
    feasible_by_enumeration,
)
from servicecoach.exams.engine.marking import mark
from servicecoach.exams.engine.questions import Difficulty, Option, QuestionType, SingleChoice, TrueFalse

E, M, H = Difficulty.EASY, Difficulty.MEDIUM, Difficulty.HARD
SC, TF = QuestionType.SINGLE_CHOICE, QuestionType.TRUE_FALSE


def make_question(key: str, topic: str, difficulty: Difficulty, qtype: QuestionType):
    if qtype is TF:
        return TrueFalse(key=key, stem=f"stem {key}", topic=topic, difficulty=difficulty)
    return SingleChoice(
        key=key,
        stem=f"stem {key}",
        topic=topic,
        difficulty=difficulty,
        options=tuple(Option(id=i, text=f"{key}-{i}", correct=i == "A") for i in "ABCD"),
    )


def make_bank(spec: dict[tuple[str, Difficulty, QuestionType], int]):
    bank = []
    for (topic, diff, qtype), n in spec.items():
        for i in range(n):
            bank.append(make_question(f"{topic}-{diff.value}-{qtype.value}-{i}", topic, diff, qtype))
    return bank


def quota_count(paper_cells: Counter, quota: Quota) -> int:
    return sum(n for cell, n in paper_cells.items() if quota.matches(cell))


BANK = make_bank(
    {
        ("产品知识", E, SC): 6,
        ("产品知识", H, SC): 2,
        ("产品知识", M, TF): 5,
        ("投诉处理", E, SC): 4,
        ("投诉处理", H, SC): 5,
        ("投诉处理", M, TF): 3,
        ("服务规范", M, SC): 6,
    }
)


def test_cell_blueprint_is_met_exactly_and_points_come_from_the_blueprint():
    bp = Blueprint(
        quotas=(
            Quota(topic="产品知识", difficulty=E, qtype=SC, count=3, points_each=Decimal(2)),
            Quota(topic="投诉处理", difficulty=H, qtype=SC, count=2, points_each=Decimal(3)),
            Quota(topic="产品知识", difficulty=M, qtype=TF, count=4, points_each=Decimal(1)),
        )
    )
    paper = draw_paper(BANK, bp, seed=7)
    assert len(paper.items) == 9
    assert paper.cell_counts() == Counter(
        {("产品知识", E, SC): 3, ("投诉处理", H, SC): 2, ("产品知识", M, TF): 4}
    )
    assert paper.total_points == Decimal(16)
    assert paper.method == "cells"
    assert len({i.question_key for i in paper.items}) == 9
    # layout: single choice questions first, then true/false
    assert [i.cell[2] for i in paper.items] == [SC] * 5 + [TF] * 4


def test_same_seed_same_paper_and_seeds_differ_per_candidate():
    bp = Blueprint(quotas=(Quota(topic="服务规范", count=3), Quota(topic="投诉处理", qtype=SC, count=4)))
    s1, s2 = candidate_seed("exam-2026-11", "张三"), candidate_seed("exam-2026-11", "李四")
    assert s1 == candidate_seed("exam-2026-11", "张三") and s1 != s2
    assert draw_paper(BANK, bp, seed=s1) == draw_paper(BANK, bp, seed=s1)
    papers = {tuple(i.question_key for i in draw_paper(BANK, bp, seed=s).items) for s in range(20)}
    assert len(papers) > 1


def test_a_plan_draws_the_same_papers_as_draw_paper():
    bp = Blueprint(quotas=(Quota(topic="产品知识", count=5), Quota(difficulty=H, count=3)), total=10)
    plan = PaperPlan(BANK, bp)
    for seed in (1, 2, 3):
        assert plan.draw(seed=seed) == draw_paper(BANK, bp, seed=seed)
    assert PaperPlan(BANK, Blueprint(quotas=(Quota(difficulty=H, count=9),), total=9)).shortages[0].have == 7


def test_cell_shortage_names_the_cell():
    bp = Blueprint(quotas=(Quota(topic="产品知识", difficulty=H, qtype=SC, count=4),))
    with pytest.raises(BlueprintShortage) as exc:
        draw_paper(BANK, bp, seed=1)
    assert str(exc.value.shortages[0]) == "topic 产品知识 × hard × single choice: need 4, bank has 2"
    assert "topic 产品知识 × hard × single choice: need 4, bank has 2" in str(exc.value)


def test_every_short_cell_is_reported():
    bp = Blueprint(
        quotas=(
            Quota(topic="产品知识", difficulty=H, qtype=SC, count=4),
            Quota(topic="服务规范", difficulty=H, qtype=TF, count=1),
            Quota(topic="投诉处理", difficulty=E, qtype=SC, count=4),
        )
    )
    with pytest.raises(BlueprintShortage) as exc:
        draw_paper(BANK, bp, seed=1)
    assert [str(s) for s in exc.value.shortages] == [
        "topic 产品知识 × hard × single choice: need 4, bank has 2",
        "topic 服务规范 × hard × true false: need 1, bank has 0",
    ]


def test_marginal_blueprint_meets_every_total():
    bp = Blueprint(
        quotas=(
            Quota(topic="产品知识", count=8),
            Quota(topic="投诉处理", count=6),
            Quota(difficulty=H, count=5),
            Quota(qtype=TF, count=4, points_each=Decimal(1)),
            Quota(qtype=SC, count=14, points_each=Decimal(2)),
        ),
        total=18,
    )
    for seed in range(10):
        paper = draw_paper(BANK, bp, seed=seed)
        cells = paper.cell_counts()
        assert len(paper.items) == 18 and len({i.question_key for i in paper.items}) == 18
        for q in bp.quotas:
            assert quota_count(cells, q) == q.count, (seed, q.label)
        assert paper.total_points == Decimal(4 * 1 + 14 * 2)
        assert paper.method.startswith("cp-sat (ortools ")


def test_marginal_totals_that_cannot_be_met_together_are_named():
    # alone each quota is fine (产品知识 has 13, 投诉处理 12, medium 14), but 产品知识 + 投诉处理
    # fill all 20 places, leaving no place for 服务规范's 6 medium questions: at most 5 + 3 = 8 medium.
    bp = Blueprint(
        quotas=(
            Quota(topic="产品知识", count=10),
            Quota(topic="投诉处理", count=10),
            Quota(difficulty=M, count=9),
        ),
        total=20,
    )
    with pytest.raises(BlueprintShortage) as exc:
        draw_paper(BANK, bp, seed=3)
    text = str(exc.value)
    assert "can be drawn together with the other quotas" in text
    assert any(s.jointly for s in exc.value.shortages)
    assert PaperPlan(BANK, bp).problems() == exc.value.shortages
    assert PaperPlan(BANK, Blueprint(quotas=(Quota(topic="产品知识", count=10),), total=20)).problems() == []


def test_marginal_plain_shortage_is_reported_before_solving():
    bp = Blueprint(quotas=(Quota(difficulty=H, count=8),), total=10)
    with pytest.raises(BlueprintShortage, match="hard: need 8, bank has 7"):
        draw_paper(BANK, bp, seed=1)
    bp = Blueprint(quotas=(), total=40)
    with pytest.raises(BlueprintShortage, match="whole paper: need 40, bank has 31"):
        draw_paper(BANK, bp, seed=1)


def test_malformed_blueprints():
    with pytest.raises(BlueprintError, match="overlap, so the paper's total must be given"):
        draw_paper(
            BANK, Blueprint(quotas=(Quota(topic="产品知识", count=2), Quota(difficulty=H, count=1))), seed=1
        )
    with pytest.raises(BlueprintError, match="count must not be negative"):
        draw_paper(BANK, Blueprint(quotas=(Quota(topic="产品知识", count=-1),)), seed=1)
    with pytest.raises(BlueprintError, match="given twice"):
        Blueprint(quotas=(Quota(topic="a", count=1), Quota(topic="a", count=2)), total=3).validate()
    conflicting = Blueprint(
        quotas=(
            Quota(topic="产品知识", count=2, points_each=Decimal(1)),
            Quota(qtype=SC, count=2, points_each=Decimal(2)),
        ),
        total=4,
    )
    with pytest.raises(BlueprintError, match="give different points"):
        draw_paper(BANK, conflicting, seed=1)
    with pytest.raises(BlueprintError, match="appears twice"):
        draw_paper(BANK + BANK[:1], Blueprint(quotas=(Quota(count=1),), total=1), seed=1)


def test_option_shuffle_keeps_the_mapping_for_marking():
    q = BANK[0]
    shuffle = OptionShuffle.for_question(q, seed=candidate_seed("e", "c"))
    assert sorted(shuffle.order) == ["A", "B", "C", "D"]
    assert shuffle == OptionShuffle.for_question(q, seed=candidate_seed("e", "c"))
    shown_letter_of_correct = shuffle.to_shown("A")
    original = shuffle.to_original(shown_letter_of_correct)
    assert original == "A" and mark(q, original).score == 1
    assert shuffle.to_original(["A", "B"]) == frozenset(shuffle.order[:2])
    with pytest.raises(ValueError, match="'E' is not one of the letters shown"):
        shuffle.to_original("E")
    orders = {OptionShuffle.for_question(q, seed=s).order for s in range(30)}
    assert len(orders) > 5
    unshuffled = OptionShuffle.for_question(q, seed=1, shuffle=False)
    assert unshuffled.order == ("A", "B", "C", "D")


def test_paper_items_record_option_order():
    bp = Blueprint(quotas=(Quota(topic="产品知识", difficulty=E, qtype=SC, count=2),))
    paper = draw_paper(BANK, bp, seed=5)
    for item in paper.items:
        assert sorted(item.option_order) == ["A", "B", "C", "D"]


# ---------------------------------------------------------------- properties

TOPICS = ["A", "B", "C"]
CELLS = [(t, d, ty) for t in TOPICS for d in (E, H) for ty in (SC, TF)]


@st.composite
def small_banks(draw, max_total=12):
    counts = draw(st.lists(st.integers(0, 3), min_size=len(CELLS), max_size=len(CELLS)))
    spec = {c: n for c, n in zip(CELLS, counts) if n}
    while sum(spec.values()) > max_total:
        biggest = max(spec, key=spec.get)
        spec[biggest] -= 1
    spec = {c: n for c, n in spec.items() if n}
    return make_bank(spec)


def _marginal_quotas(draw, bank, picked):
    cells = Counter(cell_of(q) for q in picked)
    kinds = draw(st.sets(st.sampled_from(["topic", "difficulty", "qtype", "topic_qtype"]), min_size=1))
    quotas = []
    if "topic" in kinds:
        for t in sorted({c[0] for c in map(cell_of, bank)}):
            if draw(st.booleans()):
                quotas.append(Quota(topic=t, count=sum(n for c, n in cells.items() if c[0] == t)))
    if "difficulty" in kinds:
        for d in (E, H):
            if draw(st.booleans()):
                quotas.append(Quota(difficulty=d, count=sum(n for c, n in cells.items() if c[1] == d)))
    if "qtype" in kinds:
        for ty in (SC, TF):
            if draw(st.booleans()):
                quotas.append(Quota(qtype=ty, count=sum(n for c, n in cells.items() if c[2] == ty)))
    if "topic_qtype" in kinds:
        t, ty = draw(st.sampled_from(TOPICS)), draw(st.sampled_from([SC, TF]))
        if not any(q.attrs == (t, None, ty) for q in quotas):
            quotas.append(
                Quota(topic=t, qtype=ty, count=sum(n for c, n in cells.items() if c[0] == t and c[2] == ty))
            )
    return quotas


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_feasible_marginal_blueprints_are_always_met(data):
    bank = data.draw(small_banks())
    if not bank:
        return
    # a witness paper guarantees feasibility: quotas are its own marginal totals
    picked = data.draw(st.lists(st.sampled_from(bank), unique_by=lambda q: q.key, min_size=1))
    quotas = _marginal_quotas(data.draw, bank, picked)
    bp = Blueprint(quotas=tuple(quotas), total=len(picked))
    seed = data.draw(st.integers(0, 2**32))
    paper = draw_paper(bank, bp, seed=seed)
    cells = paper.cell_counts()
    assert len(paper.items) == len(picked)
    assert len({i.question_key for i in paper.items}) == len(paper.items)
    for q in quotas:
        assert quota_count(cells, q) == q.count
    assert draw_paper(bank, bp, seed=seed) == paper


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_cell_blueprints_are_met_or_the_short_cells_named(data):
    bank = data.draw(small_banks())
    have = Counter(cell_of(q) for q in bank)
    chosen_cells = data.draw(st.lists(st.sampled_from(CELLS), unique=True, min_size=1, max_size=5))
    quotas = tuple(
        Quota(topic=c[0], difficulty=c[1], qtype=c[2], count=data.draw(st.integers(0, 4)))
        for c in chosen_cells
    )
    bp = Blueprint(quotas=quotas)
    short = [q for q in quotas if q.count > have[(q.topic, q.difficulty, q.qtype)]]
    if short:
        with pytest.raises(BlueprintShortage) as exc:
            draw_paper(bank, bp, seed=1)
        assert [s.label for s in exc.value.shortages] == [q.label for q in short]
        assert [s.have for s in exc.value.shortages] == [
            have[(q.topic, q.difficulty, q.qtype)] for q in short
        ]
    else:
        paper = draw_paper(bank, bp, seed=data.draw(st.integers(0, 1000)))
        cells = paper.cell_counts()
        for q in quotas:
            assert quota_count(cells, q) == q.count
        assert len({i.question_key for i in paper.items}) == sum(q.count for q in quotas)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_solver_agrees_with_brute_force_on_random_marginal_blueprints(data):
    bank = data.draw(small_banks(max_total=9))
    if not bank:
        return
    quotas = []
    for attrs in data.draw(
        st.lists(
            st.tuples(
                st.sampled_from([None, *TOPICS]),
                st.sampled_from([None, E, H]),
                st.sampled_from([None, SC, TF]),
            ),
            unique=True,
            max_size=4,
        )
    ):
        if attrs == (None, None, None):
            continue
        quotas.append(
            Quota(topic=attrs[0], difficulty=attrs[1], qtype=attrs[2], count=data.draw(st.integers(0, 4)))
        )
    bp = Blueprint(quotas=tuple(quotas), total=data.draw(st.integers(0, len(bank))))
    feasible = feasible_by_enumeration(bank, bp)
    if feasible:
        chosen = allocate(bank, bp, seed=data.draw(st.integers(0, 1000)))
        cells = Counter({c: len(qs) for c, qs in chosen.items()})
        assert sum(cells.values()) == bp.total
        for q in quotas:
            assert quota_count(cells, q) == q.count
    else:
        with pytest.raises(BlueprintShortage) as exc:
            allocate(bank, bp, seed=0)
        assert exc.value.shortages
