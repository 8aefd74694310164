"""The scoring rules of a KPI item, parsed from template data, each explaining what it did.

An item starts at its ``base`` (its weight unless told otherwise); each rule looks at a value (the
item's input, or the rule's own ``input``) and gives an :class:`Outcome` or nothing:

- a *delta* (``points: -1``) is added to the running points;
- a *score* (``score: 0``) sets the item's points outright; when several rules give a score the
  lowest wins and deltas are ignored.

The item's points are then held between its ``floor`` (0) and ``cap`` (its weight, or more when the
template lets bonuses go past the weight). Rule types (``type:``):

``steps``       each ``every`` (units of the value) ``below``/``above`` a ``standard`` → ``points``
                per step; ``partial`` says how a started step counts: ``floor`` (only whole steps),
                ``ceil`` (a started step counts whole) or ``proportional``; ``max_steps`` optional.
``threshold``   one comparison (``below``/``at_most``/``above``/``at_least``: x) → ``points`` or
                ``score``. ``bonus`` is the same with positive points.
``tiers``       a list of comparisons in one ``direction`` (``below``: ``below``/``at_most`` keys,
                checked from the lowest threshold up; ``above``: ``above``/``at_least`` keys, checked
                from the highest down); the first that matches gives its outcome, ``else`` when none
                does. ``team_size`` makes thresholds depend on the team's size: ``{scale: {reference:
                5}}`` multiplies them by reference ÷ team size, ``{bands: [{up_to: 4, tiers: [...]},
                {tiers: [...]}]}`` picks a tier list by size.
``per_event``   a count of events (late arrivals, breaches, complaints), ``points`` each; with
                ``max_events`` only that many count, and ``beyond`` (an outcome) applies when the
                count is above it.
``rating``      the supervisor picks a level; ``levels`` listed best first, each with ``id``, ``name``,
                ``points`` and ``description``.

Every parse error is a :class:`SpecError` with the field path inside the rule; :mod:`.template`
adds the template and item ids.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

COMPARISONS = {
    # key: (test, English words, Chinese words, side) ; side -1: matches low values, +1: high values
    "below": (lambda v, t: v < t, "below", "低于", -1),
    "at_most": (lambda v, t: v <= t, "at most", "不高于", -1),
    "above": (lambda v, t: v > t, "above", "高于", 1),
    "at_least": (lambda v, t: v >= t, "at least", "不低于", 1),
}
OPPOSITE = {"below": "at_least", "at_most": "above", "above": "at_most", "at_least": "below"}
PARTIALS = ("floor", "ceil", "proportional")
MINUS = "\u2212"


class SpecError(ValueError):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(f"field {field}: {message}")


def fmt(x: float) -> str:
    """A number for people: at most 2 decimals, no trailing zeros, a real minus sign."""
    i = int(x)
    if x == i:  # the common case, and the fast one
        return str(i) if i >= 0 else MINUS + str(-i)
    r = round(x, 2)
    if r == 0:
        return "0"
    text = f"{r:.2f}".rstrip("0").rstrip(".")
    return text.replace("-", MINUS)


def signed(x: float) -> str:
    return fmt(x) if x < 0 else ("+" + fmt(x) if x > 0 else "0")


def bilingual(data: Any, field: str, *, required: bool = True) -> tuple[str, str]:
    """``{zh: ..., en: ...}`` (or one string for both) → (zh, en)."""
    if data is None and not required:
        return ("", "")
    if isinstance(data, str) and data.strip():
        return (data, data)
    if isinstance(data, Mapping):
        zh, en = data.get("zh"), data.get("en")
        if isinstance(zh, str) and zh.strip() and isinstance(en, str) and en.strip():
            return (zh, en)
    raise SpecError(field, "must be {zh: ..., en: ...} with both texts")


def number(data: Mapping[str, Any], key: str, path: str, *, default: Any = ..., positive: bool = False) -> Any:
    if key not in data or data[key] is None:
        if default is ...:
            raise SpecError(f"{path}{key}", "is required")
        return default
    v = data[key]
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        raise SpecError(f"{path}{key}", "must be a number")
    if positive and v <= 0:
        raise SpecError(f"{path}{key}", "must be above 0")
    return float(v)


def check_keys(data: Any, allowed: set[str], path: str) -> None:
    if not isinstance(data, Mapping):
        raise SpecError(path.rstrip(".") or "rule", "must be a mapping")
    extra = sorted(set(data) - allowed)
    if extra:
        raise SpecError(f"{path}{extra[0]}", f"unknown field (allowed: {', '.join(sorted(allowed))})")


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: str  # "delta" | "score"
    value: float
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Effect:
    """What a tier or threshold does when it matches: add ``points`` or set ``score``."""

    kind: str
    value: float

    @classmethod
    def parse(cls, data: Mapping[str, Any], path: str) -> Effect:
        has_p, has_s = data.get("points") is not None, data.get("score") is not None
        if has_p == has_s:
            raise SpecError(f"{path}points", "give exactly one of points (added) or score (set)")
        if has_p:
            return cls("delta", number(data, "points", path))
        return cls("score", number(data, "score", path))

    def words(self) -> tuple[str, str]:
        if self.kind == "score":
            return (f"得 {fmt(self.value)} 分", f"scores {fmt(self.value)}")
        if self.value == 0:
            return ("不扣分", "no change")
        return (signed(self.value), signed(self.value))

    def effective(self, base: float) -> float:
        return self.value if self.kind == "score" else base + self.value


@dataclass(frozen=True, slots=True)
class Tier:
    key: str  # a COMPARISONS key
    threshold: float
    effect: Effect

    @classmethod
    def parse(cls, data: Any, path: str, keys: tuple[str, ...]) -> Tier:
        check_keys(data, {*keys, "points", "score"}, path)
        present = [k for k in keys if k in data]
        if len(present) != 1:
            raise SpecError(f"{path}{keys[0]}", f"give exactly one of {', '.join(keys)}")
        return cls(present[0], number(data, present[0], path), Effect.parse(data, path))


class Rule:
    """Base of the rule types; ``input`` is the rule's own formula text, if any."""

    type = ""
    input: str | None = None

    def apply(self, value: Any, unit: str, team_size: int) -> Outcome | None:  # pragma: no cover
        raise NotImplementedError

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        """Ways this rule would score worse performance higher, as (field, message)."""
        return []


