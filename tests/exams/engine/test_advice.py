"""Advice and cohort weak points (servicecoach.exams.engine.advice)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from servicecoach.exams.engine.advice import (
    AdviceEntry,
    AdviceTable,
    AreaKind,
    area_percentages,
    candidate_advice,
    candidate_areas,
    cohort_weak_points,
)
from servicecoach.exams.engine.practical import Rubric, RubricItem, panel_score

D = Decimal
TOPIC, ITEM = AreaKind.TOPIC, AreaKind.ITEM

TABLE = AdviceTable(
    entries=(
        AdviceEntry(
            kind=TOPIC,
            key="投诉处理",
            zh="投诉处理流程尚不熟练：请练习工单系统",
            en="complaint-handling process not yet fluent: practise the ticket system",
        ),
        AdviceEntry(
            kind=ITEM, key="open", zh="开场白不规范：请背诵标准开场白", en="opening not standard: learn it"
        ),
    )
)


def test_area_percentages_sum_the_rows_of_an_area():
    pct = area_percentages(
        [((TOPIC, "投诉处理"), D(3), D(5)), ((TOPIC, "投诉处理"), D(1), D(5)), ((ITEM, "open"), D(7), D(10))]
    )
    assert pct == {(TOPIC, "投诉处理"): D("40.00"), (ITEM, "open"): D("70.00")}


def test_candidate_advice_weakest_first_with_table_text_and_fallback():
    pct = {
        (TOPIC, "投诉处理"): D(40),
        (TOPIC, "产品知识"): D(65),
        (ITEM, "open"): D(50),
        (TOPIC, "服务规范"): D(95),
    }
    advice = candidate_advice(pct, table=TABLE)
    assert [(a.key, a.percent) for a in advice] == [("投诉处理", D(40)), ("open", D(50)), ("产品知识", D(65))]
    assert advice[0].en == "complaint-handling process not yet fluent: practise the ticket system"
    assert advice[2].zh.startswith("“产品知识”掌握不足")  # no table entry: generic text naming the topic
    assert candidate_advice(pct, table=TABLE, limit=1)[0].key == "投诉处理"
    assert candidate_advice(pct, table=TABLE, threshold=D(40)) == []  # below, not at, the threshold


def test_cohort_weak_points_mean_and_count_below_threshold():
    cohort = [
        {(TOPIC, "投诉处理"): D(40), (TOPIC, "产品知识"): D(80), (ITEM, "open"): D(60)},
        {(TOPIC, "投诉处理"): D(70), (TOPIC, "产品知识"): D(90), (ITEM, "open"): D(90)},
        {(TOPIC, "投诉处理"): D(55), (ITEM, "open"): D(65)},  # 产品知识 not on this paper
    ]
    weak = cohort_weak_points(cohort, threshold=D(70))
    assert [(w.key, w.mean_percent, w.below_threshold, w.candidates) for w in weak] == [
        ("投诉处理", D("55.00"), 2, 3),
        ("open", D("71.67"), 2, 3),
        ("产品知识", D("85.00"), 0, 2),
    ]
    assert len(cohort_weak_points(cohort, limit=1)) == 1


def test_advice_table_from_rows_names_the_bad_row():
    table = AdviceTable.from_rows([{"kind": "topic", "key": "a", "zh": "甲", "en": "A"}])
    assert table.lookup((TOPIC, "a")).zh == "甲"
    with pytest.raises(ValueError, match="advice table row 2: kind must be 'topic' or 'item'"):
        AdviceTable.from_rows([{"kind": "item", "key": "a", "zh": "甲", "en": "A"}, {"kind": "x"}])
    with pytest.raises(ValueError, match="advice table row 1: en must not be empty"):
        AdviceTable.from_rows([{"kind": "item", "key": "a", "zh": "甲", "en": " "}])


def test_areas_from_a_marked_paper_and_a_practical_result():
    rubric = Rubric(
        key="R",
        title="t",
        items=(
            RubricItem(key="open", title="uses the standard opening", points=D(10)),
            RubricItem(key="progress", title="looks up and reports the progress correctly", points=D(20)),
        ),
    )
    practical = panel_score(
        rubric, {"a": {"open": D(9), "progress": D(8)}, "b": {"open": D(9), "progress": D(10)}}
    )
    pct, names = candidate_areas(by_topic={"投诉处理": (D(3), D(6))}, practical=practical)
    assert pct == {
        (TOPIC, "投诉处理"): D("50.00"),
        (ITEM, "open"): D("90.00"),
        (ITEM, "progress"): D("45.00"),
    }
    advice = candidate_advice(pct, table=AdviceTable(), names=names)
    assert [a.key for a in advice] == ["progress", "投诉处理"]
    assert (
        advice[0].en
        == "looks up and reports the progress correctly: not yet fluent; practise it in role-play"
    )
