"""The knowledge engine is plain Python: importing every module pulls in no Django."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import servicecoach.knowledge.engine as engine_pkg

ENGINE_DIR = Path(engine_pkg.__file__).parent


def test_every_engine_module_imports_without_django():
    modules = sorted(
        "servicecoach.knowledge.engine." + p.stem for p in ENGINE_DIR.glob("*.py") if p.stem != "__init__"
    )
    assert "servicecoach.knowledge.engine.index" in modules and len(modules) >= 4
    code = (
        "import sys, importlib\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    # a fresh interpreter: this test process has Django loaded already (pytest-django)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == ""


def test_no_engine_source_mentions_django_imports():
    for path in ENGINE_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path.name
