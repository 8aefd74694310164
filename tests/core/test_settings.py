"""Configuration from the environment, and the ``servicecoach`` command's refusal to serve insecurely.

Settings are read once at import, so each case runs in a fresh Python process with its own environment.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "TIME_ZONE": settings.TIME_ZONE, "LANGUAGE_CODE": settings.LANGUAGE_CODE, "DEBUG": settings.DEBUG,
    "ALLOWED_HOSTS": settings.ALLOWED_HOSTS, "CSRF_TRUSTED_ORIGINS": settings.CSRF_TRUSTED_ORIGINS,
    "SECRET_KEY": settings.SECRET_KEY, "VAR_DIR": str(settings.VAR_DIR),
    "ENGINE": db["ENGINE"], "NAME": str(db["NAME"]), "HOST": db.get("HOST"), "PORT": db.get("PORT"),
    "USER": db.get("USER"), "PASSWORD": db.get("PASSWORD"), "OPTIONS": db.get("OPTIONS", {}),
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL, "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "LOGIN_THROTTLE": [settings.LOGIN_FAILURES_PER_USERNAME, settings.LOGIN_FAILURES_PER_IP,
                       settings.LOGIN_FAILURE_WINDOW_MINUTES, settings.LOGIN_LOCKOUT_MINUTES],
    "PASSWORD_RESET_TIMEOUT": settings.PASSWORD_RESET_TIMEOUT,
}))
"""


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The current environment without any SERVICECOACH_* variable, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SERVICECOACH_")}
    env["DJANGO_SETTINGS_MODULE"] = "servicecoach.settings"
    env["SERVICECOACH_VAR_DIR"] = str(tmp_path / "var")
    env.update(overrides)
    return env


def settings_with(tmp_path: Path, **env: str) -> dict:
    result = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], env=clean_env(tmp_path, **env),
                            capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_defaults_are_the_embedded_mode(tmp_path):
    values = settings_with(tmp_path)
    assert values["TIME_ZONE"] == "Asia/Shanghai"
    assert values["LANGUAGE_CODE"] == "zh-hans"
    assert values["DEBUG"] is False
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(tmp_path / "var" / "servicecoach.sqlite3")
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "testserver"]
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True


def test_login_throttle_and_reset_link_defaults_and_environment(tmp_path):
    values = settings_with(tmp_path)
    assert values["LOGIN_THROTTLE"] == [5, 20, 15, 15]
    assert values["PASSWORD_RESET_TIMEOUT"] == 86400
    values = settings_with(tmp_path, SERVICECOACH_LOGIN_FAILURES_PER_USERNAME="3",
                           SERVICECOACH_LOGIN_FAILURES_PER_IP="50", SERVICECOACH_LOGIN_FAILURE_WINDOW_MINUTES="10",
                           SERVICECOACH_LOGIN_LOCKOUT_MINUTES="30", SERVICECOACH_PASSWORD_RESET_TIMEOUT="3600")
    assert values["LOGIN_THROTTLE"] == [3, 50, 10, 30]
    assert values["PASSWORD_RESET_TIMEOUT"] == 3600


def test_database_url_selects_postgresql(tmp_path):
    values = settings_with(
        tmp_path, SERVICECOACH_DATABASE_URL="postgres://coach:p%40ss@db.internal:5433/servicecoach_prod")
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "servicecoach_prod"
    assert values["HOST"] == "db.internal"
    assert values["PORT"] == 5433
    assert values["USER"] == "coach"
    assert values["PASSWORD"] == "p@ss"
    assert values["OPTIONS"] == {"options": "-c jit=off"}  # short queries: JIT only costs


def test_postgresql_jit_can_be_kept(tmp_path):
    values = settings_with(tmp_path, SERVICECOACH_DATABASE_URL="postgres://coach:x@db/servicecoach",
                           SERVICECOACH_PG_JIT="1")
    assert "options" not in values["OPTIONS"]


@pytest.mark.parametrize(("raw", "expected"), [("1", True), ("on", True), ("0", False), ("", False)])
def test_debug_flag(tmp_path, raw, expected):
    assert settings_with(tmp_path, SERVICECOACH_DEBUG=raw)["DEBUG"] is expected


