"""Performance assessment (绩效考核): KPI scorecard templates, the scoring-rule engine, monthly scoring.

``engine/`` is pure Python (no Django): template loading and validation, the formula language,
the scoring rules, rankings and incentive tiers, spreadsheet reading and writing. ``cli.py`` is
``servicecoach kpi``. The web app around it (models, services, selectors, views under /kpi/, api.py,
tasks.py, demo.py) keeps templates and their versions, the months' figures with their history, the
scoring runs and results, and calls the engine to score; docs/kpi-web.md is the supervisors' guide.
"""
