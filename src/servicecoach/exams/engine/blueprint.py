"""Papers drawn from a blueprint, one per candidate, seeded for audit (pure Python).

A blueprint is a list of *quotas*. A quota names any of topic, difficulty and question type
(an unnamed attribute means "any") and how many questions of that kind the paper holds, and
optionally the points each of them is worth.

* Cell blueprints: every quota is disjoint from the others (e.g. the full cells
  topic x difficulty x type of a two-way specification table). The paper is exactly the union:
  each quota's questions are sampled uniformly from the bank's matching questions.
* Marginal blueprints: quotas overlap (e.g. "10 on topic A", "5 hard", "20 single choice").
  Then ``total`` (the paper's size) is required; questions outside every quota may fill the
  rest. Which cell (topic x difficulty x type) contributes how many questions is an integer
  feasibility problem, solved exactly with OR-Tools CP-SAT. To randomise among the feasible
  solutions, the solver looks for the allocation closest (in L1 distance) to a uniformly random
  draw of ``total`` questions from the bank; the questions inside each cell are then sampled,
  preferring the ones that random draw picked.

The draw is a function of (bank, blueprint, seed) only: the same seed gives the same paper. A
candidate's seed comes from ``candidate_seed(exam_key, candidate_key)`` and is stored with the
paper. When the bank cannot satisfy the blueprint, ``BlueprintShortage`` lists each quota that is
short: ``topic 产品知识 × hard × single choice: need 4, bank has 2``.

Points: the most specific matching quota that gives ``points_each`` decides; otherwise the
question's own points. Two equally specific matching quotas with different points are an error.
"""

from __future__ import annotations

import hashlib
import itertools
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .questions import Difficulty, Question, QuestionType, _ChoiceQuestion

TYPE_ORDER = list(QuestionType)
DIFFICULTY_ORDER = list(Difficulty)

Cell = tuple[str, Difficulty, QuestionType]


class BlueprintError(ValueError):
    """The blueprint itself is malformed (independent of any bank)."""


@dataclass(frozen=True, kw_only=True)
class Quota:
    count: int
    topic: str | None = None
    difficulty: Difficulty | None = None
    qtype: QuestionType | None = None
    points_each: Decimal | None = None

    @property
    def attrs(self) -> tuple[str | None, Difficulty | None, QuestionType | None]:
        return (self.topic, self.difficulty, self.qtype)

    @property
    def specificity(self) -> int:
        return sum(a is not None for a in self.attrs)

    def matches(self, cell: Cell) -> bool:
        return all(a is None or a == c for a, c in zip(self.attrs, cell))

    def overlaps(self, other: Quota) -> bool:
        return all(a is None or b is None or a == b for a, b in zip(self.attrs, other.attrs))

    @property
    def label(self) -> str:
        parts = []
        if self.topic is not None:
            parts.append(f"topic {self.topic}")
        if self.difficulty is not None:
            parts.append(Difficulty(self.difficulty).value)
        if self.qtype is not None:
            parts.append(QuestionType(self.qtype).label)
        return " × ".join(parts) if parts else "whole paper"


@dataclass(frozen=True, kw_only=True)
class Blueprint:
    quotas: tuple[Quota, ...]
    total: int | None = None

    def validate(self) -> None:
        if not self.quotas and self.total is None:
            raise BlueprintError("blueprint: has no quotas and no total")
        seen: dict[tuple, Quota] = {}
        for i, q in enumerate(self.quotas, 1):
            if q.count < 0:
                raise BlueprintError(
                    f"blueprint quota {i} ({q.label}): count must not be negative, got {q.count}"
                )
            if q.points_each is not None and q.points_each <= 0:
                raise BlueprintError(f"blueprint quota {i} ({q.label}): points must be positive")
            if q.attrs in seen:
                raise BlueprintError(f"blueprint quota {i} ({q.label}): given twice")
            seen[q.attrs] = q
        if self.total is not None and self.total < 0:
            raise BlueprintError(f"blueprint total: must not be negative, got {self.total}")
        if self.total is None:
            for a, b in itertools.combinations(self.quotas, 2):
                if a.overlaps(b):
                    raise BlueprintError(
                        f"blueprint: quotas '{a.label}' and '{b.label}' overlap, so the paper's total must be given"
                    )

    @property
    def is_marginal(self) -> bool:
        return self.total is not None

    @property
    def paper_size(self) -> int:
        return self.total if self.total is not None else sum(q.count for q in self.quotas)


