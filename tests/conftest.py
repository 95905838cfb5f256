"""Shared test set-up: optional peers, and the CI rule that rendering tests must really run."""

from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "tracegrad", deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=150
)
settings.load_profile("tracegrad")


def _has(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


HAS_TORCH = _has("torch")
HAS_DOT = shutil.which("dot") is not None
IN_CI = bool(os.environ.get("CI"))

needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is an optional peer")


def require_dot() -> None:
    """Skip without Graphviz's dot on a developer machine; in CI its absence is a failure."""
    if HAS_DOT:
        return
    if IN_CI:
        pytest.fail("Graphviz's dot program is missing in CI: .ci/run must install it")
    pytest.skip("Graphviz's dot program is not installed")
