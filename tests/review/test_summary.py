"""The dashboard's summary tables: kept up to date by the quality and review services, the figures read from
them equal the detailed computation (for every scope, after re-scoring, moving and mapping conversations and
an accepted appeal), and ``review_summary_rebuild`` gives the same rows."""

from __future__ import annotations

import random
from datetime import date

import pytest
from django.core.management import call_command
from tests.review.helpers import make_conversation, marks_full

from servicecoach.quality import services as quality_services
from servicecoach.quality.models import Conversation, UnmappedAgent
from servicecoach.quality.selectors import published_versions
from servicecoach.review import metrics, services
from servicecoach.review.models import DailySummary, ItemSummary, ReviewerSummary, RuleSummary

START, END = date(2026, 11, 1), date(2026, 11, 30)
FIELDS = ("day", "agent_id", "unit_id", "n", "score_sum", "with_score", "red", "auto_passed", "csat_sum", "csat_n",
          "frt_sum", "frt_n", "aht_sum", "aht_n", "reviewed", "review_sum", "passed", "scored", "r_auto_passed",
          "auto_scored")


def _rows() -> set[tuple]:
    daily = {tuple(round(v, 6) if isinstance(v, float) else v for v in row)
             for row in DailySummary.objects.values_list(*FIELDS)}
    rules = set(RuleSummary.objects.values_list("day", "agent_id", "unit_id", "rule_id", "n"))
    items = set(ItemSummary.objects.values_list("day", "agent_id", "unit_id", "section", "item", "problem_type",
                                                "severity", "n"))
    reviewers = set(ReviewerSummary.objects.values_list("day", "agent_id", "unit_id", "reviewer_id", "reviews",
                                                        "seconds"))
    return daily | rules | items | reviewers


def _assert_same(org) -> None:
    users = [org.users[r] for r in ("admin", "supervisor", "agent", "qa_reviewer", "trainer")] + [org.lead.user]
    for user in users:
        for unit in (None, org.units["service"], org.units["team_a"]):
            summary = metrics.dashboard(user=user, unit=unit, start=START, end=END)
            detailed = metrics.dashboard(user=user, unit=unit, start=START, end=END, summary=False)
            assert summary == detailed, (user.username, unit)
    # one period edge: a single day
    one = date(2026, 11, 3)
    admin = org.users["admin"]
    assert (metrics.dashboard(user=admin, unit=None, start=one, end=one)
            == metrics.dashboard(user=admin, unit=None, start=one, end=one, summary=False))


def _review(conversation, reviewer, *, take: int = 0):
    review = services.review_assign(actor=None, conversation=conversation, reviewer=reviewer)
    marks = marks_full(review)
    items = list(review.items.filter(applicable=True, bonus=False, red_line=False))
    taken = []
    for item in items[:take]:
        marks[item.position] = {"earned": 0, "problem_type": "attitude", "severity": "general"}
        taken.append(item)
    return services.review_save(actor=None, review=review, version=0, marks=marks, submit=True), taken


@pytest.fixture
def data(org):
    rng = random.Random(7)
    agents = ["S007", "S008", "S009", "S005", "X99"]  # X99: an unknown employee number (no agent, no unit)
    convs = []
    for n in range(36):
        convs.append(make_conversation(
            agents[n % len(agents)], polite=rng.random() < 0.6, day=rng.randint(1, 6),
            hour=rng.choice([0, 9, 15, 23]), csat=rng.choice([None, 1, 3, 5]),
            customer={"id": f"c{rng.randint(1, 12)}"}))
    reviewer = org.people["qa_reviewer"]
    reviews = [_review(c, reviewer, take=n % 3) for n, c in enumerate(convs[:9])]
    return convs, reviews


def test_summary_is_kept_and_equals_the_detailed_figures(org, data):
    assert all(table.objects.exists() for table in (DailySummary, RuleSummary, ItemSummary, ReviewerSummary))
    admin = org.users["admin"]
    figures = metrics.dashboard(user=admin, unit=None, start=START, end=END)
    assert figures["totals"]["conversations"] == 36 and figures["totals"]["reviewed"] == 9
    assert figures["per_agent"] and figures["trend"] and figures["rules"] and figures["failing_items"]
    assert figures["pareto"] and figures["reviewers"][0]["reviews"] == 9
    _assert_same(org)
    # the figures really come from the summary: without it the company has no conversations
    DailySummary.objects.all().delete()
    assert metrics.dashboard(user=admin, unit=None, start=START, end=END)["totals"]["conversations"] == 0