def _cmp_words(key: str, threshold: float, unit: str) -> tuple[str, str]:
    _, en, zh, _ = COMPARISONS[key]
    return (f"{zh} {fmt(threshold)}{unit}", f"{en} {fmt(threshold)}{unit}")


class Steps(Rule):
    type = "steps"

    def __init__(self, data: Mapping[str, Any], path: str):
        check_keys(data, {"type", "input", "side", "standard", "every", "points", "partial", "max_steps"}, path)
        self.side = data.get("side")
        if self.side not in ("below", "above"):
            raise SpecError(f"{path}side", "must be below or above")
        self.standard = number(data, "standard", path)
        self.every = number(data, "every", path, positive=True)
        self.points = number(data, "points", path)
        self.partial = data.get("partial", "floor")
        if self.partial not in PARTIALS:
            raise SpecError(f"{path}partial", f"must be one of {', '.join(PARTIALS)}")
        self.max_steps = number(data, "max_steps", path, default=None, positive=True)
        self.path = path

    def apply(self, value: float, unit: str, team_size: int) -> Outcome | None:
        gap = self.standard - value if self.side == "below" else value - self.standard
        if gap <= 0:
            return None
        raw = round(gap / self.every, 9)  # 13 / 5 must not become 2.6000000001 steps
        n = math.ceil(raw) if self.partial == "ceil" else (math.floor(raw) if self.partial == "floor" else raw)
        if self.max_steps is not None:
            n = min(n, self.max_steps)
        if n == 0:
            return None
        total = round(n * self.points, 6)
        where_zh, where_en = ("低于", "below") if self.side == "below" else ("高于", "above")
        return Outcome(
            "delta",
            total,
            f"{where_zh}标准 {fmt(gap)}{unit}，{fmt(n)} 档 × {signed(self.points)} = {signed(total)}",
            f"{fmt(gap)}{unit} {where_en} standard, {fmt(n)} step{'s' if n != 1 else ''} × "
            f"{signed(self.points)} = {signed(total)}",
        )

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        worse_side = "below" if better == "higher" else "above"
        if self.side == worse_side and self.points > 0:
            return [(f"{self.path}points", f"adds points {self.side} the standard although {better} is better")]
        if self.side != worse_side and self.points < 0:
            return [(f"{self.path}points", f"takes points {self.side} the standard although {better} is better")]
        return []


