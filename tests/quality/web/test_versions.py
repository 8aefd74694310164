"""Rule sets and scorecards in the web app: drafts, errors placed at their line, publishing, preview,
the scorecard's item form."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from servicecoach.quality import scoring, services
from servicecoach.quality.models import RuleSetVersion, ScorecardVersion, VersionStatus
from servicecoach.quality.selectors import published_versions, rule_preview

RULES = """ruleset: test-rules
version: "1"
rules:
  - id: greet
    name: {zh: 问候, en: Greeting}
    category: communication
    severity: minor
    condition:
      keywords: {words: [您好], role: agent}
  - id: rude
    name: {zh: 禁语, en: Rude}
    category: attitude
    severity: severe
    condition:
      keywords: {words: [不知道], role: agent}
"""


@pytest.fixture
def admin(sample):
    client = Client()
    client.force_login(sample.users["admin"])
    return client


def test_builtin_pack_is_published_as_version_one(db):
    ruleset, card = published_versions()
    assert (ruleset.number, ruleset.key, ruleset.status) == (1, "zh-default", VersionStatus.PUBLISHED)
    assert card.key == "zh-default-card"
    assert published_versions() == (ruleset, card)  # not created twice


@pytest.mark.parametrize(("text", "line", "words"), [
    (RULES.replace("severity: severe", "severity: awful"), 13, "severity"),
    (RULES.replace("role: agent}\n  - id: rude", "role: robot}\n  - id: rude"), 9, "role"),
    (RULES.replace("  - id: rude\n", "  - id: rude\n   bad: [\n"), 11, "YAML"),
    (RULES.replace("version: \"1\"\n", ""), 1, "version"),
])
def test_yaml_errors_name_the_line(text, line, words):
    with pytest.raises(scoring.YamlProblem) as err:
        scoring.parse_ruleset_text(text)
    assert err.value.line == line, err.value.message
    assert words in err.value.message


def test_draft_with_an_error_is_refused_with_its_line(sample, admin):
    bad = RULES.replace("category: attitude", "category: manners")
    response = admin.post("/qa/rules/ruleset/new/", {"yaml_text": bad})
    assert response.status_code == 200
    body = response.content.decode()
    assert "line 12:" in body or "第 12 行" in body
    assert "category" in body
    assert not RuleSetVersion.objects.filter(status=VersionStatus.DRAFT).exists()


def test_publishing_a_rule_set_the_scorecard_does_not_fit_is_refused(sample):
    published_versions()
    draft = services.version_create_draft(actor=sample.users["admin"], model=RuleSetVersion, yaml_text=RULES)
    with pytest.raises(ValidationError) as err:
        services.version_publish(actor=sample.users["admin"], version=draft)
    assert "scorecard" in str(err.value)
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT


def test_publishing_a_draft_retires_the_old_version_and_new_conversations_use_it(sample, ingest, make_record, admin):
    old_rules, _card = published_versions()
    text = old_rules.yaml_text.replace('version: "2026.11.1"', 'version: "2026.12"')
    response = admin.post("/qa/rules/ruleset/new/", {"yaml_text": text, "note": "December"})
    draft = RuleSetVersion.objects.get(status=VersionStatus.DRAFT)
    assert response.status_code == 302 and draft.number == 2 and draft.label == "2026.12"
    assert admin.post(f"/qa/rules/ruleset/{draft.pk}/publish/").status_code == 302
    old_rules.refresh_from_db()
    draft.refresh_from_db()
    assert (old_rules.status, draft.status) == (VersionStatus.RETIRED, VersionStatus.PUBLISHED)
    ingest(make_record(cid="after"))
    from servicecoach.quality.models import Conversation

    assert Conversation.objects.get(external_id="after").current_result.ruleset == draft
    # a published version is not edited any more
    assert admin.post(f"/qa/rules/ruleset/{draft.pk}/", {"yaml_text": RULES}).status_code == 302
    draft.refresh_from_db()
    assert "2026.12" in draft.yaml_text


def test_preview_counts_hits_of_a_draft_rule_on_recent_conversations(sample, ingest, make_record):
    from django.utils import timezone

    now = timezone.now()
    ingest(make_record(cid="p1", polite=False, started=now), make_record(cid="p2", started=now),
           make_record(cid="p3", polite=False, started=now - timezone.timedelta(days=30)))
    ruleset, _card = published_versions()
    text = ruleset.yaml_text.replace("forbidden: [不知道,", "forbidden: [马上为您查询, 不知道,")
    draft = services.version_create_draft(actor=sample.users["admin"], model=RuleSetVersion, yaml_text=text)
    preview = rule_preview(user=sample.users["admin"], version=draft, rule_id="zh-forbidden-01", days=7)
    assert (preview["conversations"], preview["fired"]) == (2, 2)
    assert (preview["published_fired"], preview["newly_fired"], preview["no_longer_fired"]) == (1, 1, 0)
    texts = {hit["text"] for sample_ in preview["samples"] for hit in sample_["hits"]}
    assert "马上为您查询" in texts


def test_preview_page_answers_for_a_draft(sample, ingest, make_record, admin):
    ruleset, _card = published_versions()
    body = admin.get(f"/qa/rules/ruleset/{ruleset.pk}/preview/", {"rule": "zh-forbidden-01", "days": 7},
                     HTTP_HX_REQUEST="true").content.decode()
    assert 'data-preview="fired"' in body


def test_scorecard_items_form_changes_points_of_a_draft(sample, admin):
    _rules, card = published_versions()
    draft = services.version_create_draft(actor=sample.users["admin"], model=ScorecardVersion,
                                          yaml_text=card.yaml_text)
    page = admin.get(f"/qa/rules/scorecard/{draft.pk}/items/")
    form = page.context["form"]
    data = {name: form[name].value() for name in form.fields if not name.startswith("red_line__")}
    data["points__attitude__forbidden"] = "20"
    data["red_line__attitude__forbidden"] = "on"
    response = admin.post(f"/qa/rules/scorecard/{draft.pk}/items/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    draft.refresh_from_db()
    parsed = scoring.parse_scorecard_text(draft.yaml_text)
    item = next(i for s in parsed.sections for i in s.items if i.id == "forbidden")
    assert (item.points, item.red_line) == (20.0, True)
    data["points__attitude__forbidden"] = "-3"
    body = admin.post(f"/qa/rules/scorecard/{draft.pk}/items/", data).content.decode()
    assert "errorlist" in body


@pytest.mark.parametrize(("change", "line", "field"), [
    (("points: 10, rules: [zh-apology-01]", "points: -1, rules: [zh-apology-01]"), 22, "points"),
    (("mode: award, bonus: true", "mode: deduct, bonus: true"), 27, "bonus"),
])
def test_scorecard_errors_name_the_line_of_the_item(db, change, line, field):
    text = published_versions()[1].yaml_text.replace(*change)
    with pytest.raises(scoring.YamlProblem) as err:
        scoring.parse_scorecard_text(text)
    assert err.value.line == line, err.value.message
    assert field in err.value.message
