"""Child tools as inner tools: namespaced, with the child's schemas, filtered by allow and deny."""

from __future__ import annotations

import anyio
import pytest

from environments.mcp_proxy.tests.helpers import NODE_DIR, everything_config, filesystem_config, toy_config
from openenv_mcp.conformance import check_definitions
from openenv_mcp.errors import DefinitionError
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment
from openenv_mcp_mcp_proxy.config import EVERYTHING_TOOLS
from openenv_mcp_mcp_proxy.config import everything_config as safe_everything_config
from openenv_mcp_mcp_proxy.tools import kept

pytestmark = [pytest.mark.subprocess]


@pytest.mark.node
async def test_the_everything_servers_tools_are_listed_with_namespace_and_schemas() -> None:
    proxy = McpProxyEnvironment.factory(everything_config())
    with anyio.fail_after(30):
        tools = {d.name: d for d in (await proxy.definitions()).values()}
    assert {"everything__echo", "everything__get-sum", "everything__get-env"} <= set(tools)
    assert all(name.startswith("everything__") for name in tools)
    sum_schema = tools["everything__get-sum"].input_schema
    assert sum_schema["properties"]["a"]["type"] == "number"
    assert sum_schema["required"] == ["a", "b"]
    assert tools["everything__get-structured-content"].output_schema is not None
    check_definitions(McpProxyEnvironment, (await proxy.definitions()).values())


@pytest.mark.node
async def test_allow_and_deny_filter_the_filesystem_tools() -> None:
    proxy = McpProxyEnvironment.factory(
        filesystem_config(allow=["read_*", "list_*"], deny=["fs__read_media_file"])
    )
    with anyio.fail_after(30):
        names = {d.name for d in (await proxy.definitions()).values()}
    assert "fs__read_text_file" in names and "fs__list_directory" in names
    assert "fs__write_file" not in names and "fs__read_media_file" not in names
    env = proxy()
    try:
        with anyio.fail_after(30):
            await env.reset(seed=0)
            denied = await env.step(
                ToolCallAction(tool_name="fs__write_file", parameters={"path": "a", "content": ""})
            )
        assert denied.error is not None and "unknown tool" in denied.error
    finally:
        await env.close()


def test_globs_match_the_childs_name_or_the_namespaced_one() -> None:
    assert kept("read_file", None, [], "fs")
    assert not kept("read_file", ["write_*"], [], "fs")
    assert not kept("read_file", None, ["fs__read_file"], "fs")
    assert kept("read_file", ["fs__*"], ["*write*"], "fs")


async def test_an_environment_lists_its_tools_on_its_first_reset() -> None:
    env = McpProxyEnvironment(toy_config(deny=["crash"]))
    assert env.definitions() == []
    try:
        with anyio.fail_after(30):
            await env.reset(seed=0)
        names = [d.name for d in env.definitions()]
        assert names == [
            "toy__echo",
            "toy__env_value",
            "toy__encoded",
            "toy__sleep",
            "toy__garbage",
            "toy__pid",
        ]
    finally:
        await env.close()


async def test_unknown_and_missing_arguments_are_error_observations() -> None:
    proxy = McpProxyEnvironment.factory(toy_config())
    env = proxy()
    try:
        with anyio.fail_after(30):
            await env.reset(seed=0)
            extra = await env.step(ToolCallAction(tool_name="toy__echo", parameters={"message": "a", "x": 1}))
            missing = await env.step(ToolCallAction(tool_name="toy__echo", parameters={}))
            good = await env.step(ToolCallAction(tool_name="toy__echo", parameters={"message": "a"}))
        assert extra.error is not None and "not a parameter" in extra.error
        assert missing.error is not None and "required" in missing.error
        assert good.error is None and good.observation.to_text() == "a"
        assert env.step_count == 3
    finally:
        await env.close()


@pytest.mark.parametrize("lists", [{"allow": ["echo", "ech0"]}, {"deny": ["crash", "toy__crahs"]}])
async def test_an_allow_or_deny_pattern_naming_no_child_tool_is_refused(lists: dict[str, list[str]]) -> None:
    with anyio.fail_after(30), pytest.raises(DefinitionError) as refused:
        await McpProxyEnvironment.factory(toy_config(**lists)).definitions()
    assert "'ech0'" in str(refused.value) or "'toy__crahs'" in str(refused.value)
    assert "the child's tools are: echo, env_value, encoded, crash" in str(refused.value)


async def test_a_misspelt_pattern_stops_the_server_from_starting_and_says_why() -> None:
    server = EnvServer(McpProxyEnvironment, factory=McpProxyEnvironment.factory(toy_config(allow=["ech0"])))
    with anyio.fail_after(30), pytest.raises(DefinitionError, match=r"'ech0'.*the child's tools are: echo"):
        await server.refresh_tools()  # what the server's lifespan does before it serves


@pytest.mark.node
async def test_the_everything_configuration_offers_no_tool_that_reaches_the_network_or_the_host() -> None:
    proxy = McpProxyEnvironment.factory(safe_everything_config(NODE_DIR))
    with anyio.fail_after(30):
        tools = {d.name: d for d in (await proxy.definitions()).values()}
    assert set(tools) == {f"everything__{name}" for name in EVERYTHING_TOOLS}
    assert not any(d.annotations.open_world for d in tools.values())
    check_definitions(McpProxyEnvironment, (await proxy.definitions()).values())
    env = proxy()
    try:
        with anyio.fail_after(30):
            await env.reset(seed=0)
            fetch = {"data": "http://127.0.0.1:1/", "outputType": "resource"}
            fetched = await env.step(
                ToolCallAction(tool_name="everything__gzip-file-as-resource", parameters=fetch)
            )
            dumped = await env.step(ToolCallAction(tool_name="everything__get-env"))
            summed = await env.step(
                ToolCallAction(tool_name="everything__get-sum", parameters={"a": 2, "b": 3})
            )
        assert fetched.error is not None and "unknown tool" in fetched.error
        assert dumped.error is not None and "unknown tool" in dumped.error
        assert summed.error is None and "5" in summed.observation.to_text()
    finally:
        await env.close()
