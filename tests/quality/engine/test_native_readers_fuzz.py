"""The readers' fuzz tests (test_readers_fuzz.py) once more on the pure-Python path
(SERVICECOACH_QA_NATIVE=0). test_readers_fuzz.py itself runs on the default path, the compiled core
when it is built; so both paths get the same fuzzing."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

from servicecoach.quality.engine import native

_spec = importlib.util.spec_from_file_location("_readers_fuzz_pure", Path(__file__).with_name("test_readers_fuzz.py"))
_fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_fuzz)
globals().update({name: value for name, value in vars(_fuzz).items() if name.startswith("test_")})


@pytest.fixture(autouse=True, scope="module")
def _pure_python_path():
    old = os.environ.get(native.ENV)
    os.environ[native.ENV] = "0"
    assert not native.enabled()
    yield
    if old is None:
        del os.environ[native.ENV]
    else:
        os.environ[native.ENV] = old
