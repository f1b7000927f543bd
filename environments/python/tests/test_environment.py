"""The python environment in a real bubblewrap sandbox: tools, grading, reward, and attacks on both."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from openenv_mcp import CodeAction, ToolCallAction
from openenv_mcp.conformance import check_environment
from openenv_mcp.environment import CodeObservation
from openenv_mcp.errors import InvalidOptionsError
from openenv_mcp.spec import StepResult
from openenv_mcp_python import Briefing, PythonEnvironment, SubmissionReport, load_tasks, task_ids

pytestmark = pytest.mark.sandbox


async def call(env: PythonEnvironment, tool: str, **parameters: Any) -> StepResult:
    with anyio.fail_after(30):
        return await env.step(ToolCallAction(tool_name=tool, parameters=parameters))


async def submit(env: PythonEnvironment, solution: str) -> tuple[StepResult, SubmissionReport]:
    written = await call(env, "write_file", path="solution.py", content=solution)
    assert written.error is None, written.error
    result = await call(env, "submit")
    assert isinstance(result.observation, SubmissionReport), result.observation
    return result, result.observation


async def test_conformance(private_tempdir: Path) -> None:
    with anyio.fail_after(120):
        await check_environment(PythonEnvironment)
    assert os.listdir(private_tempdir) == []


async def test_the_briefing_shows_the_task_and_the_starter_is_in_place() -> None:
    env = PythonEnvironment()
    try:
        with anyio.fail_after(30):
            reset = await env.reset(seed=3, options={"task": "two_sum"})
        briefing = reset.observation
        assert isinstance(briefing, Briefing)
        text = briefing.to_text()
        assert "def two_sum(numbers: list[int], target: int) -> tuple[int, int]:" in text
        assert "/workspace/solution.py" in text and "submit()" in text
        assert "two_sum(list(range(10000))" not in text  # hidden calls stay hidden
        listed = await call(env, "list_files")
        assert listed.observation == ["solution.py"]
        starter = await call(env, "read_file", path="/workspace/solution.py")
        assert starter.observation == load_tasks()["two_sum"].starter
    finally:
        await env.close()


async def test_a_seeded_reset_picks_the_same_task() -> None:
    env = PythonEnvironment()
    try:
        chosen: list[str] = []
        for seed in (7, 7, 8, 9, 10, 11):
            with anyio.fail_after(30):
                await env.reset(seed=seed)
            chosen.append(env.task.id)
        assert chosen[0] == chosen[1]
        assert len(set(chosen)) > 1 and set(chosen) <= set(task_ids())
    finally:
        await env.close()


async def test_unknown_task_is_an_invalid_option() -> None:
    env = PythonEnvironment()
    with pytest.raises(InvalidOptionsError, match="unknown task 'nope'; the tasks are: binary_search"):
        await env.reset(options={"task": "nope"})
    await env.close()


async def test_run_python_keeps_state_between_calls(roman: PythonEnvironment) -> None:
    await call(roman, "run_python", code="import math\nsaved = math.factorial(5)")
    result = await call(roman, "run_python", code="print('cwd', __import__('os').getcwd())\nsaved + 1")
    assert isinstance(result.observation, CodeObservation)
    assert result.observation.value == "121" and "cwd /workspace" in result.observation.stdout


async def test_a_correct_solution_gets_reward_one_and_ends_the_episode(
    roman: PythonEnvironment, solution: Callable[[str], str]
) -> None:
    result, report = await submit(roman, solution("to_roman"))
    assert (report.passed, report.total) == (12, 12)
    assert result.reward == 1.0 and result.terminated and not result.truncated
    assert result.info["end_reason"] == "all hidden tests passed"
    assert roman.state().extra == {
        "task": "to_roman",
        "best_fraction": 1.0,
        "submissions": 1,
        "tests_passed": 12,
        "tests_total": 12,
    }


async def test_reward_is_paid_as_improvement_on_the_best(
    roman: PythonEnvironment, solution: Callable[[str], str]
) -> None:
    unchecked = solution("to_roman").replace("raise ValueError(number)", "pass")
    result, report = await submit(roman, unchecked)
    assert (report.passed, report.total) == (10, 12)
    assert [case.number for case in report.cases if not case.passed] == [11, 12]
    assert "test 11: wrong result\n  test 12: wrong result" in report.to_text()
    assert result.reward == pytest.approx(10 / 12) and not result.terminated
    worse, report = await submit(roman, "def to_roman(number):\n    return 'I'\n")
    assert report.passed == 1 and worse.reward == 0.0 and report.best == pytest.approx(10 / 12)
    final, _ = await submit(roman, solution("to_roman"))
    assert final.reward == pytest.approx(2 / 12) and final.terminated
    assert roman.total_reward == pytest.approx(1.0)


async def test_the_step_budget_truncates(solution: Callable[[str], str]) -> None:
    env = PythonEnvironment()
    try:
        with anyio.fail_after(30):
            await env.reset(options={"task": "caesar", "max_steps": 2})
        result, _ = await submit(env, "def caesar(text, shift):\n    return text\n")
        assert result.truncated and not result.terminated
        assert result.info["end_reason"] == "step budget of 2 reached"
    finally:
        await env.close()


async def test_a_code_action_can_use_the_file_tools_but_not_run_python_or_submit(
    roman: PythonEnvironment, solution: Callable[[str], str]
) -> None:
    source = solution("to_roman")
    code = (
        f"write_file('solution.py', {source!r})\nprint(list_files())\nread_file('solution.py') == {source!r}"
    )
    with anyio.fail_after(30):
        result = await roman.step(CodeAction(code=code))
    assert isinstance(result.observation, CodeObservation)
    assert result.observation.stdout == "['solution.py']\n" and result.observation.value == "True"
    for name in ("run_python", "submit"):
        with anyio.fail_after(30):
            result = await roman.step(CodeAction(code=f"{name}()"))
        assert isinstance(result.observation, CodeObservation)
        assert result.observation.error is not None and result.observation.error.type == "NameError"
    graded = await call(roman, "submit")
    assert graded.reward == 1.0


async def test_a_symlink_made_in_the_sandbox_is_not_followed(roman: PythonEnvironment) -> None:
    await call(
        roman, "run_python", code="import os\nos.symlink('/etc/passwd', 'passwd')\nos.symlink('/', 'top')"
    )
    for tool, parameters in (
        ("read_file", {"path": "passwd"}),
        ("read_file", {"path": "top/etc/passwd"}),
        ("write_file", {"path": "passwd", "content": "x"}),
        ("list_files", {"path": "top"}),
    ):
        refused = await call(roman, tool, **parameters)
        assert refused.error is not None and "leads outside the workspace" in refused.error
    await call(roman, "run_python", code="os.remove('solution.py')\nos.symlink('/etc/passwd', 'solution.py')")
    refused = await call(roman, "submit")
    assert refused.error is not None and "leads outside the workspace" in refused.error


async def test_file_tool_errors_are_observations_and_the_episode_goes_on(roman: PythonEnvironment) -> None:
    for tool, parameters, message in (
        ("read_file", {"path": "/etc/passwd"}, "outside the workspace"),
        ("read_file", {"path": "../../etc/passwd"}, "goes above the workspace"),
        ("write_file", {"path": "big.txt", "content": "x" * (1024 * 1024 + 1)}, "over the limit"),
        ("read_file", {"path": "missing.py"}, "no file 'missing.py'"),
    ):
        result = await call(roman, tool, **parameters)
        assert result.error is not None and message in result.error
        assert not (result.terminated or result.truncated)
    await call(roman, "run_python", code="os = __import__('os')\nos.mkfifo('pipe')")
    with anyio.fail_after(5):
        fifo = await call(roman, "read_file", path="pipe")
    assert fifo.error is not None and "not a regular file" in fifo.error


async def test_the_solution_is_importable_even_after_the_worker_was_killed(roman: PythonEnvironment) -> None:
    imported = await call(roman, "run_python", code="import solution\nsolution.to_roman.__name__")
    assert isinstance(imported.observation, CodeObservation) and imported.observation.value == "'to_roman'"
    killed = await call(roman, "run_python", code="while True:\n    pass")
    assert killed.error is not None and "wall-clock limit of 2.0 s exceeded" in killed.error
    again = await call(roman, "run_python", code="from solution import to_roman\nto_roman.__name__")
    assert isinstance(again.observation, CodeObservation) and again.observation.value == "'to_roman'"
