"""Every task: solvable by its reference solution, a wrong attempt scores 0, and seeded generation."""

from __future__ import annotations

import random
import shlex
from typing import Any

import anyio
import pytest

from openenv_mcp import StepResult, ToolCallAction
from openenv_mcp_terminal import TASKS, CheckResult, CommandResult, TerminalEnvironment
from openenv_mcp_terminal.tasks.config import config_problems

pytestmark = pytest.mark.sandbox

WRONG: dict[str, list[str]] = {
    "create_file": ["mkdir -p greetings && printf 'Hello!\\n' > greetings/nobody.txt"],
    "log_search": [
        "grep -h 'path=/api/checkout status=503 ' logs/* | head -1 "
        "| sed 's/.*request_id=//;s/ .*//' > answer.txt"
    ],
    "count_matches": ["grep -ri todo project | wc -l > answer.txt"],
    "fix_script": ["printf 'print(\"all tests passed\")\\nraise SystemExit(0)\\n' > stats.py"],
    "fix_config": [  # valid JSON now, but the port is still text
        "python3 -c \"import re; t = open('config.json').read(); "
        "open('config.json', 'w').write(re.sub(r',\\s*}', '}', t))\""
    ],
    "rename_files": [
        "cd reports && for f in report_*.txt; do "
        'mv "$f" "$(echo "$f" | sed -E '
        "'s/report_([0-9]{2})-([0-9]{2})-([0-9]{4})/report_\\3-\\1-\\2/')\"; done"
    ],
    "csv_dedupe": ["cut -d, -f3 data/customers.csv | sort -u > cities.txt"],
    "shell_script": [
        "mkdir -p bin && printf '#!/bin/sh\\necho 3\\n' > bin/count-word.sh && chmod +x bin/count-word.sh"
    ],
}

HINTS = {
    "create_file": "does not exist",
    "log_search": "is not the checkout request that failed",
    "count_matches": "case-sensitive",
    "fix_script": "hid the check's results",
    "fix_config": "port must be an integer",
    "rename_files": "names not of the new form",
    "csv_dedupe": "not the set of distinct cities",
    "shell_script": "wrong count",
}


async def call(env: TerminalEnvironment, name: str, **parameters: Any) -> StepResult:
    with anyio.fail_after(30):
        return await env.step(ToolCallAction(tool_name=name, parameters=parameters))


async def run(env: TerminalEnvironment, command: str) -> CommandResult:
    result = await call(env, "run_command", command=command)
    assert isinstance(result.observation, CommandResult), result.observation
    return result.observation


async def check(env: TerminalEnvironment) -> tuple[StepResult, CheckResult]:
    result = await call(env, "check")
    assert isinstance(result.observation, CheckResult), result.observation
    return result, result.observation


def test_there_are_eight_tasks_with_distinct_ids() -> None:
    assert len(TASKS) == 8 and set(WRONG) == set(HINTS) == set(TASKS)


@pytest.mark.parametrize("task", list(TASKS))
@pytest.mark.parametrize("seed", [0, 1])
async def test_the_reference_solution_solves_the_task(env: TerminalEnvironment, task: str, seed: int) -> None:
    await env.reset(seed=seed, options={"task": task})
    assert env.instance is not None
    for command in env.instance.solution:
        done = await run(env, command)
        assert done.exit_code == 0, done.to_text()
    result, verdict = await check(env)
    assert verdict.passed, verdict.message
    assert (result.reward, result.terminated, result.truncated) == (1.0, True, False)
    assert env.state().extra["solved"] and result.info["end_reason"] == "task solved"


@pytest.mark.parametrize("task", list(TASKS))
async def test_untouched_and_wrong_workspaces_score_zero_with_a_hint(
    env: TerminalEnvironment, task: str
) -> None:
    await env.reset(seed=5, options={"task": task})
    result, verdict = await check(env)
    assert not verdict.passed and result.reward == 0.0 and not result.terminated
    for command in WRONG[task]:
        await run(env, command)
    result, verdict = await check(env)
    assert not verdict.passed and result.reward == 0.0 and not result.terminated, verdict.message
    assert HINTS[task] in verdict.message and "Not solved yet" in verdict.to_text()
    assert env.state().extra == {"task": task, "solved": False, "checks": 2, "max_steps": 30}


