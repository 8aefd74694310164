"""What the QA data shows feeds the needs survey: the unit's weakest scorecard items, rated from points lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from servicecoach.programmes import selectors, services
from servicecoach.quality import services as quality_services
from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.generator import generate_records


@pytest.fixture
def survey(people, org):
    return services.survey_create(actor=None, title="售前组需求", unit=org.pre, skills=["退款流程"],
                                  closes_on=timezone.localdate() + timedelta(days=7))


def _score_conversations(people):
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=10)
    records = list(generate_records(40, [people.agent.employee_no, people.agent2.employee_no], start=start, days=10,
                                    seed=11, source="test-chat", id_prefix="t"))
    quality_services.conversations_ingest(items=[(parse_conversation(r), r) for r in records])


def test_without_qa_results_the_survey_says_so(people, survey):
    assert selectors.qa_weak_points(survey.unit) == []
    with pytest.raises(ValidationError):
        services.survey_add_qa_input(actor=None, survey=survey)


def test_weakest_items_become_skills_with_a_qa_answer(people, org, survey):
    _score_conversations(people)
    weak = selectors.qa_weak_points(survey.unit)
    assert weak, "the generated conversations lose points somewhere"
    assert all(0 < row["loss"] <= 1 and row["conversations"] > 0 for row in weak)
    assert [row["loss"] for row in weak] == sorted((row["loss"] for row in weak), reverse=True)
    assert selectors.qa_weak_points(org.aft) == []  # another team's conversations do not count
    response = services.survey_add_qa_input(actor=people.manager.user, survey=survey)
    survey.refresh_from_db()
    assert survey.skills[0] == "退款流程" and set(response.ratings) <= set(survey.skills)
    assert all(1 <= value <= 5 for value in response.ratings.values())
    report = {row["skill"]: row for row in selectors.needs_report(survey)}
    assert all(report[item]["sources"] == {"qa": float(response.ratings[item])} for item in response.ratings)
    # Adding it again replaces the QA answer instead of adding a second one.
    services.survey_add_qa_input(actor=people.manager.user, survey=survey)
    assert survey.responses.filter(source="qa").count() == 1
