"""The Performance app's services on a real database: templates and versions, months, figures and
their history, scoring and re-scoring, locking and unlocking, figure sources."""

from __future__ import annotations

import pytest
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from servicecoach.kpi import selectors, services
from servicecoach.kpi.models import (
    AgentInput,
    AgentResult,
    InputChange,
    InputSource,
    PeriodStatus,
    ScorecardTemplate,
)
from servicecoach.kpi.sources import FigureSource, register_source, unregister_source
from servicecoach.org.models import AuditEntry


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English here (the pages' tests check the Chinese)."""
    with translation.override("en"):
        yield


def test_builtin_template_loaded_once(ecs):
    services.builtin_templates_sync()
    services.builtin_templates_sync()
    assert ScorecardTemplate.objects.filter(key="ecommerce-cs").count() == 1
    assert ecs.builtin and ecs.versions.count() == 1
    assert selectors.version_template(ecs.versions.get()).max_total == 105


def test_builtin_template_cannot_be_edited(ecs):
    with pytest.raises(ValidationError, match="copy it"):
        services.template_version_create(actor=None, template=ecs, source=ecs.versions.get().source)


def test_template_copy_edit_and_error_naming_item_and_field(kpi_org, ecs):
    copy = services.template_copy(actor=kpi_org.manager.user, template=ecs, key="shop-a", name="A 店绩效")
    assert not copy.builtin and copy.versions.count() == 1
    data = yaml.safe_load(copy.versions.get().source)
    assert data["template"] == "shop-a"

    data["sections"][0]["items"][0]["weight"] = "thirty"
    with pytest.raises(ValidationError) as bad:
        services.template_version_create(actor=None, template=copy, source=yaml.safe_dump(data, allow_unicode=True))
    message = bad.value.message_dict["source"][0]
    assert "item sales_completion" in message and "field weight" in message and "number" in message

    data["sections"][0]["items"][0]["weight"] = 28
    data["version"] = "2026.12"
    version = services.template_version_create(actor=None, template=copy,
                                               source=yaml.safe_dump(data, allow_unicode=True), note="weight 28")
    assert version.number == 2 and version.label == "2026.12"
    assert selectors.version_template(version).max_total == 103

    with pytest.raises(ValidationError, match="Nothing changed"):
        services.template_version_create(actor=None, template=copy, source=version.source)


def test_template_edit_refuses_another_template_id(ecs):
    copy = services.template_copy(actor=None, template=ecs, key="shop-b", name="B")
    source = copy.versions.get().source.replace("template: shop-b", "template: other")
    with pytest.raises(ValidationError, match="field template: must be shop-b"):
        services.template_version_create(actor=None, template=copy, source=source)


def test_bad_yaml_names_line(ecs):
    copy = services.template_copy(actor=None, template=ecs, key="shop-c", name="C")
    with pytest.raises(ValidationError, match="line 2"):
        services.template_version_create(actor=None, template=copy, source="template: shop-c\n  version: [")


def test_month_keeps_its_version_after_the_template_changes(kpi_org, ecs):
    copy = services.template_copy(actor=None, template=ecs, key="shop-d", name="D")
    period = services.period_create(actor=None, template=copy, month="2026-09")
    first = period.version
    data = yaml.safe_load(first.source)
    data["version"] = "v2"
    services.template_version_create(actor=None, template=copy, source=yaml.safe_dump(data, allow_unicode=True))
    services.period_score(actor=None, period=period)
    period.refresh_from_db()
    assert period.version == first and period.current_run.version == first


def test_period_create_adds_active_agents_and_checks_month(kpi_org, ecs):
    period = services.period_create(actor=None, template=ecs, month="2026-10")
    rows = {r.person_id: r.unit_id for r in period.inputs.all()}
    assert rows == {kpi_org.a1.pk: kpi_org.pre.pk, kpi_org.a2.pk: kpi_org.pre.pk, kpi_org.b1.pk: kpi_org.aft.pk}
    with pytest.raises(ValidationError) as twice:
        services.period_create(actor=None, template=ecs, month="2026-10")
    assert "open already" in twice.value.message_dict["month"][0]
    with pytest.raises(ValidationError) as bad:
        services.period_create(actor=None, template=ecs, month="2026-13")
    assert "YYYY-MM" in bad.value.message_dict["month"][0]


def test_input_set_validates_per_field_and_keeps_history(kpi_org, period):
    user = kpi_org.supervisor.user
    row, changed = services.input_set(actor=user, period=period, person=kpi_org.a1, figure="sales",
                                      raw="¥87,000", note="from the shop backend")
    assert changed and row.figures["sales"] == 87000
    _, again = services.input_set(actor=user, period=period, person=kpi_org.a1, figure="sales", raw="87000")
    assert not again  # the same value: no new history entry
    services.input_set(actor=user, period=period, person=kpi_org.a1, figure="product_knowledge", raw="b")
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["product_knowledge"] == "B"

    with pytest.raises(ValidationError, match="whole number"):
        services.input_set(actor=user, period=period, person=kpi_org.a1, figure="late_arrivals", raw="1.5")
    with pytest.raises(ValidationError, match="levels: A, B, C, D"):
        services.input_set(actor=user, period=period, person=kpi_org.a1, figure="selling", raw="E")
    with pytest.raises(ValidationError, match="not a number"):
        services.input_set(actor=user, period=period, person=kpi_org.a1, figure="visits", raw="many")
    with pytest.raises(ValidationError, match="not a figure"):
        services.input_set(actor=user, period=period, person=kpi_org.a1, figure="salary", raw="1")

    history = list(InputChange.objects.filter(period=period).order_by("id"))
    assert [(c.figure, c.old, c.new) for c in history] == [("sales", None, 87000), ("product_knowledge", None, "B")]
    assert history[0].note == "from the shop backend" and history[0].actor_name == "主管"
    assert history[0].source == InputSource.MANUAL

    services.input_set(actor=user, period=period, person=kpi_org.a1, figure="sales", raw="")
    assert "sales" not in AgentInput.objects.get(period=period, person=kpi_org.a1).figures
    assert InputChange.objects.filter(period=period, figure="sales").count() == 2


def test_input_history_is_append_only(kpi_org, period):
    services.input_set(actor=None, period=period, person=kpi_org.a1, figure="sales", raw="1")
    change = InputChange.objects.get()
    with pytest.raises(PermissionDenied):
        change.save()
    with pytest.raises(PermissionDenied):
        InputChange.objects.all().delete()


def test_scoring_explains_every_item_and_ranks_per_team(kpi_org, period, perfect, fill):
    fill(period, kpi_org.a1, {**perfect, "sales": 87000})   # 13% below: 3 started steps of 5% → −3
    fill(period, kpi_org.a2, perfect)
    fill(period, kpi_org.b1, {**perfect, "late_arrivals": 4})  # more than 3 late arrivals: attendance 0
    run = services.period_score(actor=kpi_org.supervisor.user, period=period, note="first")
    period.refresh_from_db()
    assert period.status == PeriodStatus.SCORED and period.current_run == run and run.agents == 3

    a1 = AgentResult.objects.get(run=run, person=kpi_org.a1)
    completion = next(i for i in a1.items if i["item"] == "sales_completion")
    assert completion["points"] == 27
    assert "87%" in completion["zh"] and "3" in completion["en"]
    growth = next(i for i in a1.items if i["item"] == "sales_growth")
    assert growth["points"] is None and "sales_growth" in [i["item"] for i in a1.items if i["points"] is None]
    assert not a1.complete  # no previous month: growth is no data, left out of the total
    a2 = AgentResult.objects.get(run=run, person=kpi_org.a2)
    assert (a2.rank, a1.rank) == (1, 2) and a2.total == 97 and a1.total == 95
    # a2: 105 − 8 (growth: no data); a1: 97 − 3 (completion) + 1 (main product 90000 of 87000 sales: ≥ 100%)
    assert a2.unit == kpi_org.pre and a2.team_size == 2
    b1 = AgentResult.objects.get(run=run, person=kpi_org.b1)
    assert b1.rank == 1 and next(i for i in b1.items if i["item"] == "attendance")["points"] == 0
    assert AuditEntry.objects.filter(object_type="kpi.period", object_id=str(period.pk)).exists()


def test_previous_month_feeds_growth(kpi_org, ecs, perfect, fill):
    sept = services.period_create(actor=None, template=ecs, month="2026-09")
    fill(sept, kpi_org.a1, {"sales": 80000})
    october = services.period_create(actor=None, template=ecs, month="2026-10")
    fill(october, kpi_org.a1, perfect)  # 100000 after 80000: +25% growth, 5 steps of 5% → +5
    run = services.period_score(actor=None, period=october)
    growth = next(i for i in AgentResult.objects.get(run=run, person=kpi_org.a1).items
                  if i["item"] == "sales_growth")
    assert growth["points"] == 13 and "25%" in growth["zh"]


def test_rescoring_keeps_history(kpi_org, period, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    first = services.period_score(actor=None, period=period)
    fill(period, kpi_org.a1, {"complaints": 1})
    second = services.period_score(actor=None, period=period, note="complaint added")
    period.refresh_from_db()
    assert (first.number, second.number) == (1, 2) and period.current_run == second
    old = AgentResult.objects.get(run=first, person=kpi_org.a1)
    new = AgentResult.objects.get(run=second, person=kpi_org.a1)
    assert new.total == old.total - 2
    assert list(period.runs.order_by("number").values_list("note", flat=True)) == ["", "complaint added"]


def test_locked_month_refuses_every_change_until_unlocked_with_reason(kpi_org, period, perfect, fill):
    fill(period, kpi_org.a1, perfect)
    with pytest.raises(ValidationError, match="Score"):
        services.period_lock(actor=None, period=period)
    services.period_score(actor=None, period=period)
    services.period_lock(actor=kpi_org.manager.user, period=period)
    period.refresh_from_db()
    assert period.locked and period.locked_by == kpi_org.manager.user

    with pytest.raises(ValidationError, match="locked"):
        services.input_set(actor=None, period=period, person=kpi_org.a1, figure="sales", raw="1")
    with pytest.raises(ValidationError, match="locked"):
        services.period_score(actor=None, period=period)
    with pytest.raises(ValidationError, match="locked"):
        services.period_sync_agents(actor=None, period=period)
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures["sales"] == 100000
    assert period.runs.count() == 1

    with pytest.raises(ValidationError) as no_reason:
        services.period_unlock(actor=kpi_org.manager.user, period=period, reason="  ")
    assert "reason" in no_reason.value.message_dict
    services.period_unlock(actor=kpi_org.manager.user, period=period, reason="录入错误：甲的销售额")
    period.refresh_from_db()
    assert period.status == PeriodStatus.SCORED
    entry = AuditEntry.objects.filter(object_type="kpi.period", object_id=str(period.pk)).order_by("-id").first()
    assert entry.changes["reason"] == "录入错误：甲的销售额" and entry.actor == kpi_org.manager.user
    services.input_set(actor=None, period=period, person=kpi_org.a1, figure="sales", raw="1")


def test_sync_adds_new_agents_in_their_unit(kpi_org, period):
    from servicecoach.org import services as org_services
    from servicecoach.org.models import Role

    newcomer = org_services.person_create(actor=None, employee_no="K99999", name="新人", unit=kpi_org.aft)
    org_services.role_grant(actor=None, person=newcomer, role=Role.AGENT)
    assert services.period_sync_agents(actor=None, period=period) == 1
    assert services.period_sync_agents(actor=None, period=period) == 0
    assert period.inputs.get(person=newcomer).unit == kpi_org.aft


def test_figure_source_fills_a_figure_with_history(kpi_org, period):
    def from_conversations(month, people):
        return {p.pk: 400 + i for i, p in enumerate(sorted(people, key=lambda p: p.pk))}

    register_source(FigureSource("test.consultations", "consultations", "conversations", from_conversations))
    try:
        assert services.inputs_compute(actor=None, period=period, source_key="test.consultations") == 3
        assert services.inputs_compute(actor=None, period=period, source_key="test.consultations") == 0
    finally:
        unregister_source("test.consultations")
    values = sorted(r.figures["consultations"] for r in period.inputs.all())
    assert values == [400, 401, 402]
    assert set(InputChange.objects.filter(period=period).values_list("source", flat=True)) == {InputSource.COMPUTED}
    with pytest.raises(ValidationError, match="No data source"):
        services.inputs_compute(actor=None, period=period, source_key="test.consultations")


def test_inputs_set_many_is_all_or_nothing(kpi_org, period):
    with pytest.raises(ValidationError, match="whole number"):
        services.inputs_set_many(actor=None, period=period, values={
            kpi_org.a1.pk: {"sales": "1000"}, kpi_org.a2.pk: {"refunds": "0.5"}})
    assert not InputChange.objects.exists()
    assert AgentInput.objects.get(period=period, person=kpi_org.a1).figures == {}
    n = services.inputs_set_many(actor=None, period=period, values={
        kpi_org.a1.pk: {"sales": "1000", "reports": "B"}, kpi_org.a2.pk: {"refunds": "0"}})
    assert n == 3 and AgentInput.objects.get(period=period, person=kpi_org.a2).figures == {"refunds": 0}
    assert services.inputs_set_many(actor=None, period=period, values={kpi_org.a1.pk: {"sales": 1000}}) == 0
