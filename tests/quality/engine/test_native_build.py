"""CI always builds the compiled core: every ``engine/_*.c`` must import there (elsewhere the tests of each
module skip with their reason when it is not built)."""

from __future__ import annotations

import importlib
import os

import pytest
from tests.quality.engine.native_support import compiled_modules


def test_there_are_compiled_modules_to_build():
    assert {"_native", "_emotion", "_results", "_rules"} <= set(compiled_modules())


@pytest.mark.parametrize("module", compiled_modules())
def test_ci_builds_every_compiled_module(module):
    if not os.environ.get("CI"):
        pytest.skip("only on CI (CI is set there), which always builds the compiled core")
    importlib.import_module(f"servicecoach.quality.engine.{module}")  # fails the test when not built
