"""Scoring a month: every item of every agent, explained; rankings per team; incentive tiers.

:func:`score_month` takes the month's rows (one mapping per agent: ``agent``, optionally ``team``,
and the template's figures) and returns one :class:`AgentResult` per agent, ranked in its team.
Team totals (for ``share(x)``) and team sizes are computed once per team.

An item whose input cannot be computed (a figure missing, a zero denominator, no previous month)
scores *no data*: its points are ``None``, its explanation says why, the agent's total leaves it
out and the result is marked incomplete. It is never counted as 0.

Ranking (per team): by total, higher first; then by each ``ranking.tie_break`` entry of the
template in order (a section's or item's points, higher first, no data counting as lowest);
agents equal on all of these share a rank (competition ranking: 1, 2, 2, 4) and are listed by
agent id. Incentive tiers go by rank: an agent is in band X (``top_percent: p``) when the agents
ranked strictly ahead are fewer than p% of the team, i.e. the best ceil(n × p / 100) ranks, ties
included; the first band that fits wins and ``min_total`` (if given) must be reached too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .formula import Context, NoData
from .rules import fmt
from .template import Item, Template


@dataclass(slots=True)
class ItemResult:
    item: str
    section: str
    points: float | None  # None: no data
    weight: float
    value: Any
    zh: str
    en: str

    @property
    def no_data(self) -> bool:
        return self.points is None


@dataclass(slots=True)
class AgentResult:
    agent: str
    team: str
    template: str
    version: str
    items: list[ItemResult]
    total: float
    max_total: float
    sections: dict[str, float]
    missing: list[str]
    month: str | None = None
    team_size: int = 1
    rank: int | None = None
    tier: str | None = None
    tie_key: tuple = field(default=(), repr=False)

    @property
    def complete(self) -> bool:
        return not self.missing

    def item(self, item_id: str) -> ItemResult:
        for r in self.items:
            if r.item == item_id:
                return r
        raise KeyError(item_id)


def _clean(figs: Mapping[str, Any], template: Template) -> dict[str, Any]:
    """The figures as the formulas expect them: numbers (or level texts), missing ones left out."""
    out: dict[str, Any] = {}
    for fid, fig in template.figures.items():
        v = figs.get(fid)
        if v is None or v == "":
            continue
        if fig.kind == "level":
            out[fid] = v
        elif isinstance(v, int | float) and not isinstance(v, bool) and v == v:
            out[fid] = v
    return out


def score_item(item: Item, figs: Mapping[str, Any], ctx: Context, team_size: int) -> ItemResult:
    """Score one item for one agent: points and the explanation in Chinese and English.

    Input values are rounded to 9 decimals first: binary noise must not cross a threshold
    (110000 / 100000 × 100 = 110.00000000000001 is 110, not above 110)."""
    value = None
    outcomes = []
    try:
        if item.evaluate is not None:
            value = item.evaluate(figs, ctx)
            if value.__class__ is float:
                value = round(value, 9)
        unit = item.unit
        for rule, own in zip(item.rules, item.rule_inputs):
            if own is None:
                o = rule.apply(value, unit, team_size)
            else:
                v = own(figs, ctx)
                o = rule.apply(round(v, 9) if v.__class__ is float else v, "", team_size)
            if o is not None:
                outcomes.append(o)
    except NoData as e:
        return ItemResult(item.id, item.section, None, item.weight, value,
                          f"{item.name[0]}：无数据（{e.zh}）", f"{item.name[1]}: no data ({e.en})")
    except ValueError as e:  # a bad level or event count that reached the engine unchecked
        return ItemResult(item.id, item.section, None, item.weight, value,
                          f"{item.name[0]}：无数据（{e}）", f"{item.name[1]}: no data ({e})")
    if value is None:
        shown = ""
    elif isinstance(value, (int, float)):  # noqa: UP038 - the tuple form is faster
        shown = f" {fmt(value)}{item.unit}"
    else:
        shown = f" {value}"
    if not outcomes:
        points = min(max(item.base, item.floor), item.cap) if item.cap is not None else max(item.base, item.floor)
        tail = f" → {fmt(points)}/{item.weight_text}"
        return ItemResult(item.id, item.section, points, item.weight, value,
                          f"{item.name[0]}{shown}：无扣分{tail}", f"{item.name[1]}{shown}: no deduction{tail}")
    scores = [o.value for o in outcomes if o.kind == "score"]
    if scores:
        points = min(scores)
    else:
        points = item.base + sum(o.value for o in outcomes)
    notes_zh, notes_en = [o.zh for o in outcomes], [o.en for o in outcomes]
    if points < item.floor:
        points = item.floor
        notes_zh.append(f"最低 {fmt(item.floor)} 分")
        notes_en.append(f"floored at {fmt(item.floor)}")
    elif item.cap is not None and points > item.cap:
        points = item.cap
        notes_zh.append(f"最高 {fmt(item.cap)} 分")
        notes_en.append(f"capped at {fmt(item.cap)}")
    points = round(points, 4)
    tail = f" → {fmt(points)}/{item.weight_text}"
    return ItemResult(item.id, item.section, points, item.weight, value,
                      f"{item.name[0]}{shown}：{'；'.join(notes_zh)}{tail}",
                      f"{item.name[1]}{shown}: {'; '.join(notes_en)}{tail}")


def score_agent(template: Template, figures: Mapping[str, Any], *, agent: str = "", team: str = "",
                previous: Mapping[str, Any] | None = None, team_totals: Mapping[str, Any] | None = None,
                team_size: int = 1, month: str | None = None) -> AgentResult:
    """Score one agent's month (``team_totals`` and ``team_size`` as :func:`team_context` gives)."""
    figs = _clean(figures, template)
    prev = _clean(previous, template) if previous is not None else None
    ctx = Context(prev=prev, team_totals=team_totals or {}, constants=template.constants)
    items = [score_item(it, figs, ctx, team_size) for it in template.items]
    sections: dict[str, float] = {s.id: 0.0 for s in template.sections}
    total = 0.0
    missing = []
    for r in items:
        if r.points is None:
            missing.append(r.item)
        else:
            sections[r.section] += r.points
            total += r.points
    return AgentResult(agent, team, template.id, template.version, items, round(total, 4), template.max_total,
                       {k: round(v, 4) for k, v in sections.items()}, missing, month=month, team_size=team_size)


