"""Uploaded files that nothing refers to any more (orphans), found and removed.

Django writes an uploaded file to the storage before the row that refers to it is committed, and never
deletes a file when its row is deleted or its transaction rolls back. The services delete files they
replace or remove; what is left (an upload whose transaction failed, a row deleted by a cascade, a
restore of an older database) is found here: every file under ``MEDIA_ROOT`` that no ``FileField`` of any
installed model names, older than a grace period (so an upload whose transaction is still running is
never touched). ``servicecoach manage media_cleanup`` lists them (``--delete`` removes them), and the
Celery beat runs the removal daily."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.apps import apps
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models

GRACE = timedelta(hours=24)


@dataclass
class Orphan:
    name: str  # relative to MEDIA_ROOT, with forward slashes (as a FileField stores it)
    size: int
    modified: datetime


@dataclass
class CleanupReport:
    orphans: list[Orphan] = field(default_factory=list)
    deleted: int = 0
    freed: int = 0  # bytes
    kept_young: int = 0  # unreferenced, but within the grace period
    referenced: int = 0


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every FileField (and ImageField) of the installed models that stores in the default storage."""
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField) and f.storage is default_storage:
                yield model, f


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model, f in file_fields():
        rows = model._base_manager.exclude(**{f.name: ""}).exclude(**{f"{f.name}__isnull": True})
        names.update(rows.values_list(f.name, flat=True).order_by().iterator(chunk_size=2000))
    return names


def _root() -> Path | None:
    if not isinstance(default_storage, FileSystemStorage):
        return None  # another storage (S3...): its own lifecycle rules apply
    return Path(default_storage.location)


def find_orphans(*, grace: timedelta = GRACE, now: datetime | None = None) -> CleanupReport:
    report = CleanupReport()
    root = _root()
    if root is None or not root.is_dir():
        return report
    referenced = referenced_names()
    cutoff = (now or datetime.now(UTC)) - grace
    for folder, _dirs, files in os.walk(root):
        for filename in files:
            path = Path(folder) / filename
            name = path.relative_to(root).as_posix()
            if name in referenced:
                report.referenced += 1
                continue
            try:
                stat = path.stat()
            except OSError:  # gone meanwhile
                continue
            modified = datetime.fromtimestamp(stat.st_mtime, UTC)
            if modified > cutoff:
                report.kept_young += 1
                continue
            report.orphans.append(Orphan(name=name, size=stat.st_size, modified=modified))
    report.orphans.sort(key=lambda o: o.name)
    return report


def cleanup(*, delete: bool = False, grace: timedelta = GRACE, now: datetime | None = None) -> CleanupReport:
    """Find the orphans; with ``delete``, remove them and the folders they leave empty."""
    report = find_orphans(grace=grace, now=now)
    root = _root()
    if not delete or root is None:
        return report
    for orphan in report.orphans:
        path = root / orphan.name
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        report.deleted += 1
        report.freed += orphan.size
        parent = path.parent
        while parent != root:
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent
    return report
