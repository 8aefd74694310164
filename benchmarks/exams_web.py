"""Load benchmark of exam autosave: N candidates answering at once against gunicorn and PostgreSQL.

    .venv/bin/python benchmarks/exams_web.py [--candidates 500] [--duration 60] [--interval 3]
                                            [--workers 3] [--threads 8]

What it does, all on this machine:
1. starts a throw-away PostgreSQL cluster (initdb in a temporary folder, as the postgres account when run as
   root; default durability settings: fsync and synchronous_commit on), migrates it;
2. creates N candidates with logins and signed-in sessions, a 20-question paper, an exam, and starts every
   candidate's attempt through the service (each paper drawn and option-shuffled per candidate);
3. starts gunicorn (gthread workers) on the project's WSGI application;
4. every candidate holds a keep-alive connection and saves one answer every ``interval`` seconds (with
   jitter), cycling through the questions and changing its answers, as the page's autosave does
   (POST /exams/attempts/<id>/answer/, JSON, CSRF header), for ``duration`` seconds;
5. then reads the database: every answer the server acknowledged last for a question must be the one stored
   ("lost answers", must be 0). Prints the latency percentiles, throughput and error count.

The load generator (asyncio, raw HTTP/1.1) runs on the same 2 CPUs as gunicorn and PostgreSQL, so the
figures are a lower bound for a machine where they are apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common

REPO = _common.REPO
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def as_pg(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else cmd


def start_postgres(tmp: Path) -> tuple[str, Path]:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    if not bins:
        sys.exit("PostgreSQL server programs are missing: apt-get install postgresql")
    pg_bin = bins[-1]
    if os.getuid() == 0:
        shutil.chown(tmp, "postgres")
    port = free_port()
    subprocess.run(as_pg([str(pg_bin / "initdb"), "-D", str(tmp / "data"), "-U", "servicecoach", "-A", "trust",
                          "-E", "UTF8", "--locale=C.UTF-8"]), check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_pg([str(pg_bin / "pg_ctl"), "-D", str(tmp / "data"), "-l", str(tmp / "server.log"), "-w", "-o",
                          f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200", "start"]),
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run(as_pg([str(pg_bin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "servicecoach",
                          "servicecoach"]), check=True)
    return f"postgres://servicecoach@127.0.0.1:{port}/servicecoach", pg_bin


def stop_postgres(tmp: Path, pg_bin: Path) -> None:
    subprocess.run(as_pg([str(pg_bin / "pg_ctl"), "-D", str(tmp / "data"), "-m", "fast", "-w", "stop"]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


CSRF = "benchmarkcsrfsecret0123456789abc"  # 32 characters: Django's secret length


def prepare(candidates: int) -> list[dict]:
    """Organisation, candidates with sessions, paper, exam, started attempts. Returns one dict per candidate."""
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    from servicecoach.exams import services
    from servicecoach.exams.engine.questions import (
        Blank,
        FillInBlank,
        KeyPoint,
        MultipleChoice,
        Option,
        ShortAnswer,
        SingleChoice,
        TrueFalse,
    )
    from servicecoach.org import services as org_services
    from servicecoach.org.models import Person, Role, RoleAssignment, UnitKind, User

    call_command("migrate", verbosity=0)
    company = org_services.unit_create(actor=None, name="总公司", code="HQ", kind=UnitKind.COMPANY)
    team = org_services.unit_create(actor=None, name="新员工班", code="NEW", kind=UnitKind.TEAM, parent=company)
    users = User.objects.bulk_create([User(username=f"cand{i:04d}") for i in range(candidates)])
    people = Person.objects.bulk_create([Person(employee_no=f"C{i:05d}", name=f"考生{i}", unit=team, user=u)
                                         for i, u in enumerate(users)])
    RoleAssignment.objects.bulk_create([RoleAssignment(person=p, role=Role.AGENT) for p in people])
    questions = []
    for i in range(8):
        questions.append(SingleChoice(key=f"s{i}", stem=f"第{i}题：客户投诉物流延误，首先应当？", topic="投诉处理", options=(
            Option(id="A", text="安抚并致歉", correct=True), Option(id="B", text="转接"), Option(id="C", text="挂断"),
            Option(id="D", text="沉默"))))
    for i in range(4):
        questions.append(MultipleChoice(key=f"m{i}", stem=f"第{i}题：哪些是礼貌用语？", topic="服务礼仪", options=(
            Option(id="A", text="您好", correct=True), Option(id="B", text="请稍等", correct=True),
            Option(id="C", text="喂"))))
    for i in range(4):
        questions.append(TrueFalse(key=f"t{i}", stem=f"第{i}题：可以挂断客户电话。", topic="服务礼仪", answer=False))
    for i in range(2):
        questions.append(FillInBlank(key=f"f{i}", stem=f"第{i}题：热线是 ____。", topic="产品知识",
                                     blanks=(Blank(accepted=("95588",)),)))
    for i in range(2):
        questions.append(ShortAnswer(key=f"a{i}", stem=f"第{i}题：投诉处理步骤？", topic="投诉处理",
                                     key_points=(KeyPoint(id="k1", text="致歉"), KeyPoint(id="k2", text="记录"))))
    rows = [services.question_create(actor=None, question=q) for q in questions]
    paper = services.paper_save(actor=None, paper=None, title="压测试卷", kind="fixed", fixed=[(q, None) for q in rows])
    now = timezone.now()
    exam = services.exam_save(actor=None, exam=None, people=[], units=[team], title="压测考试", paper=paper,
                              opens_at=now - timedelta(hours=1), closes_at=now + timedelta(hours=6),
                              duration_minutes=240, attempts_allowed=1, shuffle_questions=True, shuffle_options=True,
                              layout="one_page", mc_policy="all_or_nothing", pass_percent=Decimal(60))
    out = []
    t0 = time.perf_counter()
    for person, user in zip(people, users):
        attempt = services.attempt_start(exam=exam, person=person)
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        items = [{"position": i.position, "type": i.version.data["type"], "options": i.option_order}
                 for i in attempt.items.select_related("version")]
        out.append({"attempt": attempt.pk, "session": session.session_key, "items": items})
    print(f"{candidates} attempts drawn and started in {time.perf_counter() - t0:.1f} s")
    return out


def answer_for(item: dict, n: int):
    t = item["type"]
    if t == "single_choice":
        return item["options"][n % len(item["options"])]
    if t == "multiple_choice":
        return sorted(item["options"][: 1 + n % len(item["options"])])
    if t == "true_false":
        return n % 2 == 0
    if t == "fill_in_blank":
        return [f"答案{n}"]
    return f"第{n}次修改：先致歉，再记录问题并告知处理时限。"


async def candidate(host: str, port: int, c: dict, end: float, interval: float, stats: dict, rng: random.Random):
    reader = writer = None
    acked: dict[int, object] = {}
    n = 0
    client_time = 0
    await asyncio.sleep(rng.uniform(0, interval))
    while time.monotonic() < end:
        item = c["items"][n % len(c["items"])]
        answer = answer_for(item, n // len(c["items"]) + 1)
        client_time += 1
        body = json.dumps({"position": item["position"], "answer": answer, "client_time": client_time}).encode()
        request = (f"POST /exams/attempts/{c['attempt']}/answer/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nX-CSRFToken: {CSRF}\r\n"
                   f"Cookie: sessionid={c['session']}; csrftoken={CSRF}\r\nConnection: keep-alive\r\n\r\n").encode()
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            writer.write(request + body)
            await writer.drain()
            status_line = await reader.readline()
            length, close = 0, False
            while True:
                line = await reader.readline()
                if line in (b"\r\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and value.strip().lower() == "close":
                    close = True
            payload = await reader.readexactly(length)
            status = int(status_line.split()[1])
            if close:
                writer.close()
                writer = None
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError) as exc:
            stats["errors"].append(type(exc).__name__)
            if writer is not None:
                writer.close()
            writer = None
            status, payload = 0, b""
        elapsed = time.perf_counter() - started
        if status == 200:
            stats["latency"].append(elapsed)
            result = json.loads(payload)
            if result.get("applied"):
                acked[item["position"]] = result["answer"]
        elif status:
            stats["errors"].append(f"HTTP {status}")
        n += 1
        await asyncio.sleep(max(0.0, interval * rng.uniform(0.8, 1.2) - elapsed))
    if writer is not None:
        writer.close()
    stats["acked"][c["attempt"]] = acked


async def run_load(port: int, cands: list[dict], duration: float, interval: float) -> dict:
    stats = {"latency": [], "errors": [], "acked": {}}
    end = time.monotonic() + duration
    rng = random.Random(1)
    await asyncio.gather(*(candidate("127.0.0.1", port, c, end, interval, stats, random.Random(rng.random()))
                           for c in cands))
    return stats


def lost_answers(acked: dict) -> tuple[int, int]:
    from servicecoach.exams.models import AttemptItem

    checked = lost = 0
    stored = {(i.attempt_id, i.position): i.answer for i in AttemptItem.objects.all()}
    for attempt, per_position in acked.items():
        for position, answer in per_position.items():
            checked += 1
            if stored[(attempt, position)] != answer:
                lost += 1
    return checked, lost


def in_process_cost(c: dict, saves: int = 300) -> tuple[float, float]:
    """CPU and wall ms per save through the whole Django stack in this process (test client, same
    PostgreSQL), without gunicorn or concurrency: what one save costs the application."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"], client.cookies["csrftoken"] = c["session"], CSRF
    url = f"/exams/attempts/{c['attempt']}/answer/"
    item = c["items"][0]

    def one(n: int) -> None:
        body = json.dumps({"position": item["position"], "answer": answer_for(item, n), "client_time": 10**9 + n})
        response = client.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=CSRF)
        assert response.status_code == 200, response.content

    one(0)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(1, saves + 1):
        one(n)
    return (time.process_time() - cpu) / saves * 1000, (time.perf_counter() - wall) / saves * 1000


