"""End to end on a real Redis and a real ``celery worker`` process: an import job runs on the worker;
a worker killed in the middle of a job leaves no half batch, and the resumed job ends without duplicates.

Needs SERVICECOACH_TEST_REDIS_URL (CI: redis://127.0.0.1:6379/15; locally ``redis-server --daemonize yes``).
The worker is another process, so it cannot see the test database: these tests give the worker and
a small driver process their own SQLite file and read it back with sqlite3."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REDIS_URL = os.environ.get("SERVICECOACH_TEST_REDIS_URL")
pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not REDIS_URL, reason="SERVICECOACH_TEST_REDIS_URL is not set (no Redis to test against)"),
]
ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent

DRIVER = """
import django, sys
django.setup()
from django.core.files import File
from django.db import transaction
from servicecoach.org import services as org
from servicecoach.org.models import Person, UnitKind
from servicecoach.quality import jobs
from servicecoach.quality.models import Job
action = sys.argv[1]
if action == "start":
    if not Person.objects.filter(employee_no="S007").exists():
        unit = org.unit_create(actor=None, name="Team", code="T", kind=UnitKind.TEAM)
        org.person_create(actor=None, employee_no="S007", name="Agent", unit=unit)
    with open(sys.argv[2], "rb") as fh, transaction.atomic():
        job = jobs.job_create_import(actor=None, upload=File(fh, name="calls.jsonl"))
    print(job.pk)
elif action == "resume":
    job = Job.objects.get(pk=int(sys.argv[2]))
    Job.objects.filter(pk=job.pk).update(heartbeat_at=job.heartbeat_at - jobs.STALE_AFTER * 2)
    job.refresh_from_db()
    with transaction.atomic():
        jobs.job_resume(actor=None, job=job)
    print(job.pk)
"""


def records(n: int) -> str:
    lines = []
    for i in range(n):
        lines.append(json.dumps({
            "id": f"w{i:05d}", "source": "worker-test", "agent": "S007", "started_at": "2026-11-02T09:00:00+08:00",
            "messages": [{"role": "customer", "text": "我的快递还没到，太差了", "offset": 0},
                         {"role": "agent", "text": "您好，很抱歉，马上为您查询", "offset": 10 + i % 50}],
        }, ensure_ascii=False))
    return "\n".join(lines) + "\n"


def _env(path: Path, queue: str) -> dict[str, str]:
    return os.environ | {
        "SERVICECOACH_DATABASE_URL": f"sqlite:///{path / 'db.sqlite3'}",
        "SERVICECOACH_VAR_DIR": str(path),
        "SERVICECOACH_MEDIA_ROOT": str(path / "media"),
        "SERVICECOACH_REDIS_URL": REDIS_URL,
        "SERVICECOACH_QUALITY_QUEUE": queue,
        "DJANGO_SETTINGS_MODULE": "servicecoach.settings",
        "PYTHONPATH": str(ROOT / "src"),
    }


@pytest.fixture(scope="module")
def migrated(tmp_path_factory) -> Path:
    """A migrated SQLite file, made once and copied for each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("migrated")
    subprocess.run([str(BIN / "servicecoach"), "manage", "migrate", "-v", "0"], env=_env(path, "unused"),
                   check=True, cwd=ROOT, timeout=300)
    return path / "db.sqlite3"


@pytest.fixture
def world(tmp_path, migrated):
    queue = f"qa-test-{uuid.uuid4().hex[:8]}"
    env = _env(tmp_path, queue)
    shutil.copyfile(migrated, tmp_path / "db.sqlite3")
    workers: list[subprocess.Popen] = []

    def start_worker() -> subprocess.Popen:
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "servicecoach.worker", "worker", "-Q", queue, "--pool=solo",
             "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "warning"],
            env=env, cwd=tmp_path, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        workers.append(proc)
        return proc

    def drive(*args: str) -> int:
        out = subprocess.run([sys.executable, "-c", DRIVER, *args], env=env, cwd=tmp_path, check=True,
                             capture_output=True, text=True, timeout=120)
        return int(out.stdout.strip().splitlines()[-1])

    def job(pk: int) -> dict:
        with sqlite3.connect(tmp_path / "db.sqlite3", timeout=30) as db:
            db.row_factory = sqlite3.Row
            row = dict(db.execute("select * from quality_job where id = ?", (pk,)).fetchone())
            row["conversations"] = db.execute("select count(*) from quality_conversation").fetchone()[0]
            row["results"] = db.execute("select count(*) from quality_autoresult").fetchone()[0]
            row["pending_days"] = db.execute("select count(*) from review_summarypending").fetchone()[0]
            row["summary_n"] = db.execute("select coalesce(sum(n), 0) from review_dailysummary").fetchone()[0]
            return row

    def wait(pk: int, until, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = job(pk)
            if until(state):
                return state
            time.sleep(0.05)
        pytest.fail(f"job {pk} did not get there in {timeout} s: {job(pk)}")

    world = type("World", (), {})()
    world.env, world.path, world.start_worker, world.drive, world.job, world.wait = (
        env, tmp_path, start_worker, drive, job, wait)
    yield world
    for proc in workers:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def test_import_job_runs_on_a_celery_worker(world):
    data = world.path / "calls.jsonl"
    data.write_text(records(120), encoding="utf-8")
    world.start_worker()
    pk = world.drive("start", str(data))
    state = world.wait(pk, lambda s: s["status"] in ("done", "failed"))
    assert state["status"] == "done", state["error"]
    assert (state["total"], state["done"], state["conversations"], state["results"]) == (120, 120, 120, 120)
    assert json.loads(state["counts"])["imported"] == 120


def test_killed_worker_leaves_no_half_batch_and_the_resumed_job_has_no_duplicates(world):
    world.env["SERVICECOACH_QUALITY_JOB_BATCH"] = "10"
    data = world.path / "calls.jsonl"
    data.write_text(records(1000), encoding="utf-8")
    worker = world.start_worker()
    pk = world.drive("start", str(data))
    world.wait(pk, lambda s: s["checkpoint"] >= 50 or s["status"] != "queued" and s["status"] != "running")
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=20)
    state = world.job(pk)
    assert state["status"] == "running", "the job ended before the worker could be killed: make it longer"
    # every committed batch is whole: as many conversations as records consumed, each scored once
    assert state["conversations"] == state["checkpoint"] == state["results"]
    assert state["checkpoint"] % 10 == 0 and 0 < state["checkpoint"] < 1000
    # the dashboard summary: the batches noted their day, the settle at the job's end never came
    assert (state["pending_days"], state["summary_n"]) == (1, 0)
    world.start_worker()
    world.drive("resume", str(pk))
    state = world.wait(pk, lambda s: s["status"] in ("done", "failed"))
    assert state["status"] == "done", state["error"]
    assert (state["conversations"], state["results"]) == (1000, 1000)
    # the resumed job settled the day noted before the kill too: the summary counts all 1,000
    assert (state["pending_days"], state["summary_n"]) == (0, 1000)
    assert json.loads(state["counts"]) == {"imported": 1000, "updated": 0, "unchanged": 0, "scored": 1000,
                                           "skipped": 0}