def test_summary_follows_rescoring_moves_mapping_and_an_accepted_appeal(org, data):
    convs, reviews = data
    # re-scoring: a polite conversation gets a rude transcript and is scored again
    polite = next(c for c in convs if c.score is not None and c.score >= 60)
    rude = next(c for c in convs if c.score is not None and c.score < 60)
    Conversation.objects.filter(pk=polite.pk).update(messages=rude.messages)
    ruleset, card = published_versions()
    with_messages = list(Conversation.objects.filter(pk=polite.pk))
    quality_services.conversations_score(rows=with_messages, ruleset=ruleset, scorecard=card)
    assert Conversation.objects.get(pk=polite.pk).score < polite.score  # the figures change
    _assert_same(org)

    # re-imported with another agent and another day: both the old and the new (day, agent) change
    moved = convs[1]
    old_day = moved.started_at
    make_conversation("S009", polite=False, day=9, hour=23, cid=moved.external_id)
    moved.refresh_from_db()
    assert moved.started_at != old_day and moved.agent == org.outsider
    _assert_same(org)

    # an administrator maps the unknown number: its conversations get an agent and a unit
    entry = UnmappedAgent.objects.get(employee_no="X99")
    linked = quality_services.unmapped_agent_map(actor=org.users["admin"], entry=entry, person=org.teammate)
    assert linked > 0
    _assert_same(org)

    # an accepted appeal changes a review's score
    review, taken = next((r, t) for r, t in reviews if t and r.conversation.agent_id == org.people["agent"].pk)
    appeal = services.appeal_create(actor=org.users["agent"], review=review, item_ids=[taken[0].pk], comment="有理由")
    services.appeal_supervisor_decide(actor=org.users["supervisor"], appeal=appeal, action="forward", comment="")
    entry = appeal.items.get()
    services.appeal_final_decide(actor=org.lead.user, appeal=appeal, accept=True, comment="同意",
                                 new_scores={entry.pk: taken[0].points})
    review.refresh_from_db()
    assert review.score > appeal.score_before
    _assert_same(org)

    # the rebuild from the detailed tables gives exactly the rows kept incrementally
    kept = _rows()
    call_command("review_summary_rebuild", stdout=open("/dev/null", "w"))
    assert _rows() == kept


def test_repeat_contacts_load_apart_from_the_page_within_scope(client, org, data):
    from django.urls import reverse

    period = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    client.force_login(org.users["supervisor"])
    page = client.get(reverse("review:dashboard"), period)
    assert page.status_code == 200 and page.context["data"]["repeat"] is None
    assert reverse("review:dashboard-repeat") in page.content.decode()
    part = client.get(reverse("review:dashboard-repeat"), period)
    expected = metrics.repeat_contacts(metrics.dashboard_conversations(user=org.users["supervisor"], unit=None,
                                                                       start=START, end=END))
    assert part.status_code == 200 and part.context["repeat"] == expected
    assert expected["repeat_customers"] > 0 and f"{expected['repeat_rate']}%" in part.content.decode()
    # the supervisor's figure counts only their team's conversations, not the company's
    company = metrics.repeat_contacts(metrics.dashboard_conversations(user=org.users["admin"], unit=None,
                                                                      start=START, end=END))
    assert expected["contacts"] < company["contacts"]


def _records(n: int, *, first: int = 0) -> list[dict]:
    agents = ["S007", "S008", "S009", "X99"]
    out = []
    for i in range(first, first + n):
        out.append({"id": f"job{i:03d}", "source": "job-test", "agent": agents[i % len(agents)],
                    "started_at": f"2026-11-{1 + i % 7:02d}T{(i * 5) % 24:02d}:10:00+08:00",
                    "messages": [{"role": "customer", "text": "我的快递三天了还没到，太差了", "offset": 0},
                                 {"role": "agent", "text": "您好，很抱歉让您久等了" if i % 3 else "不知道", "offset": 20}],
                    "labels": {"csat": 1 + i % 5}})
    return out


