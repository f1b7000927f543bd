"""The shape of a TRL- or verifiers-style rollout, over MCP, with a scripted stand-in for the model.

    uv run python -m examples.agent_loop [--rollouts 8] [--format openai|hermes] [--url URL]

1. The environment's inner tools become OpenAI tool definitions (what a chat template or
   an API request takes).
2. A "model" (here a script, no network) answers each conversation with an assistant
   message: OpenAI `tool_calls`, or Hermes `<tool_call>` text.
3. The adapters read those into actions (bad output becomes a `ParseError`, which the client
   answers with an error observation the model reads next turn).
4. `VectorEnvClient.step_some` steps every live rollout at once; each result goes back into
   its conversation as the matching tool message, and the rewards are collected.

Each conversation is the library's `openenv_mcp.evaluation.chat.Conversation`: the same code
that `openenv-mcp eval --model-url URL --model NAME` drives against a real model.

Against a served environment pass `--url http://127.0.0.1:PORT/envs/connect_four/mcp`;
without one the server runs in this process.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from typing import Any

import anyio

from openenv_mcp.client import AutoresetMode, Target, VectorEnvClient
from openenv_mcp.evaluation.chat import Conversation, Format
from openenv_mcp.server import EnvServer
from openenv_mcp_adapters import Parsed
from openenv_mcp_connect_four import ConnectFourEnvironment

__all__ = ["Rollout", "ScriptedModel", "main", "rollouts"]

Rollout = Conversation
"""One conversation and what the environment paid for it (the library's, as `openenv-mcp eval` uses)."""
SYSTEM = "You play Connect Four as X. Call the drop tool with a column. Think briefly, then act."
_LEGAL = re.compile(r"columns ([\d, ]+)\.")


class ScriptedModel:
    """Stands in for an LLM: picks a legal column from the last observation.

    Every `glitch_every`-th answer is malformed on purpose (broken JSON), the way real
    models sometimes are, to show that a rollout survives it.
    """

    def __init__(self, fmt: Format, glitch_every: int = 7) -> None:
        self.fmt, self.glitch_every, self.calls = fmt, glitch_every, 0

    def __call__(self, messages: list[dict[str, Any]], tools: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls += 1
        seen = str(messages[-1]["content"])
        legal = [int(c) for c in _LEGAL.findall(seen)[-1].split(",")] if _LEGAL.findall(seen) else [3]
        column = legal[(self.calls * 3) % len(legal)]
        arguments = '{"column": ' + (str(column) + "}" if self.calls % self.glitch_every else "")
        if self.fmt == "hermes":
            return {
                "role": "assistant",
                "content": f'<tool_call>{{"name": "drop", "arguments": {arguments}}}</tool_call>',
            }
        call = {
            "id": f"call_{self.calls}",
            "type": "function",
            "function": {"name": "drop", "arguments": arguments},
        }
        return {"role": "assistant", "content": None, "tool_calls": [call]}


async def rollouts(
    target: Target, count: int = 8, fmt: Format = "openai", max_turns: int = 30
) -> list[Rollout]:
    """Run `count` rollouts to the end (or `max_turns`) and return them."""
    model = ScriptedModel(fmt)
    options = {"opponent": "random"}
    async with VectorEnvClient(target, count, autoreset_mode=AutoresetMode.DISABLED) as envs:
        tools = envs.tools()
        firsts = await envs.reset_all(seeds=0, options=options)
        runs = [Conversation.start(f.observation, tools, fmt, SYSTEM) for f in firsts]
        for _ in range(max_turns):
            live = [i for i, run in enumerate(runs) if not run.done]
            if not live:
                break
            actions: dict[int, Parsed] = {i: await runs[i].act(model) for i in live}
            for i, result in (await envs.step_some(actions)).items():
                runs[i].observe(result)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rollouts", type=int, default=8)
    parser.add_argument("--format", choices=["openai", "hermes"], default="openai")
    parser.add_argument("--url", help="an MCP URL of connect_four; default: a server in this process")
    args = parser.parse_args(argv)
    target: Target = args.url or EnvServer(ConnectFourEnvironment)
    runs = anyio.run(rollouts, target, args.rollouts, args.format)
    print(f"{'rollout':>7} {'turns':>5} {'return':>7} {'parse errors':>12}")
    for i, run in enumerate(runs):
        print(f"{i:>7} {len(run.rewards):>5} {run.ret:>+7.2f} {run.parse_errors:>12}")
    print(f"mean return {sum(r.ret for r in runs) / len(runs):+.3f}")
    print("\nthe end of rollout 0:", json.dumps(runs[0].messages[-2:], indent=2)[:1500], file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
