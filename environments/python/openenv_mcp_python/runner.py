"""The hidden-test runner: its source is sent as code to a fresh sandbox, never imported there.

It imports `/workspace/solution.py`, evaluates each hidden call under a per-call time
limit, and prints one line: the run's secret marker and a JSON report of what the import
and each call returned (its `repr`), raised (the exception's name) or whether it ran out
of time. It never sees the expected values; the host compares, and shows the agent none
of these names or reprs. The solution's own output goes to /dev/null so it cannot crowd the report out.
Standard library only: it runs on the sandbox's bare interpreter.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import os
import signal
import sys
from collections.abc import Callable
from types import FrameType
from typing import Any

__all__ = ["REPR_LIMIT", "run_hidden_tests"]

REPR_LIMIT = 2000
"""Longest `repr` of a returned value that is reported; a longer one counts as wrong."""


class _CallTimeout(BaseException):
    """Raised by the alarm inside a call that ran out of time."""


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _CallTimeout


def _timed(seconds: float, call: Callable[[], Any]) -> Any:
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return call()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _outcome(seconds: float, call: Callable[[], Any]) -> dict[str, Any]:
    try:
        shown = _timed(seconds, lambda: repr(call()))
    except _CallTimeout:
        return {"timeout": True}
    except BaseException as exc:  # the solution's own failures, SystemExit included, are outcomes
        return {"error": type(exc).__name__}
    return {"repr": shown if len(shown) <= REPR_LIMIT else None}  # None: returned, but not comparable


def run_hidden_tests(marker: str, calls: list[str], seconds: float, workspace: str = "/workspace") -> None:
    """Run each call against the solution in `workspace` and print `marker` followed by the JSON report."""
    report_to = sys.stdout
    signal.signal(signal.SIGALRM, _alarm)
    sys.path.insert(0, workspace)
    report: dict[str, Any] = {"imported": {}, "cases": []}
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        report["imported"] = _outcome(seconds, functools.partial(importlib.import_module, "solution"))
        if report["imported"].get("repr") is not None:
            namespace = vars(sys.modules["solution"])
            for call in calls:
                report["cases"].append(_outcome(seconds, functools.partial(eval, call, dict(namespace))))
    report_to.write(marker + json.dumps(report) + "\n")
    report_to.flush()