@dataclass(frozen=True, kw_only=True)
class Shortage:
    label: str
    need: int
    have: int
    jointly: bool = False  # True: each quota alone is fine, the quotas together are not
    excess: bool = False  # jointly, and the other quotas force more than ``need``

    def __str__(self) -> str:
        if self.jointly and self.excess:
            return f"{self.label}: need {self.need}, but the other quotas force at least {self.have}"
        if self.jointly:
            return f"{self.label}: need {self.need}, at most {self.have} can be drawn together with the other quotas"
        return f"{self.label}: need {self.need}, bank has {self.have}"


class BlueprintShortage(ValueError):
    def __init__(self, shortages: Sequence[Shortage]):
        self.shortages = list(shortages)
        super().__init__(
            "the bank cannot satisfy the blueprint: " + "; ".join(str(s) for s in self.shortages)
        )


@dataclass(frozen=True, kw_only=True)
class PaperItem:
    position: int
    question_key: str
    version: int
    points: Decimal
    cell: Cell
    option_order: tuple[str, ...] = ()  # original option ids in the order shown (choice questions)


@dataclass(frozen=True, kw_only=True)
class Paper:
    """One candidate's paper. ``seed`` and ``method`` are the audit record: the same bank,
    blueprint and seed give the same paper with the same method (for marginal blueprints the
    OR-Tools version is part of the method, since another solver version may break ties between
    equally good allocations differently; the items themselves are what gets stored)."""

    seed: int
    items: tuple[PaperItem, ...]
    method: str = "cells"

    @property
    def total_points(self) -> Decimal:
        return sum((i.points for i in self.items), Decimal(0))

    def cell_counts(self) -> Counter:
        return Counter(i.cell for i in self.items)


def cell_of(question: Question) -> Cell:
    return (question.topic, question.difficulty, question.type)


