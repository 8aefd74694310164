"""The optional compiled core of the auto-QA engine (docs/qa-rules.md, "speed and the evaluators").
Everything else about the package is in pyproject.toml. Each ``src/servicecoach/quality/engine/_*.c`` is
one extension module of the same name. ``optional=True``: without a C compiler the package still
installs, and the engine uses its pure-Python path."""

from pathlib import Path

from setuptools import Extension, setup

ENGINE = Path("src/servicecoach/quality/engine")

setup(
    ext_modules=[
        Extension(
            f"servicecoach.quality.engine.{source.stem}",
            sources=[source.as_posix()],
            extra_compile_args=["-std=c99", "-O2"],
            optional=True,
        )
        for source in sorted(ENGINE.glob("_*.c"))
    ]
)
