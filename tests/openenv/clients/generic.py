"""GenericEnvClient, sync and async, over each environment's OpenEnv base URL.

argv[1]: a JSON list of ``{"name", "base", "reset", "action", "then"?}`` (``then``: more actions, sync
only); prints ``{name: {"sync": ..., "async": ...}}``.
"""

import asyncio
import json
import sys
from typing import Any

from openenv.core import GenericEnvClient

TIMEOUT = 60.0


def outcome(result: Any) -> dict[str, Any]:
    return {
        "observation": result.observation,
        "reward": result.reward,
        "done": result.done,
        "metadata": result.metadata,
    }


def run_sync(plan: dict[str, Any]) -> dict[str, Any]:
    with GenericEnvClient(base_url=plan["base"], message_timeout_s=TIMEOUT).sync() as env:
        reset = env.reset(**plan["reset"])
        step = env.step(plan["action"])
        state = env.state()
        then = [outcome(env.step(action)) for action in plan.get("then", [])]
    return {"reset": outcome(reset), "step": outcome(step), "state": state, "then": then}


async def run_async(plan: dict[str, Any]) -> dict[str, Any]:
    async with GenericEnvClient(base_url=plan["base"], message_timeout_s=TIMEOUT) as env:
        reset = await env.reset(**plan["reset"])
        step = await env.step(plan["action"])
        state = await env.state()
        try:
            await env.step({"type": "call_tool"})  # no tool_name: an error frame, and the session goes on
            refused = None
        except RuntimeError as exc:
            refused = str(exc)
        unknown = await env.step({"type": "call_tool", "tool_name": "no_such_tool", "arguments": {}})
    return {
        "reset": outcome(reset),
        "step": outcome(step),
        "state": state,
        "refused": refused,
        "unknown": outcome(unknown),
    }


def main() -> None:
    report = {}
    for plan in json.loads(sys.argv[1]):
        report[plan["name"]] = {"sync": run_sync(plan), "async": asyncio.run(run_async(plan))}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
