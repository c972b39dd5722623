"""External programs some tests drive (poppler, zbar): skipped on a developer machine that lacks
them, a failure under CI=true, where `make test` has installed them."""

from __future__ import annotations

import os
import shutil

import pytest


def require_tools(*names: str, package: str) -> None:
    """Skip (or, under CI=true, fail) unless every program is on PATH."""
    missing = [name for name in names if shutil.which(name) is None]
    if not missing:
        return
    message = f"{package} is not installed (missing {', '.join(missing)})"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must install it (make system-deps-test)")
    pytest.skip(f"{message}: apt-get install {package}")
