"""Background jobs: importing a file of conversations and re-scoring stored conversations.

A job works in batches. Each batch is one transaction that stores its conversations (and their
scores) together with the job's ``checkpoint`` (records consumed so far, or the last conversation
id re-scored), so a worker killed in the middle leaves no half batch, and running the job again
starts after the last committed batch. Storing is idempotent on (source, id) besides, so even a job
run twice from the start creates no duplicates. The batches run in the quality services' bulk mode
(:func:`services.bulk_changes`): derived data (the dashboard summary) is noted per batch and brought up
to date once at the end of the job (:func:`services.changes_settle`).

Where a job runs (:func:`job_dispatch`): on a Celery worker when a broker is configured
(``SERVICECOACH_CELERY_BROKER_URL`` / ``SERVICECOACH_REDIS_URL``); otherwise in a thread of the web
process, so the page can show its progress; inline when ``settings.QUALITY_JOBS_INLINE`` is true
(tests).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from servicecoach.org.models import AuditAction, User
from servicecoach.org.services import audit_record
from servicecoach.quality import services
from servicecoach.quality.engine.readers import (
    CSV_FIELDS,
    JSONL_SUFFIXES,
    ConversationFormatError,
    ReadError,
    format_path,
    iter_jsonl_raw,
    parse_conversation,
    read_conversations,
)
from servicecoach.quality.models import Conversation, Job, JobKind, JobSkip, JobStatus

log = logging.getLogger(__name__)
SUFFIXES = (*JSONL_SUFFIXES, ".csv", ".xlsx")
STALE_AFTER = timedelta(minutes=2)
_CONV_IN_REASON = re.compile(r"\(conversation '(?P<id>[^']*)' skipped\)")


class JobConflict(Exception):
    """Another runner committed a batch of the same job first: this one stops."""


def batch_size() -> int:
    """Conversations per batch: ``settings.QUALITY_JOB_BATCH``, else ``SERVICECOACH_QUALITY_JOB_BATCH``, else 500."""
    return int(getattr(settings, "QUALITY_JOB_BATCH", None) or os.environ.get("SERVICECOACH_QUALITY_JOB_BATCH") or 500)


# ------------------------------------------------------------------------------- creating


def job_create_import(
    *, actor: User | None, upload: UploadedFile, csv_columns: dict[str, str] | None = None, source: str = "",
) -> Job:
    """Store an uploaded file and queue its import (after the transaction commits)."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError({"file": _("Unsupported file type %(suffix)s: use .jsonl, .csv or .xlsx.")
                               % {"suffix": suffix or "-"}})
    columns = {k: v.strip() for k, v in (csv_columns or {}).items() if v and v.strip()}
    unknown = sorted(set(columns) - set(CSV_FIELDS))
    if unknown:
        raise ValidationError(_("Unknown column field(s): %(fields)s.") % {"fields": ", ".join(unknown)})
    with transaction.atomic():
        job = Job(kind=JobKind.IMPORT, created_by=actor, file_name=name[:255],
                  params={"csv_columns": columns, "source": source.strip()[:80]})
        job.file.save(name, upload, save=False)
        job.save()
        audit_record(actor=actor, action=AuditAction.IMPORT, obj=job, changes={"file": name})
        transaction.on_commit(lambda: job_dispatch(job.pk))
    return job


def job_create_rescore(
    *, actor: User | None, date_from: date | None = None, date_to: date | None = None,
) -> Job:
    """Re-score stored conversations (started in the date range, when given) with the published
    rule set and scorecard. Results keep the versions; the earlier results stay as history."""
    ruleset, scorecard = services.versions_ensure_builtin()
    with transaction.atomic():
        job = Job.objects.create(
            kind=JobKind.RESCORE, created_by=actor, ruleset=ruleset, scorecard=scorecard,
            params={"date_from": date_from.isoformat() if date_from else None,
                    "date_to": date_to.isoformat() if date_to else None},
        )
        audit_record(actor=actor, action=AuditAction.CREATE, obj=job,
                     changes={"ruleset": str(ruleset), "scorecard": str(scorecard)})
        transaction.on_commit(lambda: job_dispatch(job.pk))
    return job


def job_is_stale(job: Job) -> bool:
    """A running job whose runner has not committed a batch for a while (a killed worker)."""
    if job.status != JobStatus.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < timezone.now() - STALE_AFTER


