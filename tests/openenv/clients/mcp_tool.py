"""MCPToolClient over each environment: list_tools, call_tool, step with CallToolAction, state.

argv[1]: a JSON list of ``{"name", "base", "tool", "arguments"}``; prints ``{name: {...}}``.
"""

import asyncio
import json
import sys
from typing import Any

from openenv.core import MCPToolClient
from openenv.core.env_server.mcp_types import CallToolAction


async def run(plan: dict[str, Any]) -> dict[str, Any]:
    async with MCPToolClient(base_url=plan["base"], message_timeout_s=60.0) as env:
        session = env._production_session_id
        tools = await env.list_tools()
        called = await env.call_tool(plan["tool"], **plan["arguments"])
        stepped = await env.step(CallToolAction(tool_name=plan["tool"], arguments=plan["arguments"]))
        state = await env.state()
        try:
            await env.call_tool("no_such_tool")
            unknown = None
        except RuntimeError as exc:
            unknown = str(exc)
    observation = stepped.observation
    return {
        "session_id": session,
        "tools": [tool.name for tool in tools],
        "called": called,
        "stepped": {
            "tool_name": getattr(observation, "tool_name", None),
            "result": getattr(observation, "result", None),
            "error": getattr(observation, "error", None) and observation.error.model_dump(mode="json"),
            "reward": stepped.reward,
            "done": stepped.done,
        },
        "state": {"episode_id": state.episode_id, "step_count": state.step_count},
        "unknown_tool": unknown,
    }


async def main() -> None:
    report = {plan["name"]: await run(plan) for plan in json.loads(sys.argv[1])}
    print(json.dumps(report))


if __name__ == "__main__":
    asyncio.run(main())