class Threshold(Rule):
    type = "threshold"

    def __init__(self, data: Mapping[str, Any], path: str, *, bonus: bool = False):
        check_keys(data, {"type", "input", *COMPARISONS, "points", "score"}, path)
        self.tier = Tier.parse({k: v for k, v in data.items() if k not in ("type", "input")}, path, tuple(COMPARISONS))
        if bonus and (self.tier.effect.kind != "delta" or self.tier.effect.value <= 0):
            raise SpecError(f"{path}points", "a bonus adds points: give points above 0")
        self.path = path

    def apply(self, value: float, unit: str, team_size: int) -> Outcome | None:
        t = self.tier
        if not COMPARISONS[t.key][0](value, t.threshold):
            return None
        czh, cen = _cmp_words(t.key, t.threshold, unit)
        ezh, een = t.effect.words()
        return Outcome(t.effect.kind, t.effect.value, f"{czh}：{ezh}", f"{cen}: {een}")

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        side = COMPARISONS[self.tier.key][3]
        matches_worse = (side < 0) == (better == "higher")
        eff = self.tier.effect
        if eff.kind == "delta" and matches_worse and eff.value > 0:
            return [(f"{self.path}points", f"adds points on the worse side although {better} is better")]
        if eff.kind == "delta" and not matches_worse and eff.value < 0:
            return [(f"{self.path}points", f"takes points on the better side although {better} is better")]
        if eff.kind == "score" and not matches_worse:
            return [(f"{self.path}score", "sets a score on the better side: use points instead")]
        return []


