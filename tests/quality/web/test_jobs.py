"""Import and re-scoring jobs: batches, checkpoints, skipped-record reports, resuming without duplicates."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from servicecoach.quality import jobs
from servicecoach.quality.engine.readers import parse_conversation
from servicecoach.quality.models import AutoResult, Conversation, Job, JobStatus
from servicecoach.quality.services import conversations_ingest


def jsonl(records, extra_lines=()) -> bytes:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.extend(extra_lines)
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it queued for after the commit (the job itself, inline)."""

    def call(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return call


@pytest.fixture
def small_batches(settings):
    settings.QUALITY_JOB_BATCH = 2


def test_jsonl_import_reports_bad_lines_and_stores_the_rest(sample, make_record, small_batches, run):
    data = jsonl([make_record(cid="j1"), make_record(cid="j2")], ["{not json", '{"id": "j3", "messages": []}'])
    data += jsonl([make_record(cid="j4")])
    job = run(jobs.job_create_import, actor=sample.users["qa_reviewer"], upload=SimpleUploadedFile("day.jsonl", data))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.total, job.done, job.checkpoint) == (5, 5, 5)
    assert job.counts == {"imported": 3, "updated": 0, "unchanged": 0, "scored": 3, "skipped": 2}
    skips = list(job.skips.all())
    assert [(s.line, s.field) for s in skips] == [(3, ""), (4, "messages")]
    assert skips[1].conversation_id == "j3" and "non-empty" in skips[1].reason
    rows = list(jobs.skipped_rows(job))
    assert rows[1][:2] == ["day.jsonl", "3"] and len(rows) == 3


def test_csv_import_with_configured_columns(sample, small_batches, run):
    text = ("会话,角色,内容,秒,坐席\n"
            "k1,customer,你好 我的订单还没到,0,S007\n"
            "k1,agent,您好，马上为您查询，请问还有什么可以帮您,5,S007\n"
            "k2,customer,在吗,0,S008\n"
            "k2,wizard,?,3,S008\n")
    job = run(jobs.job_create_import,
        actor=sample.users["admin"], upload=SimpleUploadedFile("x.csv", text.encode()), source="crm",
        csv_columns={"id": "会话", "role": "角色", "text": "内容", "time": "秒", "agent": "坐席"},
    )
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.counts["imported"] == 1 and job.counts["skipped"] == 1
    conv = Conversation.objects.get()
    assert (conv.source, conv.external_id, conv.agent) == ("crm", "k1", sample.people["agent"])
    skip = job.skips.get()
    assert skip.line == 5 and skip.conversation_id == "k2" and skip.field == "角色"


def test_xlsx_import(sample, run):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["conversation_id", "role", "text", "time", "agent"])
    sheet.append(["x1", "customer", "你好", 0, "S007"])
    sheet.append(["x1", "agent", "您好，请问有什么可以帮您", 4, "S007"])
    buffer = io.BytesIO()
    book.save(buffer)
    job = run(jobs.job_create_import, actor=sample.users["admin"], upload=SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.counts["imported"] == 1


def test_unsupported_file_is_refused_before_a_job_exists(sample):
    with pytest.raises(ValidationError) as err:
        jobs.job_create_import(actor=sample.users["admin"], upload=SimpleUploadedFile("x.pdf", b"%PDF"))
    assert ".pdf" in str(err.value)
    assert not Job.objects.exists()


def test_killed_job_resumes_after_its_checkpoint_without_duplicates(sample, make_record, small_batches, run):
    records = [make_record(cid=f"r{i}") for i in range(7)]
    # created without running (its after-commit dispatch is dropped): the state a queued job is in
    job = jobs.job_create_import(actor=sample.users["admin"], upload=SimpleUploadedFile("r.jsonl", jsonl(records)))
    # a worker committed two batches (4 records, checkpoint 4) and was killed in the third long ago
    conversations_ingest(items=[(parse_conversation(r), r) for r in records[:4]])
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, checkpoint=4, done=4, total=7,
                                         counts={"imported": 4}, heartbeat_at=timezone.now() - timedelta(hours=1))
    job.refresh_from_db()
    assert jobs.job_is_stale(job)
    run(jobs.job_resume, actor=sample.users["admin"], job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.counts["imported"] == 7  # 4 before the kill + 3 after: the first four were not read again
    assert job.counts.get("unchanged", 0) == 0
    assert Conversation.objects.count() == 7
    assert AutoResult.objects.count() == 7


def test_a_running_job_is_not_resumed_twice(sample, make_record):
    job = jobs.job_create_import(actor=sample.users["admin"],
                                 upload=SimpleUploadedFile("r.jsonl", jsonl([make_record(cid="busy")])))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=timezone.now())
    job.refresh_from_db()
    with pytest.raises(ValidationError):
        jobs.job_resume(actor=sample.users["admin"], job=job)


def test_running_a_finished_job_again_changes_nothing(sample, make_record, run):
    job = run(jobs.job_create_import, actor=sample.users["admin"],
                                 upload=SimpleUploadedFile("a.jsonl", jsonl([make_record(cid="once")])))
    jobs.job_run(job.pk)
    job.refresh_from_db()
    assert job.counts["imported"] == 1
    assert Conversation.objects.count() == 1 and AutoResult.objects.count() == 1


def test_rescore_job_adds_results_with_the_new_versions(sample, ingest, make_record, small_batches, run):
    ingest(*[make_record(cid=f"s{i}") for i in range(3)])
    job = run(jobs.job_create_rescore, actor=sample.users["admin"])
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.done == 3 and job.counts == {"scored": 3}
    assert AutoResult.objects.count() == 6
    assert AutoResult.objects.filter(is_current=True).count() == 3
