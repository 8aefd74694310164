"""Demo data of the Performance app: three months (2026-08 to 2026-10) of figures, ratings and events for
every agent of the demo organisation (org/demo.py), each month scored with the built-in ``ecommerce-cs``
template, with each team's labour cost of the month (for the team analysis), and the oldest month locked. The figures are made up but steady: the same agent gets the same
month every time (a seeded random generator per agent and month).

Idempotent: a month that exists is not opened again; figures are only filled into an agent's empty
month; a month is scored only if it has no result yet, and locked only if it is not locked already.
"""

from __future__ import annotations

import random

from servicecoach.kpi import services
from servicecoach.kpi.models import ScorecardTemplate, TeamCost

MONTHS = ("2026-08", "2026-09", "2026-10")
LOCKED = ("2026-08",)
LEVEL_WEIGHTS = {"junior": "ABBBCCCCD", "intermediate": "AABBBBCCD", "senior": "AAAABBBBC"}


def demo_figures(employee_no: str, level: str, month: str) -> dict:
    """One agent's month: steady for the same agent and month; seniors sell more and slip less."""
    rng = random.Random(f"{employee_no}/{month}")
    skill = {"junior": 0.0, "intermediate": 0.08, "senior": 0.15}.get(level, 0.0)
    target = random.Random(employee_no).choice((80000, 100000, 120000, 150000))  # the agent's, every month
    sales = round(target * rng.uniform(0.72 + skill, 1.08 + skill), -2)
    visits = rng.randint(2500, 6000)
    orders = max(1, round(visits * rng.uniform(0.004 + skill / 20, 0.03)))
    levels = LEVEL_WEIGHTS.get(level, LEVEL_WEIGHTS["junior"])
    return {
        "sales": sales, "sales_target": target, "visits": visits, "orders": orders,
        "main_product_sales": round(sales * rng.uniform(0.7, 1.0), -2),
        "refunds": rng.choice((0, 0, 0, 0, 1, 1, 2)) if orders > 50 else 0,
        "consultations": rng.randint(220 + int(skill * 800), 620),
        "disputes": rng.choice((0, 0, 0, 0, 0, 1)),
        **{fid: rng.choice(levels) for fid in ("product_knowledge", "selling", "communication", "adaptability",
                                                "responsibility", "reports")},
        "late_arrivals": rng.choice((0, 0, 0, 0, 1, 1, 2, 4)),
        "etiquette_breaches": rng.choice((0, 0, 0, 1)),
        "complaints": rng.choice((0, 0, 0, 0, 1)),
        "rude_remarks": rng.choice((0, 0, 0, 0, 0, 0, 1)),
        "rule_breaches": rng.choice((0, 0, 0, 1)),
        "team_holdbacks": rng.choice((0, 0, 0, 0, 0, 0, 0, 1)),
    }


def demo_team_costs(period) -> int:
    """Each team's labour cost of the month where none is entered: its agents times a steady monthly pay
    per agent of the team (¥5,500 to ¥7,500), a little different each month."""
    teams: dict[int, list] = {}
    for row in period.inputs.select_related("unit"):
        teams.setdefault(row.unit_id, [row.unit, 0])[1] += 1
    have = set(TeamCost.objects.filter(period=period).values_list("unit_id", flat=True))
    added = 0
    for unit_id, (unit, staff) in teams.items():
        if unit_id in have:
            continue
        pay = random.Random(unit.code or unit.name).randrange(5500, 7501, 100)
        pay += random.Random(f"{unit.code}/{period.month}").randrange(-300, 301, 50)
        services.team_cost_set(actor=None, period=period, unit=unit, raw=staff * pay, note="demo")
        added += 1
    return added


def demo_load() -> str:
    services.builtin_templates_sync()
    template = ScorecardTemplate.objects.get(key="ecommerce-cs")
    opened = filled = scored = locked = 0
    for month in MONTHS:
        period = template.periods.filter(month=month).first()
        if period is None:
            period = services.period_create(actor=None, template=template, month=month)
            opened += 1
        if period.locked:
            continue
        empty = {row.person_id: demo_figures(row.person.employee_no, row.person.level, month)
                 for row in period.inputs.select_related("person") if not row.figures}
        if empty:
            filled += services.inputs_set_many(actor=None, period=period, values=empty, note="demo")
        demo_team_costs(period)
        if period.current_run_id is None or empty:
            services.period_score(actor=None, period=period, note="demo")
            scored += 1
        if month in LOCKED:
            services.period_lock(actor=None, period=period)
            locked += 1
    agents = template.periods.get(month=MONTHS[-1]).inputs.count()
    return (f"{len(MONTHS)} months of ecommerce-cs for {agents} agents ({opened} opened, {filled} values "
            f"entered, {scored} scored, {locked} locked)")
