"""A credential reaches the child through its environment and nowhere else."""

from __future__ import annotations

import json
import logging
import math
from typing import Any

import anyio
import mcp
import pytest

from environments.mcp_proxy.tests.children.toy_server import FORMS
from environments.mcp_proxy.tests.helpers import everything_config, garbage_config, text, toy_config
from openenv_mcp.conformance import check_definitions
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy import McpProxyEnvironment

pytestmark = [pytest.mark.subprocess]
SECRET = "sk-live-5f0c9e1d2b"
TRICKY = 'pa"ss\\wörd/+ k&y\tend\nline-two=='
"""A credential with a quote, a backslash, non-ASCII, URL-special characters, a tab and a newline."""
PEM_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
PEM = "\n".join(
    ["-----BEGIN PRIVATE KEY-----", "VJTUt9Us8cKjMzEf+WIcPm15", PEM_BODY, "-----END PRIVATE KEY-----", ""]
)
MASKED_FORMS = [
    ({"form": "raw"}, "***"),
    ({"form": "json"}, '{"value": "***"}'),
    ({"form": "json_ascii"}, '{"value": "***"}'),
    ({"form": "url"}, "https://example.test/?token=***&page=2"),
    ({"form": "url_path"}, "https://example.test/***/page"),
    ({"form": "hex"}, "***"),
    ({"form": "base64"}, "***"),
    ({"form": "base64url"}, "***"),
    ({"form": "raw", "prefix": "key=", "suffix": "; next"}, "key=***; next"),
    ({"form": "raw", "name": "PEM", "line": 2}, "***"),
    ({"form": "json", "name": "PEM", "line": 2}, '{"value": "***"}'),
]
"""`encoded` arguments (the tricky credential unless `name` says otherwise), and what the agent reads."""


def everything_said(*results: mcp.types.CallToolResult) -> str:
    return json.dumps([r.model_dump(mode="json") for r in results])


async def test_the_child_sees_the_credential_and_the_agent_sees_stars(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = McpProxyEnvironment.factory(toy_config(env={"TOY_SECRET": SECRET}))
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
            value = await client.call_tool("toy__env_value", {"name": "TOY_SECRET"})
            echoed = await client.call_tool("toy__echo", {"message": f"say {SECRET} twice"})
            unset = await client.call_tool("toy__env_value", {"name": "HOME_OF_NOTHING"})
            state = await client.call_tool("state", {})
            await client.call_tool("close", {})
    assert text(value) == "***" and value.structured_content == {"result": "***"}
    assert text(echoed) == "say *** twice"
    assert text(unset) == ""
    assert SECRET not in everything_said(reset, value, echoed, unset, state)
    assert SECRET not in caplog.text


async def test_garbage_quoting_the_credential_never_reaches_the_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    proxy = McpProxyEnvironment.factory(garbage_config(env={"JUNK_TOKEN": SECRET}, call_timeout=1))
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            result = await env.step(ToolCallAction(tool_name="junk__mumble"))
        assert result.error is not None and SECRET not in result.error
    finally:
        await env.close()
    assert SECRET not in caplog.text


@pytest.mark.node
async def test_the_everything_servers_environment_dump_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    server = EnvServer(
        McpProxyEnvironment,
        factory=McpProxyEnvironment.factory(everything_config(env={"EVERYTHING_TOKEN": SECRET})),
    )
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=20) as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]
            dumped = await client.call_tool("everything__get-env", {"episode_id": episode})
            await client.call_tool("close", {"episode_id": episode})
    assert '"EVERYTHING_TOKEN": "***"' in text(dumped)
    assert SECRET not in everything_said(dumped)
    assert SECRET not in caplog.text


def _encoded(episode: str, **arguments: Any) -> dict[str, Any]:
    return {"episode_id": episode, "name": "TOY_SECRET", **arguments}


