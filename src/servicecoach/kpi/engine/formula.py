"""The formula language of KPI item inputs: a tiny, safe expression language (no ``eval``).

Grammar (whitespace ignored)::

    expr   := term (("+" | "-") term)*
    term   := unary (("*" | "/") unary)*
    unary  := ("-" | "+") unary | atom
    atom   := NUMBER | NAME | "prev." NAME | FUNC "(" expr ("," expr)* ")" | "(" expr ")"

``×``, ``÷`` and ``−`` are accepted for ``*``, ``/`` and ``-``; full-width parentheses and commas
too. Names are the template's figures and constants. Functions:

- ``ratio(a, b)``: a ÷ b; no data when b is 0.
- ``pct(a, b)``: a ÷ b × 100; no data when b is 0.
- ``change(x)``: month-over-month change in percent, (x − x of the previous month) ÷ x of the previous
  month × 100; ``x`` may be any expression (it is evaluated on both months); no data without a
  previous month or when the previous value is 0.
- ``share(x)``: the agent's x ÷ the team's total of x × 100 (x a figure name); no data when a team
  member lacks x or the total is 0.
- ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(a)``.

A plain ``a / b`` with b = 0 gives no data too. A missing figure gives no data naming the figure:
evaluation raises :class:`NoData` (with a Chinese and an English reason), never returns 0 for it.
Compiling turns the tree into nested closures, so evaluating costs no parsing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

FUNCTIONS = {"ratio": 2, "pct": 2, "change": 1, "share": 1, "min": -2, "max": -2, "abs": 1}
_TRANSLATE = str.maketrans({"×": "*", "÷": "/", "−": "-", "（": "(", "）": ")", "，": ","})
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"
    r"|(?P<op>[-+*/(),]))"
)


class FormulaError(ValueError):
    """A formula that cannot be parsed or names something unknown; ``column`` is 1-based."""

    def __init__(self, message: str, *, column: int | None = None):
        self.column = column
        super().__init__(f"{message} (column {column})" if column else message)


class NoData(Exception):
    """Raised while evaluating when a figure the formula needs is missing or a division has a zero
    denominator: the item scores "no data" with this reason."""

    def __init__(self, zh: str, en: str):
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(slots=True)
class Context:
    """What an evaluation may look at besides the agent's own figures."""

    prev: Mapping[str, Any] | None = None
    team_totals: Mapping[str, Any] = field(default_factory=dict)
    constants: Mapping[str, float] = field(default_factory=dict)


Evaluator = Callable[[Mapping[str, Any], Context], float]


@dataclass(frozen=True, slots=True)
class Node:
    kind: str  # num | name | prev | call | neg | bin
    value: Any = None
    args: tuple[Node, ...] = ()


def _tokens(text: str) -> list[tuple[str, str, int]]:
    text = text.translate(_TRANSLATE)
    out, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if not m:
            col = pos + len(text[pos:]) - len(text[pos:].lstrip()) + 1
            raise FormulaError(f"unexpected character {text[col - 1]!r}", column=col)
        kind = m.lastgroup
        out.append((kind, m.group(kind), m.start(kind) + 1))
        pos = m.end()
    out.append(("end", "", len(text) + 1))
    return out


