"""What the OpenEnv bridge costs a step, and what it does when the remote is slow.

    uv run python -m benchmarks.bench_bridge [--steps 2000] [--delay-steps 200]

Cost: OpenEnv's echo peer (`benchmarks/peers/openenv_echo_server.py`, in OpenEnv's own venv)
stepped directly over its `/ws` (one session, OpenEnv's frames), then through the bridge: the
bridge environment's own `step` (with and without the remote's state fetched beside each
step), and an MCP client of ours calling the bridged `echo` in memory. Same remote, same
machine, one run, blocks alternated; the bridge's cost is its p50 less the direct p50.

Injected delays: the bridge's test remote (`environments/openenv_bridge/tests/remotes/
echo_remote.py`) answers `delayed_echo(message, seconds)` after `seconds`. Some steps are
slow but inside the reply timeout, some past it. An MCP client of ours through the bridge must
get its own message back for every answered step, and a clear error (then a reset) for every
timed-out one; a client that matches replies by order on one socket, as OpenEnv's does
(its issue #1143), is run on the same schedule for comparison. Results go to
results/bench_bridge.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import anyio
import mcp
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.peers.openenv import OpenEnvServer, ensure_venv, openenv_server
from benchmarks.scenarios import percentile
from openenv_mcp.client.results import result_text
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.spec.wire import META_STEP
from openenv_mcp.testing.serving import served_process
from openenv_mcp_openenv_bridge import BridgeConfig, OpenEnvBridgeEnvironment

ROOT = Path(__file__).resolve().parent.parent
DELAY_REMOTE = ROOT / "environments" / "openenv_bridge" / "tests" / "remotes" / "echo_remote.py"
MESSAGE = "hello"


@dataclass
class CostRow:
    way: str
    steps: int
    p50_ms: float
    p95_ms: float
    over_direct_p50_ms: float = 0.0


@dataclass
class DelayRow:
    client: str
    steps: int
    answered_right: int
    answered_wrong: int
    timed_out: int
    other_errors: int


def _ms(samples: list[float]) -> tuple[float, float]:
    return percentile(samples, 50) * 1000, percentile(samples, 95) * 1000


async def _direct(websocket: ClientConnection, frame: str) -> float:
    started = anyio.current_time()
    await websocket.send(frame)
    reply: Any = json.loads(await websocket.recv())
    elapsed = anyio.current_time() - started
    if reply["data"]["observation"]["result"]["data"] != MESSAGE:
        raise RuntimeError(f"the remote answered {reply!r:.200}")
    return elapsed


async def _bridged(env: OpenEnvBridgeEnvironment, action: ToolCallAction) -> float:
    started = anyio.current_time()
    result = await env.step(action)
    elapsed = anyio.current_time() - started
    if result.info.get("error") or str(result.observation.to_text()) != MESSAGE:
        raise RuntimeError(f"the bridge answered {result!r:.200}")
    return elapsed


async def _over_mcp(client: mcp.Client, episode: str) -> float:
    started = anyio.current_time()
    result = await client.call_tool("echo", {"message": MESSAGE, "episode_id": episode})
    elapsed = anyio.current_time() - started
    if result.is_error or result_text(result) != MESSAGE:
        raise RuntimeError(f"the bridge answered {result!r:.200}")
    return elapsed


async def cost(server: OpenEnvServer, steps: int, blocks: int) -> list[CostRow]:
    """p50/p95 per step: direct, the bridge's step (state on and off), and over MCP in memory."""
    samples: dict[str, list[float]] = {"direct /ws": [], "bridge step": [], "bridge step, no state": []}
    samples["bridge over MCP (memory)"] = []
    frame = json.dumps(
        {
            "type": "step",
            "data": {"type": "call_tool", "tool_name": "echo", "arguments": {"message": MESSAGE}},
        }
    )
    action = ToolCallAction(tool_name="echo", parameters={"message": MESSAGE})
    with_state = OpenEnvBridgeEnvironment.factory(BridgeConfig(url=server.base_url))
    without_state = OpenEnvBridgeEnvironment.factory(BridgeConfig(url=server.base_url, forward_state=False))
    envs = {"bridge step": with_state(), "bridge step, no state": without_state()}
    mcp_server = EnvServer(OpenEnvBridgeEnvironment, factory=with_state)
    websocket = await connect(server.base_url.replace("http://", "ws://") + "/ws", max_size=None)
    async with mcp.Client(mcp_server.server, mode="2026-07-28", read_timeout_seconds=30) as client:
        await websocket.send(json.dumps({"type": "reset", "data": {}}))
        await websocket.recv()
        for env in envs.values():
            await env.reset(seed=1)
        reset = await client.call_tool("reset", {"seed": 1})
        assert reset.structured_content is not None
        episode = str(reset.structured_content["episode_id"])
        per_block = max(steps // blocks, 1)
        for _ in range(10):  # warm up, untimed
            await _direct(websocket, frame)
            for env in envs.values():
                await _bridged(env, action)
            await _over_mcp(client, episode)
        for _ in range(blocks):
            samples["direct /ws"] += [await _direct(websocket, frame) for _ in range(per_block)]
            for way, env in envs.items():
                samples[way] += [await _bridged(env, action) for _ in range(per_block)]
            samples["bridge over MCP (memory)"] += [
                await _over_mcp(client, episode) for _ in range(per_block)
            ]
        for env in envs.values():
            await env.close()
        await client.call_tool("close", {"episode_id": episode})
    await websocket.close()
    direct_p50 = _ms(samples["direct /ws"])[0]
    rows = [CostRow(way, len(found), *_ms(found)) for way, found in samples.items()]
    for row in rows:
        row.over_direct_p50_ms = row.p50_ms - direct_p50
    return rows


def schedule(steps: int, timeout: float, seed: int = 7) -> list[float]:
    """Each step's injected delay: most none, some slow but in time, some past the timeout."""
    draw = random.Random(seed)
    return [draw.choices([0.0, timeout * 0.4, timeout * 2.5], weights=[80, 12, 8])[0] for _ in range(steps)]


async def through_bridge(url: str, delays: list[float], limit: float) -> DelayRow:
    """An MCP client of ours through the bridge: every answer checked against its own request."""
    config = BridgeConfig(url=url, reply_timeout=limit)
    server = EnvServer(OpenEnvBridgeEnvironment, factory=OpenEnvBridgeEnvironment.factory(config))
    row = DelayRow("ours, through the bridge", len(delays), 0, 0, 0, 0)
    async with mcp.Client(server.server, mode="2026-07-28", read_timeout_seconds=limit * 20) as client:
        episode = await _reset(client)
        for i, seconds in enumerate(delays):
            message = f"step {i}"
            result = await client.call_tool(
                "delayed_echo", {"message": message, "seconds": seconds, "episode_id": episode}
            )
            meta: Any = (result.meta or {}).get(META_STEP) or {}
            if not result.is_error:
                row.answered_right += result_text(result) == message
                row.answered_wrong += result_text(result) != message
            elif "did not answer within" in result_text(result):
                row.timed_out += 1
            else:
                row.other_errors += 1
            if meta.get("terminated") or meta.get("truncated"):
                await client.call_tool("close", {"episode_id": episode})
                episode = await _reset(client)
        await client.call_tool("close", {"episode_id": episode})
    return row


async def _reset(client: mcp.Client) -> str:
    reset = await client.call_tool("reset", {})
    assert reset.structured_content is not None, result_text(reset)
    return str(reset.structured_content["episode_id"])


async def by_order(url: str, delays: list[float], limit: float) -> DelayRow:
    """A client that matches replies by order on one socket and moves on after a timeout."""
    row = DelayRow("by order on one socket (OpenEnv's client)", len(delays), 0, 0, 0, 0)
    websocket = await connect(url.replace("http://", "ws://") + "/ws", max_size=None)
    await websocket.send(json.dumps({"type": "reset", "data": {}}))
    await websocket.recv()
    for i, seconds in enumerate(delays):
        message = f"step {i}"
        arguments = {"message": message, "seconds": seconds}
        action: dict[str, Any] = {"type": "call_tool", "tool_name": "delayed_echo", "arguments": arguments}
        await websocket.send(json.dumps({"type": "step", "data": action}))
        reply: Any = None
        with anyio.move_on_after(limit):
            reply = json.loads(await websocket.recv())
        if reply is None:
            row.timed_out += 1
            continue
        said = _echoed(reply)
        row.answered_right += said == message
        row.answered_wrong += said != message
    await websocket.close()
    return row


def _echoed(reply: Any) -> Any:
    """The message a `delayed_echo` reply carries (None in an error reply)."""
    try:
        return reply["data"]["observation"]["result"]["data"]
    except (KeyError, TypeError):
        return None


async def delays_case(steps: int, limit: float) -> list[DelayRow]:
    command = [str(ensure_venv()), "-I", str(DELAY_REMOTE), "--port", "0"]
    delays = schedule(steps, limit)
    async with served_process(command, "") as remote:
        return [
            await through_bridge(remote.url, delays, limit),
            await by_order(remote.url, delays, limit),
        ]


async def run(steps: int, blocks: int, delay_steps: int, limit: float) -> dict[str, Any]:
    async with openenv_server(max_sessions=16) as server:
        rows = await cost(server, steps, blocks)
    delayed = await delays_case(delay_steps, limit)
    return {"cost": [asdict(r) for r in rows], "delays": [asdict(r) for r in delayed], "timeout_s": limit}


def table(results: dict[str, Any]) -> str:
    lines = ["| way | steps | p50 ms | p95 ms | p50 over direct, ms |", "|---|---:|---:|---:|---:|"]
    for row in results["cost"]:
        lines.append(
            f"| {row['way']} | {row['steps']} | {row['p50_ms']:.3f} | {row['p95_ms']:.3f} | "
            f"{row['over_direct_p50_ms']:+.3f} |"
        )
    lines += ["", f"injected delays (reply timeout {results['timeout_s']:g} s):", ""]
    lines += ["| client | steps | right answers | WRONG answers | timed out | other errors |"]
    lines += ["|---|---:|---:|---:|---:|---:|"]
    for row in results["delays"]:
        lines.append(
            f"| {row['client']} | {row['steps']} | {row['answered_right']} | {row['answered_wrong']} | "
            f"{row['timed_out']} | {row['other_errors']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_bridge", description=__doc__)
    parser.add_argument("--steps", type=int, default=2000, help="timed steps per way")
    parser.add_argument("--blocks", type=int, default=5, help="alternating blocks per way")
    parser.add_argument("--delay-steps", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=0.2, help="the bridge's reply timeout, seconds")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "bench_bridge.json")
    args = parser.parse_args(argv)
    results = anyio.run(run, args.steps, args.blocks, args.delay_steps, args.timeout)
    print(table(results))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nresults in {args.out}", file=sys.stderr)
    ours = next(row for row in results["delays"] if row["client"].startswith("ours"))
    return 1 if ours["answered_wrong"] or ours["other_errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
