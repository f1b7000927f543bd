"""Tasks that repair something: a buggy Python module, a broken JSON config."""

from __future__ import annotations

import json
import math
import random
import shlex
import statistics
from collections.abc import Callable
from functools import partial
from typing import Any

from openenv_mcp_terminal.tasks.base import CheckContext, Task, TaskInstance, Verdict, answer_file
from openenv_mcp_terminal.tasks.config import VALIDATOR, config_problems

__all__ = ["FIX_CONFIG", "FIX_SCRIPT"]

_CORRECT = {
    "mean": "    return sum(values) / len(values)\n",
    "median": (
        "    ordered = sorted(values)\n"
        "    middle = len(ordered) // 2\n"
        "    if len(ordered) % 2:\n"
        "        return ordered[middle]\n"
        "    return (ordered[middle - 1] + ordered[middle]) / 2\n"
    ),
    "spread": "    return max(values) - min(values)\n",
}
_BUGGY = {
    "mean": "    return sum(values) / (len(values) - 1)\n",
    "median": "    ordered = sorted(values)\n    return ordered[len(ordered) // 2]\n",
    "spread": "    return values[-1] - values[0]\n",
}
_DOCS = {
    "mean": "The arithmetic mean.",
    "median": "The middle value; for an even count, the mean of the two middle values.",
    "spread": "The largest value minus the smallest.",
}
_Function = Callable[[list[int]], float]
_REFERENCE: dict[str, _Function] = {
    "mean": statistics.fmean,
    "median": statistics.median,
    "spread": lambda v: max(v) - min(v),
}
_BUG: dict[str, _Function] = {
    "mean": lambda v: sum(v) / (len(v) - 1),
    "median": lambda v: sorted(v)[len(v) // 2],
    "spread": lambda v: v[-1] - v[0],
}
_HARNESS = (
    "import json, sys, stats\n"
    "cases = json.loads(sys.argv[1])\n"
    "print(json.dumps([[getattr(stats, f)(list(v)) for f in ('mean', 'median', 'spread')] for v in cases]))\n"
)


def _module(bodies: dict[str, str]) -> str:
    functions = [f'def {name}(values):\n    """{_DOCS[name]}"""\n{bodies[name]}' for name in _CORRECT]
    return '"""Small statistics helpers."""\n\n\n' + "\n\n".join(functions)


def _cases(rng: random.Random, count: int) -> list[list[int]]:
    """Inputs on which every one of the bugs shows."""
    while True:
        cases = [[rng.randint(-50, 99) for _ in range(rng.choice((4, 6, 7, 8)))] for _ in range(count)]
        if all(any(_BUG[f](v) != _REFERENCE[f](v) for v in cases) for f in _BUG):
            return cases


def _test_script(cases: list[list[int]]) -> str:
    lines = ["import stats", ""]
    for values in cases:
        for name, reference in _REFERENCE.items():
            lines.append(f"assert stats.{name}({values}) == {reference(values)!r}, '{name}({values})'")
    return "\n".join([*lines, "print('all tests passed')", ""])


def _generate_script(rng: random.Random) -> TaskInstance:
    broken = rng.sample(sorted(_BUGGY), 2)
    bodies = {name: (_BUGGY if name in broken else _CORRECT)[name] for name in _CORRECT}
    return TaskInstance(
        statement=(
            "`python3 test_stats.py` fails: stats.py has bugs. Fix stats.py so that the tests pass, "
            "without editing test_stats.py (the check also runs the functions on other inputs). "
            "Then call check()."
        ),
        files={"stats.py": _module(bodies), "test_stats.py": _test_script(_cases(rng, 3))},
        verify=partial(_verify_script, hidden=_cases(rng, 5)),
        solution=(f"cat > stats.py <<'EOF'\n{_module(_CORRECT)}EOF",),
    )


async def _verify_script(context: CheckContext, *, hidden: list[list[int]]) -> Verdict:
    ran = await context.run(f"python3 -c {shlex.quote(_HARNESS)} {shlex.quote(json.dumps(hidden))}")
    if (
        ran.exit_code != 0
    ):  # what stats.py printed or raised on hidden inputs is not shown: it could carry them
        return Verdict(
            False, "calling the functions of stats.py on the check's inputs failed; try python3 test_stats.py"
        )
    try:
        results: list[list[Any]] = json.loads(ran.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Verdict(False, "stats.py printed something that hid the check's results; remove its prints")
    for values, row in zip(hidden, results, strict=False):
        for (name, reference), got in zip(_REFERENCE.items(), row, strict=True):
            if not isinstance(got, int | float) or not math.isclose(got, reference(values)):
                return Verdict(False, f"{name}() returns a wrong result for some inputs")
    return Verdict(True, "stats.py computes the right results")


def _generate_config(rng: random.Random) -> TaskInstance:
    values: dict[str, Any] = {
        "name": f"svc-{rng.choice(('billing', 'search', 'auth', 'ledger'))}-{rng.randint(1, 9)}",
        "port": rng.randint(2000, 9999),
        "debug": rng.choice((True, False)),
        "workers": rng.randint(2, 16),
    }
    broken = (
        "{\n"
        f'  "name": "{values["name"]}",\n'
        f'  "port": "{values["port"]}",\n'
        f'  "debug": "{str(values["debug"]).lower()}",\n'
        f'  "workers": {values["workers"]},\n'
        "}\n"
    )
    return TaskInstance(
        statement=(
            "`python3 validate_config.py` rejects config.json. Fix config.json so that the validator "
            "prints 'config OK', keeping every setting's value (a number written as text stays that "
            "number). Then call check()."
        ),
        files={"config.json": broken, "validate_config.py": VALIDATOR},
        verify=partial(_verify_config, values=values),
        solution=(f"cat > config.json <<'EOF'\n{json.dumps(values, indent=2)}\nEOF",),
    )


async def _verify_config(context: CheckContext, *, values: dict[str, Any]) -> Verdict:
    text = answer_file(context, "config.json")
    if text is None:
        return Verdict(False, "config.json is missing")
    problems = config_problems(text)
    if problems:
        return Verdict(False, "the validator still rejects config.json: " + "; ".join(problems))
    changed = [key for key, value in json.loads(text).items() if values.get(key) != value]
    if changed:
        return Verdict(False, f"config.json is valid but these settings changed value: {', '.join(changed)}")
    return Verdict(True, "config.json is valid and keeps its values")


FIX_SCRIPT = Task("fix_script", "Make a failing test script pass", _generate_script)
FIX_CONFIG = Task("fix_config", "Fix a JSON config so that its validator accepts it", _generate_config)