class _Parser:
    def __init__(self, text: str):
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str, int]:
        return self.toks[self.i]

    def take(self) -> tuple[str, str, int]:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def expect(self, op: str) -> None:
        kind, val, col = self.take()
        if (kind, val) != ("op", op):
            found = "the end" if kind == "end" else repr(val)
            raise FormulaError(f"expected {op!r}, found {found}", column=col)

    def parse(self) -> Node:
        if self.peek()[0] == "end":
            raise FormulaError("empty formula")
        node = self.expr()
        kind, val, col = self.peek()
        if kind != "end":
            raise FormulaError(f"unexpected {val!r}", column=col)
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek()[0] == "op" and self.peek()[1] in "+-":
            op = self.take()[1]
            node = Node("bin", op, (node, self.term()))
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.peek()[0] == "op" and self.peek()[1] in "*/":
            op = self.take()[1]
            node = Node("bin", op, (node, self.unary()))
        return node

    def unary(self) -> Node:
        kind, val, _ = self.peek()
        if kind == "op" and val in "+-":
            self.take()
            inner = self.unary()
            return Node("neg", None, (inner,)) if val == "-" else inner
        return self.atom()

    def atom(self) -> Node:
        kind, val, col = self.take()
        if kind == "num":
            return Node("num", float(val))
        if kind == "op" and val == "(":
            node = self.expr()
            self.expect(")")
            return node
        if kind == "name":
            if self.peek()[:2] == ("op", "("):
                if val not in FUNCTIONS:
                    raise FormulaError(f"unknown function {val!r} (known: {', '.join(FUNCTIONS)})", column=col)
                self.take()
                args = [self.expr()]
                while self.peek()[:2] == ("op", ","):
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                arity = FUNCTIONS[val]
                if (arity >= 0 and len(args) != arity) or (arity < 0 and len(args) < -arity):
                    want = f"{arity}" if arity >= 0 else f"at least {-arity}"
                    raise FormulaError(f"{val}() takes {want} argument(s), got {len(args)}", column=col)
                if val == "share" and args[0].kind != "name":
                    raise FormulaError("share() takes a figure name, e.g. share(orders)", column=col)
                return Node("call", val, tuple(args))
            if "." in val:
                head, _, tail = val.partition(".")
                if head != "prev":
                    raise FormulaError(f"unknown name {val!r} (only prev.<figure> has a dot)", column=col)
                return Node("prev", tail)
            if val in FUNCTIONS:
                raise FormulaError(f"function {val!r} needs parentheses", column=col)
            return Node("name", val)
        found = "the end of the formula" if kind == "end" else repr(val)
        raise FormulaError(f"expected a number, a name or '(', found {found}", column=col)


def parse(text: str) -> Node:
    """Parse a formula into a tree; raises :class:`FormulaError` naming the column."""
    if not isinstance(text, str):
        raise FormulaError("must be a formula (text)")
    return _Parser(text).parse()


def names(node: Node) -> set[str]:
    """The figure and constant names a formula reads (``prev.x`` and ``change(x)`` count as x)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind in ("name", "prev"):
            out.add(n.value)
        stack.extend(n.args)
    return out


def shared_figures(node: Node) -> set[str]:
    """The figures whose team totals the formula needs (arguments of ``share``)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "call" and n.value == "share":
            out.add(n.args[0].value)
        stack.extend(n.args)
    return out


def uses_previous(node: Node) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind == "prev" or (n.kind == "call" and n.value == "change"):
            return True
        stack.extend(n.args)
    return False


