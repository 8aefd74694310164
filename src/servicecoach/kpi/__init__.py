"""Performance assessment (绩效考核): KPI scorecard templates, the scoring-rule engine, monthly scoring.

``engine/`` is pure Python (no Django): template loading and validation, the formula language,
the scoring rules, rankings and incentive tiers, spreadsheet reading and writing. ``cli.py`` is
``servicecoach kpi``. The web part (monthly scoring in the app, locking, rankings pages) comes later
and calls the engine.
"""