class Tiers(Rule):
    type = "tiers"

    def __init__(self, data: Mapping[str, Any], path: str):
        check_keys(data, {"type", "input", "direction", "tiers", "else", "team_size"}, path)
        self.direction = data.get("direction")
        if self.direction not in ("below", "above"):
            raise SpecError(f"{path}direction", "must be below or above")
        self.keys = ("below", "at_most") if self.direction == "below" else ("above", "at_least")
        self.path = path
        self.else_effect = None
        if data.get("else") is not None:
            check_keys(data["else"], {"points", "score"}, f"{path}else.")
            self.else_effect = Effect.parse(data["else"], f"{path}else.")
        self.scale_reference: float | None = None
        self.bands: list[tuple[int | None, list[Tier]]] = []
        ts = data.get("team_size")
        if ts is None:
            self.bands = [(None, self._tiers(data.get("tiers"), f"{path}tiers"))]
        else:
            check_keys(ts, {"scale", "bands"}, f"{path}team_size.")
            if ("scale" in ts) == ("bands" in ts):
                raise SpecError(f"{path}team_size", "give exactly one of scale or bands")
            if "scale" in ts:
                check_keys(ts["scale"], {"reference"}, f"{path}team_size.scale.")
                self.scale_reference = number(ts["scale"], "reference", f"{path}team_size.scale.", positive=True)
                self.bands = [(None, self._tiers(data.get("tiers"), f"{path}tiers"))]
            else:
                if "tiers" in data:
                    raise SpecError(f"{path}tiers", "with team_size.bands the tiers go inside each band")
                self._parse_bands(ts["bands"], f"{path}team_size.bands")

    def _parse_bands(self, bands: Any, path: str) -> None:
        if not isinstance(bands, list) or not bands:
            raise SpecError(path, "must be a non-empty list")
        last = 0
        for i, band in enumerate(bands):
            bpath = f"{path}[{i}]."
            check_keys(band, {"up_to", "tiers"}, bpath)
            up_to = band.get("up_to")
            if up_to is None:
                if i != len(bands) - 1:
                    raise SpecError(f"{bpath}up_to", "only the last band may leave up_to out (no upper limit)")
            elif isinstance(up_to, bool) or not isinstance(up_to, int) or up_to <= last:
                raise SpecError(f"{bpath}up_to", f"must be a whole number above {last} (bands in increasing size)")
            else:
                last = up_to
            self.bands.append((up_to, self._tiers(band.get("tiers"), f"{bpath}tiers")))
        if self.bands[-1][0] is not None:
            raise SpecError(f"{path}[{len(bands) - 1}].up_to", "the last band must have no up_to (covers every larger team)")

    def _tiers(self, data: Any, path: str) -> list[Tier]:
        if not isinstance(data, list) or not data:
            raise SpecError(path, "must be a non-empty list")
        tiers = [Tier.parse(t, f"{path}[{i}].", self.keys) for i, t in enumerate(data)]
        # First match in the declared direction: for "below" the lowest threshold first.
        return sorted(tiers, key=lambda t: t.threshold, reverse=self.direction == "above")

    def _for_size(self, team_size: int) -> tuple[list[Tier], float, str, str]:
        if self.scale_reference is not None:
            n = max(team_size, 1)
            f = self.scale_reference / n
            return (
                self.bands[0][1], f,
                f"（阈值 × {fmt(self.scale_reference)}/{n}，团队 {n} 人）",
                f" (thresholds × {fmt(self.scale_reference)}/{n}, team of {n})",
            )
        if len(self.bands) == 1:
            return self.bands[0][1], 1.0, "", ""
        for up_to, tiers in self.bands:
            if up_to is None or team_size <= up_to:
                return tiers, 1.0, f"（团队 {team_size} 人）", f" (team of {team_size})"
        raise AssertionError("unreachable: the last band has no limit")

    def apply(self, value: float, unit: str, team_size: int) -> Outcome | None:
        tiers, factor, nzh, nen = self._for_size(team_size)
        for t in tiers:
            th = t.threshold * factor
            if COMPARISONS[t.key][0](value, th):
                czh, cen = _cmp_words(t.key, th, unit)
                ezh, een = t.effect.words()
                return Outcome(t.effect.kind, t.effect.value, f"{czh}{nzh}：{ezh}", f"{cen}{nen}: {een}")
        if self.else_effect is None:
            return None
        edge = tiers[-1]
        czh, cen = _cmp_words(OPPOSITE[edge.key], edge.threshold * factor, unit)
        ezh, een = self.else_effect.words()
        if self.else_effect.kind == "delta" and self.else_effect.value == 0:
            return None
        return Outcome(self.else_effect.kind, self.else_effect.value, f"{czh}{nzh}：{ezh}", f"{cen}{nen}: {een}")

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        problems = []
        # Tiers are sorted in matching order; the order from worst to best depends on `better`.
        worst_first = (self.direction == "below") == (better == "higher")
        for up_to, tiers in self.bands:
            outcomes = [(t, t.effect.effective(base)) for t in tiers]
            # When nothing matches: the else outcome, or the points stay as they are.
            outcomes.append((None, self.else_effect.effective(base) if self.else_effect else base))
            seq = outcomes if worst_first else outcomes[::-1]
            for (a, pa), (b, pb) in zip(seq, seq[1:]):
                if pb < pa:
                    worse = a or b
                    problems.append((
                        f"{self.path}tiers",
                        f"the tier at {fmt(worse.threshold) if worse else 'else'} scores {fmt(pa)} but a better "
                        f"tier scores {fmt(pb)}: worse performance would score higher"
                        + (f" (band up to {up_to})" if up_to else ""),
                    ))
                    break
        return problems


class PerEvent(Rule):
    type = "per_event"

    def __init__(self, data: Mapping[str, Any], path: str):
        check_keys(data, {"type", "input", "points", "max_events", "beyond", "event"}, path)
        self.points = number(data, "points", path)
        me = data.get("max_events")
        if me is not None and (isinstance(me, bool) or not isinstance(me, int) or me < 1):
            raise SpecError(f"{path}max_events", "must be a whole number of at least 1")
        self.max_events = me
        self.beyond = None
        if data.get("beyond") is not None:
            if me is None:
                raise SpecError(f"{path}beyond", "needs max_events")
            check_keys(data["beyond"], {"points", "score"}, f"{path}beyond.")
            self.beyond = Effect.parse(data["beyond"], f"{path}beyond.")
        self.event = bilingual(data.get("event"), f"{path}event", required=False)
        self.path = path

    def apply(self, value: float, unit: str, team_size: int) -> Outcome | None:
        if value < 0 or value != int(value):
            raise ValueError(f"an event count must be a whole number of at least 0, not {fmt(value)}")
        c = int(value)
        if c == 0:
            return None
        ezh, een = self.event
        if self.max_events is not None and c > self.max_events and self.beyond is not None:
            wz, we = self.beyond.words()
            return Outcome(
                self.beyond.kind, self.beyond.value,
                f"{ezh} {c} 次（超过 {self.max_events} 次）：{wz}",
                f"{een}: {c}, more than {self.max_events}: {we}",
            )
        n = c if self.max_events is None else min(c, self.max_events)
        total = round(n * self.points, 6)
        counted_zh = f"（按 {n} 次计）" if n != c else ""
        counted_en = f" (counted up to {n})" if n != c else ""
        return Outcome(
            "delta", total,
            f"{ezh} {c} 次{counted_zh} × {signed(self.points)} = {signed(total)}",
            f"{een}: {c}{counted_en} × {signed(self.points)} = {signed(total)}",
        )

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        problems = []
        if self.points > 0:
            problems.append((f"{self.path}points", "adds points per event: more events would score higher"))
        if self.beyond is not None and self.max_events is not None:
            at_max = base + self.max_events * self.points
            if self.beyond.effective(base) > at_max:
                problems.append((
                    f"{self.path}beyond",
                    f"scores {fmt(self.beyond.effective(base))} beyond {self.max_events} events but "
                    f"{fmt(at_max)} at {self.max_events}: more events would score higher",
                ))
        return problems


