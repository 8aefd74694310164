"""The upload page, the job page with its progress and summary, the skipped-records report, and the
unmapped-agents page."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from servicecoach.quality.models import Conversation, Job, UnmappedAgent


def test_upload_runs_the_job_and_the_job_page_shows_the_summary(login, make_record, django_capture_on_commit_callbacks):
    lines = [json.dumps(make_record("S007", cid="u1"), ensure_ascii=False), "oops",
             json.dumps(make_record("NEW-7", cid="u2"), ensure_ascii=False)]
    upload = SimpleUploadedFile("batch.jsonl", "\n".join(lines).encode())
    client = login("qa_reviewer")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/qa/upload/", {"file": upload, "source": "shop-a"})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/qa/jobs/{job.pk}/"
    progress = client.get(f"/qa/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-status="done"' in progress and "100%" in progress
    assert 'data-count="imported">2<' in progress and 'data-count="skipped">1<' in progress
    assert "hx-trigger" not in progress  # finished: the page stops polling
    report = client.get(f"/qa/jobs/{job.pk}/skipped.csv").content.decode("utf-8-sig").splitlines()
    assert report[1].startswith("batch.jsonl,2,") and "not valid JSON" in report[1]
    assert set(Conversation.objects.values_list("source", flat=True)) == {"test"}  # records named their source


def test_upload_of_an_unsupported_file_says_so(login):
    body = login("admin").post("/qa/upload/", {"file": SimpleUploadedFile("notes.txt", b"x")}).content.decode()
    assert ".txt" in body
    assert not Job.objects.exists()


def test_unknown_agent_is_mapped_from_the_admin_page(login, ingest, make_record, sample,
                                                     django_capture_on_commit_callbacks):
    from servicecoach.review.models import DailySummary, SummaryPending

    ingest(make_record("NEW-7", cid="m1"))
    entry = UnmappedAgent.objects.get()
    client = login("admin")
    assert '<td class="mono">NEW-7</td>' in client.get("/qa/agents/unmapped/").content.decode()
    assert not DailySummary.objects.filter(agent=sample.teammate).exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/qa/agents/unmapped/{entry.pk}/map/", {"person": sample.teammate.pk})
    assert response.status_code == 302
    assert Conversation.objects.get(external_id="m1").agent == sample.teammate
    # the summary's day was noted in the request, and is settled after it
    assert SummaryPending.objects.count() == 1 and not DailySummary.objects.filter(agent=sample.teammate).exists()
    for callback in callbacks:
        callback()
    assert not SummaryPending.objects.exists()
    assert DailySummary.objects.get(agent=sample.teammate).n == 1
    assert '<td class="mono">NEW-7</td>' not in client.get("/qa/agents/unmapped/").content.decode()
