"""The reference filesystem server confined to each episode's own workspace."""

from __future__ import annotations

from pathlib import Path

import anyio
import pytest

from environments.mcp_proxy.tests.helpers import filesystem_config
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment

pytestmark = [pytest.mark.subprocess, pytest.mark.node]


def call(name: str, **parameters: object) -> ToolCallAction:
    return ToolCallAction(tool_name=f"fs__{name}", parameters=parameters)


async def test_reads_and_writes_stay_inside_the_episode_workspace(tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("not yours")
    proxy = McpProxyEnvironment.factory(filesystem_config())
    first, second = proxy(), proxy()
    try:
        with anyio.fail_after(60):
            reset = await first.reset(seed=0)
            await second.reset(seed=0)
            workspace = Path(reset.info["workspace"])
            assert first.workspace == workspace != second.workspace
            wrote = await first.step(call("write_file", path=str(workspace / "note.txt"), content="hello"))
            read = await first.step(call("read_text_file", path=str(workspace / "note.txt")))
            escape = await first.step(call("read_text_file", path=str(outside)))
            relative = await first.step(call("read_text_file", path=str(workspace / ".." / outside.name)))
            other = await second.step(call("read_text_file", path=str(workspace / "note.txt")))
        assert wrote.error is None and (workspace / "note.txt").read_text() == "hello"
        assert read.error is None and read.observation.structured_content == {"content": "hello"}
        for refused in (escape, relative, other):
            assert refused.error is not None and "Access denied" in refused.error
            assert "not yours" not in str(refused.observation)
        assert first.step_count == 4
    finally:
        await first.close()
        await second.close()
    assert not await anyio.Path(workspace).exists()