@dataclass(frozen=True, slots=True)
class Level:
    id: str
    name: tuple[str, str]
    points: float
    description: tuple[str, str]


class Rating(Rule):
    type = "rating"

    def __init__(self, data: Mapping[str, Any], path: str):
        check_keys(data, {"type", "input", "levels"}, path)
        levels = data.get("levels")
        if not isinstance(levels, list) or len(levels) < 2:
            raise SpecError(f"{path}levels", "must be a list of at least 2 levels, best first")
        self.levels: list[Level] = []
        for i, lv in enumerate(levels):
            lp = f"{path}levels[{i}]."
            check_keys(lv, {"id", "name", "points", "description"}, lp)
            lid = lv.get("id")
            if not isinstance(lid, str) or not lid.strip():
                raise SpecError(f"{lp}id", "must be a short text such as A")
            self.levels.append(Level(
                lid.strip(), bilingual(lv.get("name"), f"{lp}name"), number(lv, "points", lp),
                bilingual(lv.get("description"), f"{lp}description"),
            ))
        self.lookup: dict[str, Level] = {}
        for i, lv in enumerate(self.levels):
            for key in (lv.id, *lv.name):
                k = key.strip().casefold()
                if k in self.lookup and self.lookup[k] is not lv:
                    raise SpecError(f"{path}levels[{i}].id", f"{key!r} names two levels")
                self.lookup[k] = lv
        self.path = path

    def find(self, value: Any) -> Level | None:
        if value is None:
            return None
        return self.lookup.get(str(value).strip().casefold())

    def accepted(self) -> list[str]:
        return [lv.id for lv in self.levels]

    def apply(self, value: Any, unit: str, team_size: int) -> Outcome | None:
        lv = self.find(value)
        if lv is None:
            raise ValueError(f"unknown level {value!r} (levels: {', '.join(self.accepted())})")
        return Outcome(
            "score", lv.points,
            f"{lv.id} 级（{lv.name[0]}：{lv.description[0]}）",
            f"level {lv.id} ({lv.name[1]}: {lv.description[1]})",
        )

    def direction_problems(self, better: str, base: float) -> list[tuple[str, str]]:
        for i, (a, b) in enumerate(zip(self.levels, self.levels[1:])):
            if b.points > a.points:
                return [(f"{self.path}levels[{i + 1}].points",
                         f"level {b.id} scores more than level {a.id} above it (levels go best first)")]
        return []


RULE_TYPES = {"steps": Steps, "threshold": Threshold, "bonus": Threshold, "tiers": Tiers,
              "per_event": PerEvent, "rating": Rating}


def parse_rule(data: Any, path: str) -> Rule:
    if not isinstance(data, Mapping):
        raise SpecError(path.rstrip("."), "must be a mapping with a type")
    kind = data.get("type")
    if kind not in RULE_TYPES:
        raise SpecError(f"{path}type", f"must be one of {', '.join(RULE_TYPES)}")
    rule = Threshold(data, path, bonus=True) if kind == "bonus" else RULE_TYPES[kind](data, path)
    rule.type = kind
    if data.get("input") is not None and not isinstance(data.get("input"), str):
        raise SpecError(f"{path}input", "must be a formula (text)")
    rule.input = data.get("input")
    return rule
