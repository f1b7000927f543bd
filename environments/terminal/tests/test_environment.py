"""The environment: conformance, the file tools' confinement, code actions, the step budget.

What check() shares with the agent (nothing) is in test_isolation.py.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anyio
import pytest

from openenv_mcp import CodeAction, StepResult, ToolCallAction
from openenv_mcp.conformance import check_environment
from openenv_mcp.errors import InvalidOptionsError
from openenv_mcp_terminal import DirListing, TaskView, TerminalEnvironment

pytestmark = pytest.mark.sandbox


async def call(env: TerminalEnvironment, name: str, **parameters: Any) -> StepResult:
    with anyio.fail_after(30):
        return await env.step(ToolCallAction(tool_name=name, parameters=parameters))


async def test_terminal_conforms(private_tempdir: Path) -> None:
    with anyio.fail_after(60):
        await check_environment(TerminalEnvironment)
    assert os.listdir(private_tempdir) == []


async def test_the_first_observation_states_the_task_and_its_files(env: TerminalEnvironment) -> None:
    first = await env.reset(seed=3, options={"task": "rename_files"})
    view = first.observation
    assert isinstance(view, TaskView) and view.task == "rename_files" and view.max_steps == 30
    assert "reports/README.txt" in view.files and "report_YYYY-MM-DD.txt" in view.statement
    assert view.to_text().startswith("Task rename_files: Rename files by a rule\n")
    listing = (await call(env, "list_dir", path="reports")).observation
    assert isinstance(listing, DirListing)
    assert sorted(f"reports/{e.name}" for e in listing.entries) == view.files


async def test_file_tools_round_trip(env: TerminalEnvironment) -> None:
    await env.reset(seed=0, options={"task": "create_file"})
    written = await call(env, "write_file", path="/workspace/notes/a.txt", content="héllo\n")
    assert written.observation == "wrote 7 bytes to notes/a.txt"
    assert (await call(env, "read_file", path="notes/a.txt")).observation == "héllo\n"
    shown = await call(env, "run_command", command="cat notes/a.txt")
    assert shown.observation.stdout == "héllo\n"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/etc/passwd", "outside the workspace"),
        ("../../etc/passwd", "through '..'"),
        ("passwd", "through a symbolic link"),
        ("etc/passwd", "through a symbolic link"),
    ],
)
async def test_file_tools_stay_in_the_workspace(env: TerminalEnvironment, path: str, message: str) -> None:
    await env.reset(seed=0, options={"task": "create_file"})
    await call(env, "run_command", command="ln -s /etc/passwd passwd && ln -s /etc etc")
    for name, extra in (("read_file", {}), ("write_file", {"content": "x"}), ("list_dir", {})):
        refused = await call(env, name, path=path, **extra)
        assert refused.error is not None and message in refused.error, (name, refused.observation)
        assert not refused.terminated and refused.reward == 0.0
    assert (await call(env, "list_dir")).error is None


async def test_code_actions_get_the_file_tools_but_not_the_shell(env: TerminalEnvironment) -> None:
    await env.reset(seed=0, options={"task": "create_file"})
    done = await env.step(CodeAction(code="write_file('x.txt', 'from code'); print(read_file('x.txt'))"))
    assert done.error is None and "from code" in done.observation.to_text()
    refused = await env.step(CodeAction(code="run_command('ls')"))
    assert "not defined" in refused.observation.to_text()
    listed = await env.step(CodeAction(code="list_dir()"))
    assert "x.txt" in listed.observation.to_text()


async def test_the_episode_is_truncated_at_max_steps(env: TerminalEnvironment) -> None:
    await env.reset(seed=0, options={"task": "count_matches", "max_steps": 2})
    assert not (await call(env, "check")).truncated
    last = await call(env, "list_dir")
    assert last.truncated and not last.terminated
    assert "ended" in (await call(env, "list_dir")).observation


async def test_unknown_tasks_are_refused_with_the_list(env: TerminalEnvironment) -> None:
    with pytest.raises(InvalidOptionsError, match="unknown task 'nope'; the tasks are: create_file"):
        await env.reset(options={"task": "nope"})


async def test_example_actions_look_around(env: TerminalEnvironment) -> None:
    await env.reset(seed=9, options={"task": "log_search"})
    results = [await env.step(action) for action in env.example_actions()]
    assert [r.error for r in results] == [None, None, None]
    assert "logs/" in results[0].observation.to_text()
    assert "app.log.1" in results[1].observation.stdout
    assert "request_id=req-" in results[2].observation
