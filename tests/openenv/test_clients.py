"""OpenEnv 0.10.0's own clients against a real server of ours, over every environment.

One server serves every environment (OpenEnv base URLs /envs/<name>), and one serves echo alone
(base URL: the root, OpenEnv's default). OpenEnv's scripts run in its own virtual environment,
all at once: GenericEnvClient (sync and async), MCPToolClient, a typed EnvClient, and
`openenv validate` over every URL and environment folder. The tests read their reports.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import pytest_asyncio

from openenv_mcp.testing.serving import served_process
from tests.openenv.manifests import FACTS
from tests.openenv.peer import ROOT, openenv_python, run_client, serve_command

pytestmark = [pytest.mark.subprocess, pytest.mark.timeout(300)]

ENVS = ("echo", "wordle", "connect_four", "python", "terminal", "mcp_proxy")
FOLDERS = (*ENVS, "openenv_bridge")
"""Every folder's manifest is validated; the bridge is not served here (it needs a remote)."""
SOLUTION = (ROOT / "environments/python/tests/solutions/fizzbuzz.py").read_text(encoding="utf-8")


def call(tool: str, **arguments: Any) -> dict[str, Any]:
    return {"type": "call_tool", "tool_name": tool, "arguments": arguments}


def generic_plans(base: str) -> list[dict[str, Any]]:
    write = call("write_file", path="solution.py", content=SOLUTION)
    return [
        {"name": "echo", "reset": {"seed": 1}, "action": call("echo", message="hi")},
        {"name": "wordle", "reset": {"seed": 1, "word": "metal"}, "action": call("guess", word="metal")},
        {"name": "connect_four", "reset": {"seed": 1}, "action": call("drop", column=3)},
        {
            "name": "python",
            "reset": {"seed": 1, "task": "fizzbuzz"},
            "action": {"code": "print(1 + 1)"},  # as OpenEnv's code environments send code
            "then": [write, call("submit")],
        },
        {
            "name": "terminal",
            "reset": {"seed": 1, "options": {"task": "create_file"}},
            "action": {"type": "tool_call", "tool_name": "run_command", "parameters": {"command": "echo hi"}},
        },
        {"name": "mcp_proxy", "reset": {"seed": 1}, "action": call("toolbox__add", a=1, b=2)},
    ]


MCP_TOOL_PLANS: list[tuple[str, str, dict[str, Any]]] = [
    ("echo", "echo", {"message": "hi"}),
    ("wordle", "letters", {}),
    ("connect_four", "view_board", {}),
    ("python", "list_files", {"path": "."}),
    ("terminal", "run_command", {"command": "echo hi"}),
    ("mcp_proxy", "toolbox__add", {"a": 1, "b": 2}),
]


@dataclass
class Reports:
    """What each OpenEnv client saw, and what the servers held after."""

    base: str
    root: str
    generic: dict[str, Any] = field(default_factory=lambda: {})
    mcp_tool: dict[str, Any] = field(default_factory=lambda: {})
    typed: dict[str, Any] = field(default_factory=lambda: {})
    validate: dict[str, Any] = field(default_factory=lambda: {})
    cli_exit: int | None = None
    catalogue: list[dict[str, Any]] = field(default_factory=lambda: [])


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def reports() -> AsyncGenerator[Reports]:
    await anyio.to_thread.run_sync(openenv_python)  # installed before any timer starts
    # The servers stop before the tests read the reports: nothing spans the yield, whose other
    # side runs in another task.
    with anyio.fail_after(240):
        async with (
            served_process(serve_command(*ENVS), "") as every,
            served_process(serve_command("echo"), "") as alone,
        ):
            found = Reports(base=f"{every.url}/envs", root=alone.url)
            await _run_all(found)
            async with httpx2.AsyncClient(timeout=10) as http:
                found.catalogue = (await http.get(f"{every.url}/envs")).json()["environments"]
                found.catalogue += (await http.get(f"{alone.url}/envs")).json()["environments"]
    yield found


async def _run_all(found: Reports) -> None:
    base, root = found.base, found.root
    generic = [{**plan, "base": f"{base}/{plan['name']}"} for plan in generic_plans(base)]
    generic.append({**generic_plans(base)[0], "name": "root", "base": root})
    mcp_tool = [{"name": n, "base": f"{base}/{n}", "tool": t, "arguments": a} for n, t, a in MCP_TOOL_PLANS]
    targets = [f"{base}/{name}" for name in ENVS] + [root] + [str(ROOT / "environments" / n) for n in FOLDERS]

    async def store(name: str, script: str, argument: Any) -> None:
        setattr(found, name, await run_client(script, argument))

    async def cli() -> None:
        openenv = (await anyio.to_thread.run_sync(openenv_python)).with_name("openenv")
        with anyio.fail_after(120):
            done = await anyio.run_process([str(openenv), "validate", "--url", root], check=False)
        found.cli_exit = done.returncode

    async with anyio.create_task_group() as tg:
        tg.start_soon(store, "generic", "generic", generic)
        tg.start_soon(store, "mcp_tool", "mcp_tool", mcp_tool)
        tg.start_soon(store, "typed", "typed", f"{base}/echo")
        tg.start_soon(store, "validate", "validate", targets)
        tg.start_soon(cli)