def test_hosts_time_zone_language_and_broker_from_the_environment(tmp_path):
    values = settings_with(
        tmp_path,
        SERVICECOACH_ALLOWED_HOSTS="coach.example.cn, 10.0.0.5",
        SERVICECOACH_CSRF_TRUSTED_ORIGINS="https://coach.example.cn",
        SERVICECOACH_TIME_ZONE="Asia/Hong_Kong",
        SERVICECOACH_LANGUAGE_CODE="en",
        SERVICECOACH_SECRET_KEY="k" * 50,
        SERVICECOACH_REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert values["ALLOWED_HOSTS"] == ["coach.example.cn", "10.0.0.5"]
    assert values["CSRF_TRUSTED_ORIGINS"] == ["https://coach.example.cn"]
    assert values["TIME_ZONE"] == "Asia/Hong_Kong"
    assert values["LANGUAGE_CODE"] == "en"
    assert values["SECRET_KEY"] == "k" * 50
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False


def run_cli(tmp_path: Path, *args: str, timeout: int = 300, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "servicecoach", *args], env=clean_env(tmp_path, **env),
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path)


def test_serve_refuses_the_default_secret_key(tmp_path):
    result = run_cli(tmp_path, "serve", "--bind", "127.0.0.1:0")
    assert result.returncode == 2
    assert "refusing to start" in result.stderr
    assert "SERVICECOACH_SECRET_KEY" in result.stderr


def test_serve_refuses_debug_mode(tmp_path):
    result = run_cli(tmp_path, "serve", SERVICECOACH_SECRET_KEY="s" * 50, SERVICECOACH_DEBUG="1")
    assert result.returncode == 2
    assert "SERVICECOACH_DEBUG" in result.stderr
    assert "SERVICECOACH_SECRET_KEY" not in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_starts_gunicorn_with_a_secret_key(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "servicecoach", "serve", "--migrate", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=clean_env(tmp_path, SERVICECOACH_SECRET_KEY="s" * 50), cwd=tmp_path,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        deadline = time.monotonic() + 180  # migrations and collectstatic first, on a busy machine
        answer = None
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                    answer = (response.status, response.read().decode())
                    break
            except OSError:
                time.sleep(0.5)
        assert answer == (200, "ok"), f"serve did not answer (exit code {server.poll()})"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=10) as response:
            assert "登录" in response.read().decode()
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0]
    assert "gunicorn" in output.lower() or "Listening at" in output, output


def test_manage_reaches_django_commands(tmp_path):
    result = run_cli(tmp_path, "manage", "check", "--deploy", "--fail-level", "CRITICAL")
    assert result.returncode == 0, result.stderr
    assert "System check identified" in result.stdout + result.stderr


def test_demo_without_serving_creates_the_database_and_loads_the_demo_organisation(tmp_path):
    result = run_cli(tmp_path, "demo", "--no-serve")
    assert result.returncode == 0, result.stdout + result.stderr
    database = tmp_path / "var" / "servicecoach.sqlite3"
    assert database.exists()
    with sqlite3.connect(database) as connection:
        people = connection.execute("SELECT COUNT(*) FROM org_person").fetchone()[0]
        teams = connection.execute("SELECT COUNT(*) FROM org_orgunit WHERE kind IN ('team', 'shop')").fetchone()[0]
        logins = {row[0] for row in connection.execute("SELECT username FROM org_user")}
    assert people >= 35
    assert teams == 5
    assert {"admin", "manager", "trainer", "mentor", "qa", "supervisor", "agent"} <= logins
    assert "http://127.0.0.1:8000/" in result.stdout
    # Running it again keeps the one demo organisation (no duplicates, no error).
    again = run_cli(tmp_path, "demo", "--no-serve")
    assert again.returncode == 0, again.stdout + again.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT COUNT(*) FROM org_person").fetchone()[0] == people


@pytest.mark.parametrize(("args", "says"), [
    (["manage", "--version"], "5.2"),
    (["qa", "--help"], "usage: servicecoach qa"),
    (["manage", "help", "migrate"], "usage: servicecoach manage migrate"),
])
def test_pass_through_commands_accept_options_as_first_word(tmp_path, args, says):
    result = run_cli(tmp_path, *args)
    assert result.returncode == 0, result.stderr
    assert says in result.stdout