def warm_up(port: int, workers: int) -> None:
    """Wait until the workers have loaded Django: time the same request until it is quick."""
    import http.client

    deadline = time.monotonic() + 120
    quick = 0
    while quick < workers * 4 and time.monotonic() < deadline:
        t0 = time.perf_counter()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
        except OSError:
            time.sleep(0.5)
            continue
        quick = quick + 1 if time.perf_counter() - t0 < 0.2 else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=500)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--interval", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    print(_common.machine())
    print("load average before: {:.1f} {:.1f} {:.1f} (other work on the machine)".format(*os.getloadavg()))
    tmp = Path(tempfile.mkdtemp(prefix="exams-web-bench-"))
    pg_bin = None
    gunicorn = None
    try:
        url, pg_bin = start_postgres(tmp)
        os.environ.update({"SERVICECOACH_DATABASE_URL": url, "SERVICECOACH_VAR_DIR": str(tmp / "var"),
                           "DJANGO_SETTINGS_MODULE": "servicecoach.settings", "SERVICECOACH_LOG_LEVEL": "ERROR"})
        sys.path.insert(0, str(REPO / "src"))
        cands = prepare(args.candidates + 1)  # one more, for the in-process measurement
        cpu_ms, wall_ms = in_process_cost(cands[-1])
        print(f"one save through Django in-process: {cpu_ms:.1f} ms CPU, {wall_ms:.1f} ms wall")
        cands = cands[:-1]
        port = free_port()
        gunicorn = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "servicecoach.wsgi", "-w", str(args.workers), "-k", "gthread",
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "--keep-alive", "30",
             "--worker-connections", str(args.candidates * 2), "--log-level", "warning"],
            cwd=REPO, env=os.environ.copy(), start_new_session=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        warm_up(port, args.workers)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads (gthread); PostgreSQL {pg_bin.parent.name}; "
              f"{args.candidates} candidates, one save every {args.interval:g} s each (±20%), {args.duration:g} s")
        t0 = time.perf_counter()
        stats = asyncio.run(run_load(port, cands, args.duration, args.interval))
        wall = time.perf_counter() - t0
        lat = sorted(stats["latency"])
        q = statistics.quantiles(lat, n=100) if len(lat) >= 2 else [0] * 99
        checked, lost = lost_answers(stats["acked"])
        print(f"saves answered 200: {len(lat)} in {wall:.1f} s = {len(lat) / wall:.0f}/s; errors: {len(stats['errors'])}"
              + (f" ({', '.join(sorted(set(stats['errors'])))})" if stats["errors"] else ""))
        print(f"latency ms: p50 {q[49] * 1000:.0f}, p95 {q[94] * 1000:.0f}, p99 {q[98] * 1000:.0f}, "
              f"max {lat[-1] * 1000 if lat else 0:.0f}")
        print(f"lost answers: {lost} of {checked} last-acknowledged answers checked against the database")
        print("load average after: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    finally:
        if gunicorn is not None:
            os.killpg(gunicorn.pid, signal.SIGTERM)
            gunicorn.wait(timeout=30)
        if pg_bin is not None:
            from django.db import connections

            connections.close_all()
            stop_postgres(tmp, pg_bin)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