def _jsonl(records: list[dict]) -> bytes:
    import json

    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def test_a_job_notes_its_days_and_settles_them_once_at_its_end(org, settings, django_capture_on_commit_callbacks):
    """An import job's batches only note the days they touch; the summary is brought up to date at the end,
    and then equals the detailed figures. Conversations stored before the job keep counting."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from servicecoach.quality import jobs
    from servicecoach.quality.models import JobStatus
    from servicecoach.review import summary
    from servicecoach.review.models import SummaryPending

    make_conversation("S007", day=2)  # outside any job: refreshed at once
    assert not SummaryPending.objects.exists() and DailySummary.objects.filter(day=date(2026, 11, 2)).exists()
    settings.QUALITY_JOB_BATCH = 5
    settings.QUALITY_JOBS_INLINE = True
    seen: list[tuple[bool, int]] = []  # (bulk mode, conversations) of each change the hooks are told of

    def spy(ids, before, bulk):
        seen.append((bulk, len(ids)))

    quality_services.on_conversations_changed(spy)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = jobs.job_create_import(actor=org.users["admin"],
                                         upload=SimpleUploadedFile("j.jsonl", _jsonl(_records(23))))
    finally:
        quality_services._change_hooks.remove(spy)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.counts["imported"] == 23
    assert seen == [(True, 5)] * 4 + [(True, 3)]  # five batches, each in bulk mode
    assert not SummaryPending.objects.exists()
    assert summary.pending_days() == []
    _assert_same(org)
    assert metrics.dashboard(user=org.users["admin"], unit=None, start=START, end=END)["totals"]["conversations"] == 24


def test_days_noted_by_a_killed_job_are_settled_when_it_is_resumed(org, settings, django_capture_on_commit_callbacks,
                                                                   client):
    """A worker committed batches (noting their days) and was killed before the settle: the dashboard says its
    days are being updated; the resumed job settles them too, and the figures equal the detailed ones."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import timezone

    from servicecoach.quality import jobs
    from servicecoach.quality.engine.readers import parse_conversation
    from servicecoach.quality.models import Job, JobStatus
    from servicecoach.quality.services import conversations_ingest
    from servicecoach.review.models import SummaryPending

    settings.QUALITY_JOBS_INLINE = True
    records = _records(12)
    job = jobs.job_create_import(actor=org.users["admin"], upload=SimpleUploadedFile("k.jsonl", _jsonl(records)))
    with quality_services.bulk_changes():  # what the killed worker committed: 8 records, in bulk mode
        conversations_ingest(items=[(parse_conversation(dict(r)), r) for r in records[:8]])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, checkpoint=8, done=8, total=12,
                                         counts={"imported": 8}, heartbeat_at=timezone.now() - timedelta(hours=1))
    noted = set(SummaryPending.objects.values_list("day", flat=True))
    assert noted == {date(2026, 11, d) for d in range(1, 8)} and not DailySummary.objects.exists()
    client.force_login(org.users["admin"])
    page = client.get(reverse("review:dashboard"), {"date_from": START.isoformat(), "date_to": END.isoformat()})
    import re

    notice = re.search(r'id="dashboard-pending">([^<]*)<', page.content.decode())
    assert notice and re.search(r"\b7\b", notice.group(1)), notice

    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.job_resume(actor=org.users["admin"], job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.counts["imported"] == 12
    assert not SummaryPending.objects.exists()
    _assert_same(org)
    assert metrics.dashboard(user=org.users["admin"], unit=None, start=START, end=END)["totals"]["conversations"] == 12
    page = client.get(reverse("review:dashboard"), {"date_from": START.isoformat(), "date_to": END.isoformat()})
    assert b'id="dashboard-pending"' not in page.content


def test_days_left_noted_are_settled_by_run_due(org):
    """A job noted days and was never resumed: the periodic task (and ``review_run_due``) settles them."""
    from io import StringIO

    from servicecoach.quality.engine.readers import parse_conversation
    from servicecoach.quality.services import conversations_ingest
    from servicecoach.review.models import SummaryPending
    from servicecoach.review.tasks import run_due

    records = _records(6)
    with quality_services.bulk_changes():
        conversations_ingest(items=[(parse_conversation(dict(r)), r) for r in records[:3]])
    assert SummaryPending.objects.count() == 3
    assert run_due()["summary_days"] == 3
    assert not SummaryPending.objects.exists()
    _assert_same(org)
    with quality_services.bulk_changes():
        conversations_ingest(items=[(parse_conversation(dict(r)), r) for r in records[3:]])
    out = StringIO()
    call_command("review_run_due", stdout=out)
    assert "3 day(s) of the dashboard summary" in out.getvalue()
    _assert_same(org)


def test_a_rescore_job_settles_the_days_it_changed(org, data, settings, django_capture_on_commit_callbacks):
    """A re-score job runs in bulk mode too: its batches note their days and its end brings them up to date."""
    from servicecoach.quality import jobs
    from servicecoach.quality.models import JobStatus
    from servicecoach.review.models import SummaryPending

    settings.QUALITY_JOBS_INLINE = True
    settings.QUALITY_JOB_BATCH = 7
    convs, _reviews = data
    polite = [c for c in convs if c.score is not None and c.score >= 90][:3]
    rude = next(c for c in convs if c.score is not None and c.score < 60)
    # transcripts changed behind the services' back: the stored scores and the summary are now stale
    Conversation.objects.filter(pk__in=[c.pk for c in polite]).update(messages=rude.messages)
    with django_capture_on_commit_callbacks(execute=True):
        job = jobs.job_create_rescore(actor=org.users["admin"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 36
    after = [Conversation.objects.get(pk=c.pk).score for c in polite]
    assert all(new < c.score for new, c in zip(after, polite)), ([c.score for c in polite], after, rude.score)
    assert not SummaryPending.objects.exists()
    _assert_same(org)


def test_averages_do_not_depend_on_the_order_of_the_sums():
    """The summary sums per day and then over the days; the detailed figures sum all at once. Floating-point
    sums of the same scores can differ in the last bit (330.20000000000005 against 330.2 here), which must
    not flip a rounded average (82.55000000000001 → 82.6 against 82.55 → 82.5)."""
    scores = [87.25, 92.99, 90.3, 59.66]
    at_once = sum(scores)
    per_day = sum(scores[:1]) + sum(scores[1:])
    assert at_once != per_day  # the premise: the two orders really differ
    figures = [metrics._finish({"n": 4, "score_sum": total, "with_score": 4}) for total in (at_once, per_day)]
    assert figures[0]["auto"] == figures[1]["auto"] == 82.5  # 330.2 / 4, as Python rounds 82.55
