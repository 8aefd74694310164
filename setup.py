"""The optional compiled core of the auto-QA engine (docs/qa-rules.md, "speed and the evaluators").
Everything else about the package is in pyproject.toml. ``optional=True``: without a C compiler the
package still installs, and the engine uses its pure-Python path."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "servicecoach.quality.engine._native",
            sources=["src/servicecoach/quality/engine/_native.c"],
            extra_compile_args=["-std=c99", "-O2"],
            optional=True,
        )
    ]
)