def job_resume(*, actor: User | None, job: Job) -> Job:
    """Run a failed or stalled job again from its last checkpoint."""
    if job.status == JobStatus.DONE:
        raise ValidationError(_("This job is finished."))
    if job.status == JobStatus.RUNNING and not job_is_stale(job):
        raise ValidationError(_("This job is still running."))
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, error="")
    audit_record(actor=actor, action=AuditAction.UPDATE, obj=job, changes={"status": "resumed"})
    transaction.on_commit(lambda: job_dispatch(job.pk))
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------------------- dispatching


def job_dispatch(job_id: int) -> None:
    if getattr(settings, "QUALITY_JOBS_INLINE", False):
        job_run(job_id)
    elif getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        threading.Thread(target=_thread_main, args=(job_id,), name=f"quality-job-{job_id}", daemon=True).start()
    else:
        from servicecoach.quality.tasks import run_job

        run_job.delay(job_id)


_settle_guard = threading.Lock()
_settle_state = {"running": False, "again": False}


def settle_dispatch() -> None:
    """Settle what bulk-mode changes noted (``services.changes_settle``) soon, where jobs run: inline
    (tests), on a Celery worker, or in one background thread of this process; a call while that thread
    is settling makes it go round once more instead of starting another."""
    if getattr(settings, "QUALITY_JOBS_INLINE", False):
        services.changes_settle()
    elif getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        with _settle_guard:
            if _settle_state["running"]:
                _settle_state["again"] = True
                return
            _settle_state["running"] = True
        threading.Thread(target=_settle_main, name="quality-settle", daemon=True).start()
    else:
        from servicecoach.quality.tasks import settle

        settle.delay()


def _settle_main() -> None:
    close_old_connections()
    try:
        while True:
            try:
                services.changes_settle()
            except Exception:  # noted changes stay noted: the next settle (or review.run_due) takes them
                log.exception("settling noted changes failed")
            with _settle_guard:
                if not _settle_state["again"]:
                    _settle_state["running"] = False
                    return
                _settle_state["again"] = False
    finally:
        connection.close()


def _thread_main(job_id: int) -> None:
    close_old_connections()
    try:
        job_run(job_id)
    finally:
        connection.close()


# ------------------------------------------------------------------------------- running


def job_run(job_id: int) -> None:
    """Run (or resume) a job to its end. Safe to call twice: a finished job is left alone, and of two
    runners of one job only the first to commit each batch goes on."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == JobStatus.DONE:
            return
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.error = ""
        job.save(update_fields=["status", "started_at", "heartbeat_at", "error"])
    try:
        with services.bulk_changes():
            if job.kind == JobKind.IMPORT:
                _run_import(job)
            else:
                _run_rescore(job)
        # What the batches' change hooks noted (e.g. the dashboard summary's days) is brought up to date
        # once, here: also what batches committed by an earlier, killed runner of this job noted.
        services.changes_settle()
    except JobConflict:
        log.info("job %s: another runner is ahead, this one stops", job_id)
        return
    except Exception as exc:  # the job records why it stopped; the checkpoint says where
        log.exception("job %s failed", job_id)
        Job.objects.filter(pk=job_id).update(status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
                                             finished_at=timezone.now())
        return
    Job.objects.filter(pk=job_id).update(status=JobStatus.DONE, finished_at=timezone.now(),
                                         heartbeat_at=timezone.now())


def _commit(job: Job, checkpoint: int, done: int, work, *, counts: dict[str, int]) -> None:
    """One batch: do ``work()`` and move the checkpoint in the same transaction, if no other runner
    moved it first."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.checkpoint != job.checkpoint or locked.status != JobStatus.RUNNING:
            raise JobConflict
        added = work()
        merged = dict(locked.counts or {})
        for key, value in (counts | added).items():
            merged[key] = merged.get(key, 0) + value
        locked.checkpoint, locked.done, locked.counts = checkpoint, done, merged
        locked.heartbeat_at = timezone.now()
        locked.save(update_fields=["checkpoint", "done", "counts", "heartbeat_at"])
    job.checkpoint, job.done, job.counts = checkpoint, done, merged


# ---- import


