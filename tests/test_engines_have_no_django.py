"""Engines are plain Python (docs/architecture.md): importing any of their modules pulls in no Django,
so the command line, the web app and background workers share them and they test in milliseconds."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ENGINE_PACKAGES = {
    "servicecoach.quality.engine": {"readers", "rules", "fast", "batch", "reference", "scorecard", "emotion"},
    "servicecoach.kpi.engine": {"formula", "template", "rules", "scoring", "tables"},
    "servicecoach.exams.engine": {"questions", "marking", "blueprint", "practical", "composite", "statistics"},
    "servicecoach.knowledge.engine": {"analysis", "index", "reference"},
    "servicecoach.training.engine": {"sanitise", "quiz"},
}
# Pure modules that live beside Django code in their domain, and the command-line front ends.
PLAIN_MODULES = [
    "servicecoach.org.workdays",
    "servicecoach.org.people_import",
    "servicecoach.quality.cli",
    "servicecoach.kpi.cli",
]


def engine_modules(package: str) -> list[str]:
    path = importlib.import_module(package).__path__
    return [f"{package}.{m.name}" for m in pkgutil.iter_modules(path)]


def django_modules_after_importing(modules: list[str]) -> list[str]:
    # A fresh interpreter: this test process has Django loaded already (pytest-django).
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(','.join(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    return [m for m in done.stdout.strip().split(",") if m]


@pytest.mark.parametrize("package", sorted(ENGINE_PACKAGES))
def test_engine_package_imports_without_django(package):
    modules = engine_modules(package)
    expected = {f"{package}.{name}" for name in ENGINE_PACKAGES[package]}
    assert expected <= set(modules), f"modules missing from {package}: {sorted(expected - set(modules))}"
    assert django_modules_after_importing(modules) == []


def test_plain_modules_import_without_django():
    assert django_modules_after_importing(PLAIN_MODULES) == []


@pytest.mark.parametrize("package", sorted(ENGINE_PACKAGES))
def test_no_engine_source_imports_django(package):
    folder = Path(importlib.import_module(package).__file__).parent
    for path in folder.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
