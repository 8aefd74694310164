"""The KPI engine is pure Python: importing any of its modules must not import Django."""

import pkgutil
import subprocess
import sys

import servicecoach.kpi.engine as engine


def test_engine_modules_do_not_import_django():
    modules = ["servicecoach.kpi", "servicecoach.kpi.engine", "servicecoach.kpi.cli"] + [
        f"servicecoach.kpi.engine.{m.name}" for m in pkgutil.iter_modules(engine.__path__)
    ]
    assert "servicecoach.kpi.engine.scoring" in modules
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k == 'django' or k.startswith('django.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin"})
    assert out.stdout.strip() == "", f"the engine imported {out.stdout.strip()}"