def _skip(position: int, line: int, reason: str, conversation_id: str = "", field: str = "") -> JobSkip:
    if not conversation_id:
        found = _CONV_IN_REASON.search(reason)
        conversation_id = found.group("id") if found else ""
    if not field and ": " in reason:
        head = reason.split(": ", 1)[0]
        field = head if len(head) < 80 and " " not in head.strip() else ""
    return JobSkip(position=position, line=line, conversation_id=conversation_id[:200], field=field[:200],
                   reason=reason)


def _records(job: Job, path: Path) -> Iterator[tuple[Any, dict | None, JobSkip | None]]:
    """Every record of the file in order: (conversation, raw dict or None, None) or (None, None, skip).
    JSON Lines are read here (the raw record keeps the customer object and message times); CSV and
    Excel through the engine's readers."""
    name = job.file_name or path.name
    tz = timezone.get_default_timezone()
    if path.suffix.lower() in JSONL_SUFFIXES:
        for number, raw in iter_jsonl_raw(path):
            try:
                obj = orjson.loads(raw)
            except orjson.JSONDecodeError as exc:
                yield None, None, _skip(0, number, f"not valid JSON: {exc}")
                continue
            try:
                yield parse_conversation(obj, file=name, line=number, default_tz=tz), obj, None
            except ConversationFormatError as exc:
                cid = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else ""
                yield None, None, _skip(0, number, exc.reason, cid, format_path(exc.path))
        return
    columns = (job.params or {}).get("csv_columns") or None
    for item in read_conversations([path], csv_columns=columns, default_tz=tz):
        if isinstance(item, ReadError):
            yield None, None, _skip(0, item.line, item.reason.replace(str(path), name))
        else:
            yield item, None, None


def _count_records(job: Job, path: Path) -> int:
    if path.suffix.lower() in JSONL_SUFFIXES:
        return sum(1 for _ in iter_jsonl_raw(path))
    return sum(1 for _ in _records(job, path))


def _run_import(job: Job) -> None:
    path = Path(job.file.path)
    if job.total is None:
        job.total = _count_records(job, path)
        Job.objects.filter(pk=job.pk).update(total=job.total)
    source = (job.params or {}).get("source") or None
    size = batch_size()
    batch: list[tuple[int, Any, dict | None, JobSkip | None]] = []

    def flush(next_position: int) -> None:
        items = [(conv, raw) for _, conv, raw, skip in batch if skip is None]
        skips = []
        for position, _conv, _raw, skip in batch:
            if skip is not None:
                skip.job_id, skip.position = job.pk, position
                skips.append(skip)

        def work() -> dict[str, int]:
            outcome = services.conversations_ingest(items=items, default_source=source)
            JobSkip.objects.bulk_create(skips, ignore_conflicts=True)
            return {"imported": outcome.imported, "updated": outcome.updated, "unchanged": outcome.unchanged,
                    "scored": outcome.scored, "skipped": len(skips)}

        _commit(job, next_position, next_position, work, counts={})
        batch.clear()

    position = 0
    for position, (conv, raw, skip) in enumerate(_records(job, path)):
        if position < job.checkpoint:
            continue
        batch.append((position, conv, raw, skip))
        if len(batch) >= size:
            flush(position + 1)
    if batch:
        flush(position + 1)


# ---- re-score


def _run_rescore(job: Job) -> None:
    params = job.params or {}
    qs = Conversation.objects.all()
    if params.get("date_from"):
        qs = qs.filter(started_at__date__gte=params["date_from"])
    if params.get("date_to"):
        qs = qs.filter(started_at__date__lte=params["date_to"])
    if job.total is None:
        job.total = qs.count()
        Job.objects.filter(pk=job.pk).update(total=job.total)
    size = batch_size()
    while True:
        rows = list(qs.filter(pk__gt=job.checkpoint).order_by("pk")[:size])
        if not rows:
            return

        def work(rows=rows) -> dict[str, int]:
            return {"scored": services.conversations_score(rows=rows, ruleset=job.ruleset,
                                                           scorecard=job.scorecard)}

        _commit(job, rows[-1].pk, job.done + len(rows), work, counts={})


def skipped_rows(job: Job) -> Iterator[list[str]]:
    """The skipped-records report: a header, then one row per skipped record."""
    yield [_("File"), _("Line or row"), _("Conversation id"), _("Field"), _("Reason")]
    for skip in job.skips.order_by("position").iterator():
        yield [job.file_name, str(skip.line), skip.conversation_id, skip.field, skip.reason]
