"""The assessment engines are pure Python: importing every module must not import Django."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import servicecoach.exams.engine as engine


def test_engine_modules_import_without_django():
    modules = sorted(m.name for m in pkgutil.iter_modules(engine.__path__))
    assert {
        "questions",
        "marking",
        "blueprint",
        "practical",
        "composite",
        "advice",
        "statistics",
        "importers",
    } <= set(modules)
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('servicecoach.exams.engine.' + name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
        "sys.exit(1 if bad else 0)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, f"django imported by the engine: {proc.stdout} {proc.stderr}"
