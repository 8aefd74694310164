"""What the tests of the compiled core share: switching it on and off, and the real dialogues' path."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from servicecoach.quality.engine import native

ROOT = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("SERVICECOACH_SHARED_DIR", ROOT.parent / "shared"))
REAL = SHARED / "data" / "stc3-dch1-cn-train.jsonl"
ENGINE = ROOT / "src" / "servicecoach" / "quality" / "engine"


@contextmanager
def path(use_native: bool) -> Iterator[None]:
    """The compiled path or the pure-Python one (SERVICECOACH_QA_NATIVE=0)."""
    old = os.environ.get(native.ENV)
    os.environ[native.ENV] = "1" if use_native else "0"
    try:
        yield
    finally:
        if old is None:
            del os.environ[native.ENV]
        else:
            os.environ[native.ENV] = old


def compiled_modules() -> list[str]:
    """The extension modules setup.py builds: one per ``engine/_*.c``."""
    return sorted(source.stem for source in ENGINE.glob("_*.c"))


def generator() -> ModuleType:
    """benchmarks/gen_conversations.py: the benchmark's realistic chats, for the tests to use too."""
    spec = importlib.util.spec_from_file_location("gen_conversations", ROOT / "benchmarks" / "gen_conversations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
