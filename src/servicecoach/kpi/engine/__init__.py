"""The KPI rule engine: plain data in, plain data out, no Django.

- :mod:`.formula`: the small formula language of item inputs (``pct(orders, visits)``).
- :mod:`.template`: KPI templates (YAML), validated on load; the built-in ones live in ``templates/``.
- :mod:`.rules`: the scoring rules (tiers, steps, thresholds and bonuses, per-event deductions,
  ratings by described levels, team-size-dependent thresholds), each explaining its points.
- :mod:`.scoring`: scoring a month for many agents, rankings per team, incentive tiers.
- :mod:`.tables`: reading a month's figures from Excel/CSV and writing results.
"""