async def test_every_form_of_a_credential_is_masked_in_text_structure_and_errors() -> None:
    proxy = McpProxyEnvironment.factory(toy_config(env={"TOY_SECRET": TRICKY, "PEM": PEM}))
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=20) as client:
            episodes = [await _episode(client), await _episode(client)]
            answers: list[mcp.types.CallToolResult] = []
            for arguments, expected in MASKED_FORMS:
                answer = await client.call_tool("toy__encoded", _encoded(episodes[0], **arguments))
                failed = await client.call_tool("toy__encoded", _encoded(episodes[0], fail=True, **arguments))
                got = (text(answer), answer.structured_content)
                assert got == (expected, {"result": expected}), arguments
                assert failed.is_error and f"refused: {expected}" in text(failed), arguments
                answers += [answer, failed]
            other = await client.call_tool("toy__echo", {"episode_id": episodes[1], "message": "still here"})
            for episode in episodes:
                await client.call_tool("close", {"episode_id": episode})
    assert text(other) == "still here"
    said = everything_said(*answers)
    assert not any(piece in said for piece in ["pa\\", "line-two", PEM_BODY, "wörd", "w\\u00f6rd"])


@pytest.mark.parametrize("before", ["", "x", "xy"])
async def test_base64_of_a_credential_inside_a_longer_text_is_masked_at_each_alignment(before: str) -> None:
    proxy = McpProxyEnvironment.factory(toy_config(env={"TOY_SECRET": TRICKY}))
    env = proxy()
    try:
        with anyio.fail_after(60):
            await env.reset(seed=0)
            arguments = {"name": "TOY_SECRET", "form": "base64", "prefix": f"user {before}", "suffix": "..."}
            result = await env.step(ToolCallAction(tool_name="toy__encoded", parameters=arguments))
            after = await env.step(ToolCallAction(tool_name="toy__echo", parameters={"message": "next"}))
    finally:
        await env.close()
    said = FORMS["base64"](f"user {before}{TRICKY}...")
    head, tail = result.observation.to_text().split("***")
    secret_starts, secret_ends = len(f"user {before}".encode()), len(f"user {before}{TRICKY}".encode())
    assert said.startswith(head) and said.endswith(tail)
    assert len(head) <= math.ceil(8 * secret_starts / 6) and len(said) - len(tail) >= 8 * secret_ends // 6
    assert after.observation.to_text() == "next"


async def test_a_credential_in_the_childs_tool_listing_is_masked() -> None:
    proxy = McpProxyEnvironment.factory(toy_config(env={"TOY_LISTING_SECRET": SECRET}))
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="legacy", read_timeout_seconds=20) as client:
            listed = {t.name: t for t in (await client.list_tools()).tools}
            reset = await client.call_tool("reset", {})
            await client.call_tool("close", {})
    assert SECRET not in json.dumps([t.model_dump(mode="json") for t in listed.values()])
    assert "toy__leak_redacted, toy__leak_redacted_2" in text(reset) and SECRET not in everything_said(reset)
    leaky = listed["toy__leak_redacted"]
    assert leaky.annotations is not None
    assert (leaky.annotations.title, leaky.description) == ("Leaks ***", "Knows ***.")
    token = leaky.input_schema["properties"]["token"]
    assert (token["description"], token["default"], token["enum"]) == (
        "a token like ***",
        "***",
        ["***", "plain"],
    )
    assert leaky.output_schema is not None
    assert leaky.output_schema["properties"]["value"]["description"] == "what *** said"
    check_definitions(McpProxyEnvironment, (await proxy.definitions()).values())


async def test_a_masked_tool_name_still_calls_the_childs_own_tool() -> None:
    proxy = McpProxyEnvironment.factory(toy_config(env={"TOY_LISTING_SECRET": SECRET}))
    server = EnvServer(McpProxyEnvironment, factory=proxy)
    with anyio.fail_after(60):
        async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=20) as client:
            episode = await _episode(client)
            default = await client.call_tool("toy__leak_redacted", {"episode_id": episode})
            plain = await client.call_tool("toy__leak_redacted", {"episode_id": episode, "token": "plain"})
            refused = await client.call_tool("toy__leak_redacted", {"episode_id": episode, "token": "***"})
            same_name = await client.call_tool("toy__leak_redacted_2", {"episode_id": episode})
            echoed = await client.call_tool("toy__echo", {"episode_id": episode, "message": "fine"})
            await client.call_tool("close", {"episode_id": episode})
    assert default.structured_content == {"value": "leaky got the secret"}
    assert plain.structured_content == {"value": "leaky got plain"}
    assert refused.is_error and "is not one of ['***', 'plain']" in text(refused)
    assert text(same_name) == "the real leak_redacted" and text(echoed) == "fine"
    assert SECRET not in everything_said(default, plain, refused, same_name)


async def _episode(client: mcp.Client) -> str:
    reset = await client.call_tool("reset", {})
    assert reset.structured_content is not None
    return reset.structured_content["episode_id"]