@pytest.mark.parametrize("env", [*ENVS, "root"])
@pytest.mark.parametrize("flavour", ["sync", "async"])
def test_the_generic_client_resets_steps_and_reads_state(reports: Reports, env: str, flavour: str) -> None:
    run = reports.generic[env][flavour]
    reset, step, state = run["reset"], run["step"], run["state"]
    episode = reset["metadata"]["episode_id"]
    assert reset["observation"]["text"] and reset["done"] is False
    assert step["metadata"]["episode_id"] == episode and step["metadata"]["step_count"] == 1
    assert step["observation"]["error"] is None, step["observation"]
    assert isinstance(step["reward"], float)
    assert state["episode_id"] == episode and state["step_count"] == 1
    assert state["environment"] == ("echo" if env == "root" else env)


def test_each_action_shape_reads_as_its_environment_answers(reports: Reports) -> None:
    runs = {env: reports.generic[env]["sync"]["step"] for env in ENVS}
    echo, python = runs["echo"], runs["python"]["observation"]
    assert echo["observation"]["result"]["data"] == "hi" and echo["reward"] == pytest.approx(0.2)
    wordle = runs["wordle"]
    assert wordle["done"] and wordle["reward"] == pytest.approx(2.25)  # solved in one of six guesses
    assert python["stdout"] == "2\n" and python["exit_code"] == 0
    assert runs["terminal"]["observation"]["data"]["stdout"] == "hi\n"
    assert runs["mcp_proxy"]["observation"]["tool_name"] == "toolbox__add"


def test_the_python_oracle_earns_the_declared_maximum_over_the_wire(reports: Reports) -> None:
    written, submitted = reports.generic["python"]["sync"]["then"]
    assert written["observation"]["error"] is None
    assert submitted["done"] and submitted["reward"] == FACTS["python"].high


def test_bad_actions_are_an_error_frame_or_an_error_observation_and_the_session_goes_on(
    reports: Reports,
) -> None:
    run = reports.generic["echo"]["async"]
    assert "VALIDATION_ERROR" in run["refused"] and "tool_name" in run["refused"]
    unknown = run["unknown"]
    assert unknown["observation"]["error"]["error_type"] == "tool_not_found"
    assert "unknown tool 'no_such_tool'" in unknown["observation"]["error"]["message"]
    assert unknown["metadata"]["step_count"] == 2, "the failed call is a step, the malformed one is not"


@pytest.mark.parametrize(("env", "tool", "arguments"), MCP_TOOL_PLANS, ids=[p[0] for p in MCP_TOOL_PLANS])
def test_the_mcp_tool_client_lists_calls_steps_and_reads_state(
    reports: Reports, env: str, tool: str, arguments: dict[str, Any]
) -> None:
    run = reports.mcp_tool[env]
    assert tool in run["tools"] and not {"reset", "step", "state", "close"} & set(run["tools"])
    assert run["called"] is not None
    stepped = run["stepped"]
    assert stepped["tool_name"] == tool and stepped["error"] is None and not stepped["result"]["isError"]
    assert run["state"] == {"episode_id": run["session_id"], "step_count": 2}, (
        "call_tool and step: one episode"
    )
    assert "unknown tool 'no_such_tool'" in run["unknown_tool"]


def test_the_mcp_tool_client_reads_each_result(reports: Reports) -> None:
    assert reports.mcp_tool["echo"]["called"] == "hi"
    proxy = reports.mcp_tool["mcp_proxy"]
    assert proxy["called"] == proxy["stepped"]["result"]["data"]
    assert reports.mcp_tool["terminal"]["called"]["stdout"] == "hi\n"


def test_a_typed_client_written_as_openenv_documents_it(reports: Reports) -> None:
    typed = reports.typed
    assert typed["reset"].endswith("Every message you send with `echo` comes back to you.")
    assert typed["text"] == "Hello!" and typed["reward"] == pytest.approx(0.6) and typed["done"] is False
    assert typed["state"]["step_count"] == 1 and typed["state"]["episode_id"]


@pytest.mark.parametrize("env", [*ENVS, "root"])
def test_openenv_validate_url_passes_every_check(reports: Reports, env: str) -> None:
    target = reports.root if env == "root" else f"{reports.base}/{env}"
    found = reports.validate[target]
    report = found["report"]
    assert found["exit_code"] == 0 and report["passed"], json.dumps(report, indent=1)
    assert report["summary"]["failed_criteria"] == [] and report["summary"]["total_count"] == 6
    assert report["mode"] == "simulation" and report["standard_profile"] == "openenv-http/1.x"


def test_the_openenv_command_itself_validates_the_root(reports: Reports) -> None:
    assert reports.cli_exit == 0


@pytest.mark.parametrize("env", FOLDERS)
def test_openenv_validate_folder_fails_no_check(reports: Reports, env: str) -> None:
    found = reports.validate[str(Path(ROOT / "environments" / env))]
    report = found["report"]
    statuses = {result["check_id"]: result["status"] for result in report["results"]}
    assert found["exit_code"] == 0 and statuses["static.manifest"] == "pass", json.dumps(report, indent=1)
    assert not [check for check, status in statuses.items() if status in ("fail", "error")]
    assert report["manifest"]["name"] == env


def test_no_session_is_left_open(reports: Reports) -> None:
    live = [(entry["name"], entry["live_episodes"]) for entry in reports.catalogue]
    assert live == [(name, 0) for name in (*ENVS, "echo")], "every session's episode closed with it"