def team_context(template: Template, members: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The team totals of the figures ``share()`` reads. A total is a :class:`NoData` when a member
    lacks the figure (the share of the others would be overstated)."""
    members = list(members)
    totals: dict[str, Any] = {}
    for fid in template.shared:
        label_zh, label_en = template.figures[fid].name
        total = 0.0
        lacking = 0
        for m in members:
            v = m.get(fid)
            if isinstance(v, int | float) and not isinstance(v, bool) and v == v:
                total += v
            else:
                lacking += 1
        totals[fid] = (NoData(f"团队中 {lacking} 人缺少{label_zh}，无法合计", f"{lacking} team member(s) lack {label_en}")
                       if lacking else total)
    return totals


def score_month(
    template: Template,
    rows: Iterable[Mapping[str, Any]],
    *,
    team_of: Mapping[str, str] | Callable[[Mapping[str, Any]], str] | None = None,
    previous: Mapping[str, Mapping[str, Any]] | None = None,
    month: str | None = None,
    unscored: Mapping[str, int] | None = None,
) -> list[AgentResult]:
    """Score many agents' month at once.

    ``rows``: one mapping per agent with ``agent`` (id), optionally ``team``, and the figures.
    ``team_of``: agent id → team (a mapping or a function of the row); default: the row's ``team``.
    ``previous``: agent id → last month's figures, for ``change()`` and ``prev.x``.
    ``unscored``: team → number of its members whose rows could not be read; they count in the team's
    size, and the team totals of ``share()`` become unknown (no data) since their figures are not known.
    Returns the results grouped by team (teams in name order), each team in rank order.
    """
    teams: dict[str, list[Mapping[str, Any]]] = {}
    for n, row in enumerate(rows, start=1):
        if not row.get("agent") and row.get("agent") != 0:
            raise ValueError(f"row {n} has no agent: every row needs an 'agent' id")
        if team_of is None:
            team = row.get("team") or ""
        elif callable(team_of):
            team = team_of(row)
        else:
            team = team_of.get(row["agent"], "")
        teams.setdefault(str(team), []).append(row)
    results: list[AgentResult] = []
    prev = previous or {}
    for team in sorted(teams):
        members = teams[team]
        totals = team_context(template, members)
        n = len(members)
        lost = (unscored or {}).get(team, 0)
        if lost:
            n += lost
            totals = {k: NoData(f"团队有 {lost} 行数据被跳过，无法合计", f"{lost} row(s) of the team were skipped")
                      for k in totals}
        team_results = [
            score_agent(template, row, agent=str(row["agent"]), team=team, previous=prev.get(row["agent"]),
                        team_totals=totals, team_size=n, month=month)
            for row in members
        ]
        results.extend(rank_team(template, team_results))
    return results


def _tie_key(template: Template, r: AgentResult) -> tuple:
    key: list[float] = [-r.total]
    for t in template.tie_break:
        if t in r.sections:
            key.append(-r.sections[t])
        else:
            p = r.item(t).points
            key.append(float("inf") if p is None else -p)
    return tuple(key)


def rank_team(template: Template, results: list[AgentResult]) -> list[AgentResult]:
    """Rank one team's results in place (competition ranking) and give incentive tiers; returns
    them in rank order, ties listed by agent id. Bands count the ranked agents only."""
    for r in results:
        r.tie_key = _tie_key(template, r)
    ordered = sorted(results, key=lambda r: (r.tie_key, r.agent))
    n = len(ordered)
    prev_key = None
    rank = 0
    for i, r in enumerate(ordered):
        if r.tie_key != prev_key:
            rank = i + 1
            prev_key = r.tie_key
        r.rank = rank
        r.tier = None
        ahead = rank - 1
        for inc in template.incentives:
            if ahead * 100 < inc.top_percent * n and (inc.min_total is None or r.total >= inc.min_total):
                r.tier = inc.id
                break
    return ordered
