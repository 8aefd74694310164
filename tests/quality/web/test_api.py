"""POST /api/v1/conversations/: batches up to 1,000, idempotent, bad records reported, scoped reads."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from servicecoach.quality.models import Conversation

URL = "/api/v1/conversations/"


@pytest.fixture
def client_for(sample):
    def make(role):
        client = APIClient()
        client.force_authenticate(sample.users[role])
        return client

    return make


def test_batch_stores_good_records_and_reports_bad_ones(client_for, make_record):
    bad_role = make_record(cid="bad")
    bad_role["messages"][1]["role"] = "robot"
    body = [make_record(cid="g1"), bad_role, {"id": 7}, make_record(cid="g2")]
    response = client_for("qa_reviewer").post(URL, body, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["created"], data["skipped"]) == (2, 2)
    assert [r["index"] for r in data["records"]] == [0, 3]
    assert data["errors"][0] == {"index": 1, "id": "bad", "field": "messages[1].role",
                                 "reason": "must be one of customer, agent, bot, system"}
    assert data["errors"][1]["index"] == 2 and data["errors"][1]["field"] == "id"
    assert set(Conversation.objects.values_list("external_id", flat=True)) == {"g1", "g2"}


def test_sending_the_same_batch_twice_creates_no_duplicates(client_for, make_record):
    body = {"conversations": [make_record(cid="d1"), make_record(cid="d2")]}
    client = client_for("admin")
    client.post(URL, body, format="json")
    again = client.post(URL, body, format="json").json()
    assert (again["created"], again["unchanged"]) == (0, 2)
    assert Conversation.objects.count() == 2


def test_more_than_a_thousand_is_refused_and_nothing_stored(client_for, make_record):
    body = [make_record(cid=f"m{i}") for i in range(1001)]
    response = client_for("admin").post(URL, body, format="json")
    assert response.status_code == 400
    assert "1000" in response.json()["conversations"]
    assert not Conversation.objects.exists()


def test_agents_may_not_send_and_see_only_their_own(client_for, make_record, sample):
    client_for("admin").post(URL, [make_record("S007", cid="own"), make_record("S009", cid="other")], format="json")
    agent = client_for("agent")
    assert agent.post(URL, [make_record(cid="x")], format="json").status_code == 403
    listed = agent.get(URL).json()["results"]
    assert [c["id"] for c in listed] == ["own"]
    other = Conversation.objects.get(external_id="other")
    assert agent.get(f"{URL}{other.pk}/").status_code == 404
    detail = client_for("supervisor").get(f"{URL}{Conversation.objects.get(external_id='own').pk}/").json()
    assert detail["result"]["ruleset"]["number"] == 1
    assert detail["messages"][0]["role"] == "customer"


def test_a_batch_notes_its_days_and_the_summary_is_settled_after_the_request(client_for, make_record,
                                                                             django_capture_on_commit_callbacks):
    """The API ingests in bulk mode: the dashboard summary is noted in the request's transaction and settled
    after the commit (inline in tests; a thread or a Celery worker otherwise), not recomputed in the request."""
    from django.db.models import Sum

    from servicecoach.quality import jobs, services
    from servicecoach.review.models import DailySummary, SummaryPending

    modes = []

    def spy(ids, before, bulk):
        modes.append((bulk, SummaryPending.objects.exists()))

    services.on_conversations_changed(spy)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client_for("admin").post(URL, [make_record(cid="s1"), make_record(cid="s2")], format="json")
    finally:
        services._change_hooks.remove(spy)
    assert response.status_code == 200
    assert modes == [(True, True)]  # bulk mode; the review hook (registered first) had noted the day
    assert jobs.settle_dispatch in callbacks
    assert not SummaryPending.objects.exists()  # settled after the commit
    assert DailySummary.objects.aggregate(n=Sum("n"))["n"] == 2


def test_settling_in_a_thread_goes_round_again_instead_of_starting_another(settings, monkeypatch):
    import threading
    import time

    from servicecoach.quality import jobs, services

    settings.QUALITY_JOBS_INLINE = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    started, release, calls = threading.Event(), threading.Event(), []

    def hook():
        calls.append(threading.current_thread().name)
        started.set()
        release.wait(10)

    monkeypatch.setattr(services, "_settle_hooks", [hook])
    jobs.settle_dispatch()
    assert started.wait(10)
    jobs.settle_dispatch()
    jobs.settle_dispatch()  # both while the first round runs: one more round, no second thread
    assert [t.name for t in threading.enumerate()].count("quality-settle") == 1
    release.set()
    deadline = time.monotonic() + 10
    while jobs._settle_state["running"] and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not jobs._settle_state["running"]
    assert calls == ["quality-settle", "quality-settle"]
