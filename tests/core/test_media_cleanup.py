"""Uploaded files nobody refers to (``core.media``, ``manage media_cleanup``, the daily beat task): found,
listed, removed with the folders they leave empty; referenced files and recent uploads are never touched."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction

from servicecoach.core.media import cleanup, find_orphans, referenced_names
from servicecoach.core.tasks import media_cleanup
from servicecoach.quality.models import Job, JobKind

DAY = 24 * 3600


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def _write(root: Path, name: str, data: bytes = b"x", age: float = 2 * DAY) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def _job_with_file(name: str) -> Job:
    job = Job(kind=JobKind.IMPORT, file_name=name, params={})
    job.file.save(name, ContentFile(b'{"id": "1"}\n'), save=True)
    return job


@pytest.mark.django_db
def test_orphans_are_listed_then_deleted_and_referenced_or_recent_files_stay(media):
    job = _job_with_file("day.jsonl")
    kept = media / job.file.name
    os.utime(kept, (time.time() - 9 * DAY,) * 2)  # old, but referenced
    old = _write(media, "knowledge/attachments/abc123/lost.pdf", b"%PDF" * 10)
    young = _write(media, "training/lessons/2026/11/uploading.mp4", age=60)
    assert job.file.name in referenced_names()

    report = find_orphans()
    assert [o.name for o in report.orphans] == ["knowledge/attachments/abc123/lost.pdf"]
    assert (report.referenced, report.kept_young) == (1, 1)
    assert old.exists()  # finding deletes nothing

    report = cleanup(delete=True)
    assert (report.deleted, report.freed) == (1, 40)
    assert not old.exists() and not old.parent.exists()  # its random folder went with it
    assert (media / "knowledge").exists() is False
    assert kept.exists() and young.exists()
    job.refresh_from_db()
    assert job.file.read().startswith(b'{"id"')


@pytest.mark.django_db(transaction=True)
def test_the_file_of_an_upload_whose_transaction_rolled_back_is_found(media):
    with pytest.raises(RuntimeError), transaction.atomic():
        job = _job_with_file("rolled-back.jsonl")
        name = job.file.name
        raise RuntimeError("the request failed after the upload was stored")
    assert (media / name).exists() and not Job.objects.exists()  # Django leaves the file behind
    assert [o.name for o in find_orphans().orphans] == []  # within the grace period
    report = cleanup(delete=True, grace=timedelta(0))
    assert report.deleted == 1 and not (media / name).exists()


@pytest.mark.django_db
def test_the_command_lists_and_deletes_and_names_a_bad_option(media):
    _write(media, "programmes/sessions/7/agenda.pdf", b"12345")
    out = StringIO()
    call_command("media_cleanup", stdout=out)
    text = out.getvalue()
    assert "programmes/sessions/7/agenda.pdf\t5 bytes" in text and "1 unreferenced file(s), 5 bytes" in text
    assert (media / "programmes/sessions/7/agenda.pdf").exists()
    out = StringIO()
    call_command("media_cleanup", "--delete", stdout=out)
    assert "1 unreferenced file(s) deleted, 5 bytes freed" in out.getvalue()
    assert not (media / "programmes").exists()
    with pytest.raises(CommandError, match="--older-than -1"):
        call_command("media_cleanup", "--older-than", "-1")


@pytest.mark.django_db
def test_the_beat_task_deletes_orphans_older_than_a_day(media):
    _write(media, "old.bin", b"ab", age=3 * DAY)
    _write(media, "new.bin", b"ab", age=3600)
    assert media_cleanup() == {"deleted": 1, "freed": 2, "referenced": 0}
    assert not (media / "old.bin").exists() and (media / "new.bin").exists()


@pytest.mark.django_db
def test_no_media_folder_is_no_error(media):
    assert not media.exists()
    assert cleanup(delete=True).deleted == 0
