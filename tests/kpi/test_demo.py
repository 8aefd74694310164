"""The Performance demo: three scored months for the demo organisation's agents, the oldest locked;
loading it twice changes nothing."""

from __future__ import annotations

from servicecoach.kpi import demo
from servicecoach.kpi.models import AgentResult, InputChange, Period, PeriodStatus, TeamCost
from servicecoach.org.demo import demo_load as org_demo_load
from servicecoach.org.models import User


def test_demo_three_scored_months_one_locked_and_idempotent(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org_demo_load()
    summary = demo.demo_load()
    assert "3 months" in summary and "3 scored" in summary and "1 locked" in summary
    periods = {p.month: p for p in Period.objects.all()}
    assert sorted(periods) == ["2026-08", "2026-09", "2026-10"]
    assert periods["2026-08"].status == PeriodStatus.LOCKED
    assert all(p.current_run_id for p in periods.values())
    agent = User.objects.get(username="agent").person
    results = AgentResult.objects.filter(person=agent, run__in=[p.current_run_id for p in periods.values()])
    assert results.count() == 3
    # growth needs the month before: scored in September and October for an agent with figures
    october = results.get(run__period__month="2026-10")
    assert next(i for i in october.items if i["item"] == "sales_growth")["points"] is not None

    # every team of every month has a labour cost (the team analysis compares sales per cost)
    for period in periods.values():
        teams = set(period.inputs.values_list("unit_id", flat=True))
        assert set(TeamCost.objects.filter(period=period).values_list("unit_id", flat=True)) == teams

    changes, costs = InputChange.objects.count(), list(TeamCost.objects.values_list("pk", "labour_cost"))
    again = demo.demo_load()
    assert "0 opened, 0 values entered, 0 scored, 0 locked" in again
    assert InputChange.objects.count() == changes
    assert list(TeamCost.objects.values_list("pk", "labour_cost")) == costs
    assert Period.objects.get(month="2026-10").runs.count() == 1