def compile_formula(
    node: Node, *, figures: Mapping[str, tuple[str, str]], constants: Mapping[str, float], source: str = ""
) -> Evaluator:
    """Turn a tree into a function ``(figures, context) -> float``.

    ``figures`` maps each known figure id to its (Chinese, English) label, used in the reasons of
    :class:`NoData`. Unknown names raise :class:`FormulaError` here, once, not at evaluation.
    """

    def label(name: str) -> tuple[str, str]:
        return figures.get(name, (name, name))

    def build(n: Node) -> Evaluator:
        k = n.kind
        if k == "num":
            v = n.value
            return lambda f, c: v
        if k == "name":
            name = n.value
            if name in constants:
                cv = float(constants[name])
                return lambda f, c: cv
            if name not in figures:
                known = ", ".join(sorted([*figures, *constants]))
                raise FormulaError(f"unknown figure {name!r} (known: {known})")
            zh, en = label(name)

            def get(f: Mapping[str, Any], c: Context) -> float:
                v = f.get(name)
                if v is None:
                    raise NoData(f"缺少{zh}", f"{en} missing")
                return v

            return get
        if k == "prev":
            name = n.value
            if name not in figures:
                raise FormulaError(f"unknown figure {'prev.' + name!r}")
            zh, en = label(name)

            def get_prev(f: Mapping[str, Any], c: Context) -> float:
                if c.prev is None:
                    raise NoData("没有上月数据", "no previous month")
                v = c.prev.get(name)
                if v is None:
                    raise NoData(f"缺少上月{zh}", f"previous month's {en} missing")
                return v

            return get_prev
        if k == "neg":
            a = build(n.args[0])
            return lambda f, c: -a(f, c)
        if k == "bin":
            a, b = build(n.args[0]), build(n.args[1])
            op = n.value
            if op == "+":
                return lambda f, c: a(f, c) + b(f, c)
            if op == "-":
                return lambda f, c: a(f, c) - b(f, c)
            if op == "*":
                return lambda f, c: a(f, c) * b(f, c)
            text = source or "formula"

            def div(f: Mapping[str, Any], c: Context) -> float:
                d = b(f, c)
                if d == 0:
                    raise NoData(f"除数为 0（{text}）", f"division by zero in {text}")
                return a(f, c) / d

            return div
        # call
        fn = n.value
        if fn in ("ratio", "pct"):
            a, b = build(n.args[0]), build(n.args[1])
            scale = 100.0 if fn == "pct" else 1.0
            den = n.args[1]
            dz, de = label(den.value) if den.kind == "name" else ("分母", "denominator")

            def rat(f: Mapping[str, Any], c: Context) -> float:
                d = b(f, c)
                if d == 0:
                    raise NoData(f"{dz}为 0", f"{de} is 0")
                return a(f, c) / d * scale

            return rat
        if fn == "change":
            a = build(n.args[0])
            inner = n.args[0]
            zh, en = label(inner.value) if inner.kind == "name" else ("数值", "value")

            def change(f: Mapping[str, Any], c: Context) -> float:
                now = a(f, c)
                if c.prev is None:
                    raise NoData("没有上月数据", "no previous month")
                try:
                    before = a(c.prev, c)
                except NoData as e:
                    raise NoData(f"上月：{e.zh}", f"previous month: {e.en}") from None
                if before == 0:
                    raise NoData(f"上月{zh}为 0", f"previous month's {en} is 0")
                return (now - before) / before * 100.0

            return change
        if fn == "share":
            name = n.args[0].value
            if name not in figures:
                raise FormulaError(f"unknown figure {name!r} in share()")
            a = build(n.args[0])
            zh, en = label(name)

            def share(f: Mapping[str, Any], c: Context) -> float:
                own = a(f, c)
                total = c.team_totals.get(name)
                if total is None:
                    raise NoData(f"团队{zh}合计未知", f"team total of {en} unknown")
                if isinstance(total, NoData):
                    raise total
                if total == 0:
                    raise NoData(f"团队{zh}合计为 0", f"team total of {en} is 0")
                return own / total * 100.0

            return share
        args = [build(x) for x in n.args]
        if fn == "abs":
            a = args[0]
            return lambda f, c: abs(a(f, c))
        pick = min if fn == "min" else max
        return lambda f, c: pick(x(f, c) for x in args)

    return build(node)


def evaluate(text: str, figures: Mapping[str, Any], *, context: Context | None = None) -> float:
    """Parse, compile and evaluate in one go (for tests and one-off use): every name in ``figures``
    and ``context.constants`` is known."""
    ctx = context or Context()
    labels = {k: (k, k) for k in figures}
    if ctx.prev:
        labels.update({k: (k, k) for k in ctx.prev if k not in labels})
    labels.update({k: (k, k) for k in ctx.team_totals if k not in labels})
    fn = compile_formula(parse(text), figures=labels, constants=ctx.constants, source=text)
    return fn(figures, ctx)


__all__ = [
    "Context",
    "FormulaError",
    "NoData",
    "Node",
    "compile_formula",
    "evaluate",
    "names",
    "parse",
    "shared_figures",
    "uses_previous",
]