def candidate_seed(exam_key: str, candidate_key: str) -> int:
    """A candidate's seed: stable across runs and machines (sha256), stored with the paper."""
    digest = hashlib.sha256(f"{exam_key}\x1f{candidate_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _sub_seed(seed: int, *parts: str) -> int:
    digest = hashlib.sha256("\x1f".join((str(seed), *parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _group_bank(bank: Iterable[Question]) -> dict[Cell, list[Question]]:
    cells: dict[Cell, list[Question]] = defaultdict(list)
    keys: set[str] = set()
    for q in bank:
        if q.key in keys:
            raise BlueprintError(f"bank: question key {q.key!r} appears twice")
        keys.add(q.key)
        cells[cell_of(q)].append(q)
    for qs in cells.values():
        qs.sort(key=lambda q: q.key)
    return dict(sorted(cells.items(), key=lambda kv: _cell_sort_key(kv[0])))


def _cell_sort_key(cell: Cell) -> tuple:
    return (cell[0], DIFFICULTY_ORDER.index(cell[1]), TYPE_ORDER.index(cell[2]))


def _universe(blueprint: Blueprint, cells: dict[Cell, list[Question]]) -> list[Cell]:
    if blueprint.is_marginal:
        return list(cells)
    return [c for c in cells if any(q.matches(c) for q in blueprint.quotas)]


def _points_for(blueprint: Blueprint, cell: Cell) -> Decimal | None:
    matching = [q for q in blueprint.quotas if q.points_each is not None and q.matches(cell)]
    if not matching:
        return None
    top = max(q.specificity for q in matching)
    values = {q.points_each for q in matching if q.specificity == top}
    if len(values) > 1:
        labels = ", ".join(f"'{q.label}'" for q in matching if q.specificity == top)
        raise BlueprintError(f"blueprint: quotas {labels} give different points to the same questions")
    return values.pop()


class PaperPlan:
    """A blueprint checked against a bank once, ready to draw any number of papers.

    Building the plan groups the bank by cell, checks every quota's supply and the points rules;
    ``draw(seed=...)`` then costs only the sampling (and, for marginal blueprints, one CP-SAT
    solve). The constructor raises BlueprintError for a malformed blueprint or bank; quotas the
    bank cannot supply are in ``shortages``, and ``draw`` raises BlueprintShortage for them and for
    quotas that cannot be met together. ``problems()`` reports both without drawing a paper.
    """

    def __init__(self, bank: Iterable[Question], blueprint: Blueprint):
        blueprint.validate()
        self.blueprint = blueprint
        self.cells = _group_bank(bank)
        self.universe = _universe(blueprint, self.cells)
        self.points = {c: _points_for(blueprint, c) for c in self.universe}
        self.members = [[c for c in self.universe if q.matches(c)] for q in blueprint.quotas]
        self.shortages = []
        for q, members in zip(blueprint.quotas, self.members):
            have = sum(len(self.cells[c]) for c in members)
            if have < q.count:
                self.shortages.append(Shortage(label=q.label, need=q.count, have=have))
        if blueprint.total is not None:
            have = sum(len(self.cells[c]) for c in self.universe)
            if have < blueprint.total:
                self.shortages.append(Shortage(label="whole paper", need=blueprint.total, have=have))
        self.pools = [[qq for c in members for qq in self.cells[c]] for members in self.members]

    def problems(self) -> list[Shortage]:
        """Every reason the blueprint cannot be drawn from this bank (empty: it can), for the
        page where a trainer saves a blueprint."""
        if self.shortages:
            return list(self.shortages)
        try:
            self.allocate(0)
        except BlueprintShortage as exc:
            return exc.shortages
        return []

    def allocate(self, seed: int) -> tuple[dict[Cell, list[Question]], str]:
        """The paper's questions per cell (unordered) and the method used."""
        if self.shortages:
            raise BlueprintShortage(self.shortages)
        blueprint, cells = self.blueprint, self.cells
        rng = random.Random(seed)
        chosen: dict[Cell, list[Question]] = {}
        if not blueprint.is_marginal:
            # Disjoint quotas: sample each quota uniformly from the questions that match it.
            for q, pool in zip(blueprint.quotas, self.pools):
                for qq in rng.sample(pool, q.count):
                    chosen.setdefault(cell_of(qq), []).append(qq)
            return chosen, "cells"
        pool = [qq for c in self.universe for qq in cells[c]]
        ideal = rng.sample(pool, blueprint.paper_size)
        target = Counter(cell_of(qq) for qq in ideal)
        result = _solve_allocation(blueprint, cells, self.universe, self.members, target, seed)
        if isinstance(result, list):
            raise BlueprintShortage(result)
        ideal_keys = {qq.key for qq in ideal}
        for c, n in result.items():
            if n == 0:
                continue
            preferred = [qq for qq in cells[c] if qq.key in ideal_keys]
            rest = [qq for qq in cells[c] if qq.key not in ideal_keys]
            if n <= len(preferred):
                picked = rng.sample(preferred, n)
            else:
                picked = preferred + rng.sample(rest, n - len(preferred))
            chosen[c] = picked
        return chosen, solver_method()

    def draw(self, *, seed: int, shuffle_questions: bool = True, shuffle_options: bool = True) -> Paper:
        """One candidate's paper. Questions are grouped by type (single choice first, essay
        last, as Chinese papers are laid out); within a type their order is shuffled when asked."""
        chosen, method = self.allocate(seed)
        rng = random.Random(_sub_seed(seed, "order"))
        by_type: dict[QuestionType, list[Question]] = defaultdict(list)
        for c, qs in chosen.items():
            by_type[c[2]].extend(qs)
        ordered: list[Question] = []
        for t in TYPE_ORDER:
            group = sorted(by_type.get(t, []), key=lambda q: (_cell_sort_key(cell_of(q)), q.key))
            if shuffle_questions:
                rng.shuffle(group)
            ordered.extend(group)
        items = []
        for pos, q in enumerate(ordered, 1):
            cell = cell_of(q)
            pts = self.points[cell]
            order: tuple[str, ...] = ()
            if isinstance(q, _ChoiceQuestion):
                order = OptionShuffle.for_question(q, seed=seed, shuffle=shuffle_options).order
            items.append(
                PaperItem(
                    position=pos,
                    question_key=q.key,
                    version=q.version,
                    points=pts if pts is not None else q.points,
                    cell=cell,
                    option_order=order,
                )
            )
        return Paper(seed=seed, items=tuple(items), method=method)


def check_supply(bank: Iterable[Question], blueprint: Blueprint) -> list[Shortage]:
    """Each quota (and the total) on its own against the bank: the plain shortages."""
    return PaperPlan(bank, blueprint).shortages


def _solve_allocation(
    blueprint: Blueprint,
    cells: dict[Cell, list[Question]],
    universe: list[Cell],
    members: list[list[Cell]],
    target: dict[Cell, int],
    seed: int,
) -> dict[Cell, int] | list[Shortage]:
    """CP-SAT: x_c in [0, |bank_c|], every quota met exactly, as close as possible to target.
    When infeasible, a second model with slack per quota says which quotas cannot be met."""
    from ortools.sat.python import cp_model  # imported lazily: only marginal blueprints need it

    def solver(random_seed: int) -> cp_model.CpSolver:
        s = cp_model.CpSolver()
        s.parameters.num_workers = 1  # single-threaded + fixed seed: deterministic
        s.parameters.random_seed = random_seed % (2**31)
        s.parameters.max_time_in_seconds = 10.0
        return s

    total = blueprint.paper_size
    constraints = [(q.label, q.count, m) for q, m in zip(blueprint.quotas, members)]
    constraints.append(("whole paper", total, list(universe)))

    model = cp_model.CpModel()
    x = {c: model.new_int_var(0, len(cells[c]), f"x{i}") for i, c in enumerate(universe)}
    for _, count, members in constraints:
        model.add(sum(x[c] for c in members) == count)
    dev = []
    for i, c in enumerate(universe):
        d = model.new_int_var(0, len(cells[c]), f"d{i}")
        model.add(d >= x[c] - target.get(c, 0))
        model.add(d >= target.get(c, 0) - x[c])
        dev.append(d)
    model.minimize(sum(dev))
    s = solver(seed)
    status = s.solve(model)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {c: int(s.value(v)) for c, v in x.items()}
    if status != cp_model.INFEASIBLE:
        raise RuntimeError(f"blueprint solver gave up (status {s.status_name(status)})")

    # Which quotas must give way, and by how much: minimise the total shortfall/excess, keeping
    # the paper's size if at all possible (its slack costs more than any quota's).
    model = cp_model.CpModel()
    x = {c: model.new_int_var(0, len(cells[c]), f"x{i}") for i, c in enumerate(universe)}
    slack = []
    for j, (_, count, members) in enumerate(constraints):
        under = model.new_int_var(0, count, f"u{j}")
        over = model.new_int_var(0, max(0, sum(len(cells[c]) for c in members)), f"o{j}")
        model.add(sum(x[c] for c in members) + under - over == count)
        slack.append((under, over))
    weights = [1] * (len(slack) - 1) + [len(slack) * (total + 1)]
    model.minimize(sum(w * (u + o) for w, (u, o) in zip(weights, slack)))
    s = solver(0)  # the diagnosis does not depend on the candidate
    status = s.solve(model)
    out = []
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for (label, count, members), (under, over) in zip(constraints, slack):
            u, o = int(s.value(under)), int(s.value(over))
            if u or o:
                got = sum(int(s.value(x[c])) for c in members)
                out.append(Shortage(label=label, need=count, have=got, jointly=True, excess=o > 0))
    if not out:  # cannot happen for a correct model; still say something useful
        out.append(Shortage(label="whole paper", need=total, have=0, jointly=True))
    return out


def allocate(bank: Sequence[Question], blueprint: Blueprint, seed: int) -> dict[Cell, list[Question]]:
    """The questions of the paper, per cell (unordered). Raises BlueprintShortage."""
    return PaperPlan(bank, blueprint).allocate(seed)[0]


def solver_method() -> str:
    from ortools import __version__ as ortools_version

    return f"cp-sat (ortools {ortools_version})"


def draw_paper(
    bank: Sequence[Question],
    blueprint: Blueprint,
    *,
    seed: int,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> Paper:
    """One candidate's paper (see PaperPlan.draw; build a PaperPlan once to draw many)."""
    return PaperPlan(bank, blueprint).draw(
        seed=seed, shuffle_questions=shuffle_questions, shuffle_options=shuffle_options
    )


LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, kw_only=True)
class OptionShuffle:
    """The options as one candidate sees them: ``order[i]`` is the original id shown under
    letter ``LETTERS[i]``. Marking always works on original ids (``to_original``)."""

    question_key: str
    order: tuple[str, ...]

    @classmethod
    def for_question(cls, question: _ChoiceQuestion, *, seed: int, shuffle: bool = True) -> OptionShuffle:
        ids = [o.id for o in question.options]
        if shuffle:
            random.Random(_sub_seed(seed, "options", question.key)).shuffle(ids)
        return cls(question_key=question.key, order=tuple(ids))

    def to_original(self, shown: str | Iterable[str]) -> str | frozenset[str]:
        def one(letter: str) -> str:
            i = LETTERS.find(letter)
            if i < 0 or i >= len(self.order):
                raise ValueError(
                    f"question {self.question_key!r}: {letter!r} is not one of the letters shown "
                    f"(A..{LETTERS[len(self.order) - 1]})"
                )
            return self.order[i]

        if isinstance(shown, str):
            return one(shown)
        return frozenset(one(s) for s in shown)

    def to_shown(self, original_id: str) -> str:
        return LETTERS[self.order.index(original_id)]


def feasible_by_enumeration(bank: Sequence[Question], blueprint: Blueprint) -> bool:
    """Reference: try every allocation x_c in [0, |bank_c|] (small banks only, for tests)."""
    blueprint.validate()
    cells = _group_bank(bank)
    universe = _universe(blueprint, cells)
    ranges = [range(len(cells[c]) + 1) for c in universe]
    for combo in itertools.product(*ranges):
        alloc = dict(zip(universe, combo))
        if sum(combo) != blueprint.paper_size:
            continue
        if all(sum(n for c, n in alloc.items() if q.matches(c)) == q.count for q in blueprint.quotas):
            return True
    return False