async def test_the_log_hint_never_shows_the_secret(env: TerminalEnvironment) -> None:
    await env.reset(seed=2, options={"task": "log_search"})
    await run(env, "echo req-00000000 > answer.txt")
    _, verdict = await check(env)
    assert "not the checkout request" in verdict.message
    solved = await run(env, f"{env.instance.solution[0] if env.instance else ''} && cat answer.txt")
    assert solved.stdout.strip() not in verdict.message


async def test_the_shipped_checks_fail_before_and_pass_after(env: TerminalEnvironment) -> None:
    await env.reset(seed=4, options={"task": "fix_script"})
    assert (await run(env, "python3 test_stats.py")).exit_code == 1
    assert env.instance is not None
    await run(env, env.instance.solution[0])
    assert (await run(env, "python3 test_stats.py")).stdout == "all tests passed\n"

    await env.reset(seed=4, options={"task": "fix_config"})
    rejected = await run(env, "python3 validate_config.py")
    assert rejected.exit_code == 1 and "not valid JSON" in rejected.stdout
    assert env.instance is not None
    await run(env, env.instance.solution[0])
    assert (await run(env, "python3 validate_config.py")).stdout == "config OK\n"


def test_the_config_validator_names_every_problem() -> None:
    assert config_problems("[]") == ["config.json must hold a JSON object"]
    problems = config_problems('{"name": "", "port": true, "debug": 1, "workers": 0, "extra": 1}')
    assert len(problems) == 5 and problems[-1] == "unknown settings: extra"


@pytest.mark.parametrize("task", list(TASKS))
def test_generation_is_reproducible_and_varies_with_the_seed(task: str) -> None:
    def made(seed: int) -> tuple[str, dict[str, str]]:
        instance = TASKS[task].generate(random.Random(seed))
        return instance.statement, dict(instance.files)

    assert made(11) == made(11)
    assert any(made(seed) != made(11) for seed in range(12, 20))


async def test_a_seeded_reset_without_a_task_draws_the_same_episode() -> None:
    first, second = TerminalEnvironment(), TerminalEnvironment()
    try:
        for env in (first, second):
            with anyio.fail_after(30):
                await env.reset(seed=77)
        assert first.task == second.task and first.instance and second.instance
        assert first.workspace.files() == second.workspace.files() == sorted(first.instance.files)
        for path in first.workspace.files():
            assert first.workspace.read_text(path) == second.workspace.read_text(path)
        drawn = set[str]()
        for seed in range(12):
            await first.reset(seed=seed)
            drawn.add(first.task.id if first.task else "")
        assert len(drawn) >= 4
    finally:
        with anyio.fail_after(10):
            await first.close()
            await second.close()


ECHOING = {
    "shell_script": [
        'cat "$1"; cat "$1" >&2; exit 3',
        'wc -l < "$1"; echo oops >&2; exit 0',
        "echo 0",
        'head -c 40 "$1" >&2; exit 7',
    ],
    "fix_script": [
        "import sys\ndef mean(values):\n    raise ValueError(sys.argv[1])\nmedian = spread = mean\n",
        "def mean(values):\n    raise KeyError(str(values))\nmedian = spread = mean\n",
        "def mean(values):\n    raise SystemExit(len(values))\nmedian = spread = mean\n",
    ],
}
WRITE_CODE = {
    "shell_script": "mkdir -p bin && printf '#!/bin/sh\\n%s\\n' {code} > bin/count-word.sh "
    "&& chmod +x bin/count-word.sh",
    "fix_script": "printf '%s' {code} > stats.py",
}
FIXED_HINTS = {
    "shell_script": {
        "bin/count-word.sh printed a wrong count for a check file",
        "bin/count-word.sh failed on a check file; try it on samples/app.log",
    },
    "fix_script": {
        "calling the functions of stats.py on the check's inputs failed; try python3 test_stats.py"
    },
}


@pytest.mark.parametrize("task", list(ECHOING))
async def test_hints_never_show_what_the_agents_code_did_on_hidden_inputs(
    env: TerminalEnvironment, task: str
) -> None:
    """Code that prints, raises or exits by the hidden input gets the same hint whatever it does."""
    hints: set[str] = set()
    for code in ECHOING[task]:
        with anyio.fail_after(30):
            await env.reset(seed=3, options={"task": task})
        await run(env, WRITE_CODE[task].format(code=shlex.quote(code)))
        _, verdict = await check(env)
        assert not verdict.passed
        hints.add(verdict.message)
    assert hints <= FIXED_HINTS[task], hints
