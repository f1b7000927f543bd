"""The default child, the toolbox: it works from an installed package, and reaches nothing of the host."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from mcp.server.mcpserver.exceptions import ToolError

import openenv_mcp_mcp_proxy
from openenv_mcp.conformance import check_definitions
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import CONFIG_VARIABLE, NODE_DIR_VARIABLE, McpProxyEnvironment, toolbox_config
from openenv_mcp_mcp_proxy import toolbox as toolbox_module
from openenv_mcp_mcp_proxy.toolbox import MAX_NOTES, TOOLS

pytestmark = [pytest.mark.subprocess]

INSTALLED = """
import json, sys
import anyio
import openenv_mcp_mcp_proxy
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment

async def main():
    env = McpProxyEnvironment()
    try:
        await env.reset(seed=0)
        said = await env.step(ToolCallAction(tool_name="toolbox__add", parameters={"a": 2, "b": 3}))
    finally:
        await env.close()
    names = [d.name for d in env.definitions()]
    print(json.dumps({"package": openenv_mcp_mcp_proxy.__file__, "tools": names,
                      "error": said.error, "sum": said.observation.structured_content}))

anyio.run(main)
"""


def call(name: str, **parameters: object) -> ToolCallAction:
    return ToolCallAction(tool_name=f"toolbox__{name}", parameters=parameters)


@pytest.fixture
def notebook() -> Iterator[dict[str, str]]:
    """The toolbox module's notebook, empty before and after."""
    toolbox_module._notes.clear()  # pyright: ignore[reportPrivateUsage]
    yield toolbox_module._notes  # pyright: ignore[reportPrivateUsage]
    toolbox_module._notes.clear()  # pyright: ignore[reportPrivateUsage]


def test_a_copy_of_the_package_outside_the_repository_serves_the_toolbox_without_node(
    tmp_path: Path,
) -> None:
    site, bare = tmp_path / "site", tmp_path / "bin"
    bare.mkdir()
    shutil.copytree(Path(openenv_mcp_mcp_proxy.__file__).parent, site / "openenv_mcp_mcp_proxy")
    hidden = {CONFIG_VARIABLE, NODE_DIR_VARIABLE, "PYTHONPATH", "PATH"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env |= {"PYTHONPATH": str(site), "PATH": str(bare)}  # no node, and no folder of Node modules
    ran = subprocess.run(
        [sys.executable, "-c", INSTALLED], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert ran.returncode == 0, ran.stderr[-3000:]
    said = json.loads(ran.stdout.splitlines()[-1])
    assert said["package"] == str(site / "openenv_mcp_mcp_proxy" / "__init__.py")
    assert said["tools"][-len(TOOLS) :] == [f"toolbox__{name}" for name in TOOLS]
    assert said["error"] is None and said["sum"] == {"result": 5.0}


async def test_the_toolbox_offers_no_tool_that_reaches_the_network_or_the_host() -> None:
    proxy = McpProxyEnvironment.factory(toolbox_config())
    with anyio.fail_after(30):
        tools = {d.name: d for d in (await proxy.definitions()).values()}
    assert set(tools) == {f"toolbox__{name}" for name in TOOLS}
    assert all(d.annotations.open_world is False for d in tools.values())
    assert tools["toolbox__count_words"].output_schema is not None
    check_definitions(McpProxyEnvironment, (await proxy.definitions()).values())


def test_the_toolbox_imports_nothing_that_reaches_out() -> None:
    tree = ast.parse(Path(toolbox_module.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in imported} == {"__future__", "typing", "mcp", "pydantic"}
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"open", "exec", "eval", "compile", "__import__", "getattr"}


async def test_notes_last_one_episode_and_a_missing_one_names_those_kept() -> None:
    proxy = McpProxyEnvironment.factory(toolbox_config())
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            kept = await env.step(call("remember", key="plan", value="read, then write"))
            recalled = await env.step(call("recall", key="plan"))
            missing = await env.step(call("recall", key="palm"))
            counted = await env.step(call("count_words", text="two words\nand more"))
            await env.reset(seed=0)  # a fresh child: a fresh notebook
            forgotten = await env.step(call("list_notes"))
        assert kept.error is None and "remembered 'plan'" in kept.observation.to_text()
        assert recalled.observation.to_text() == "read, then write"
        assert (
            missing.error is not None
            and "no note named 'palm'" in missing.error
            and "'plan'" in missing.error
        )
        assert counted.observation.structured_content == {"words": 4, "lines": 2, "characters": 18}
        assert forgotten.error is None and forgotten.observation.structured_content == {"result": []}
    finally:
        await env.close()


def test_the_notebook_is_bounded(notebook: dict[str, str]) -> None:
    for number in range(MAX_NOTES):
        toolbox_module.remember(f"n{number}", "x")
    toolbox_module.remember("n0", "replaced")  # replacing a note needs no room
    with pytest.raises(ToolError, match="notebook is full"):
        toolbox_module.remember("one more", "x")
    assert len(notebook) == MAX_NOTES and notebook["n0"] == "replaced"
