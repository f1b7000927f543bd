"""A benchmark-only environment whose one step sleeps, served over HTTP (MCP and OpenEnv's /ws).

    python -m benchmarks.sleep_server --port 0 --capacity 5000 --max-connections 6000

OpenEnv's scaling method counts sessions that stay open while each step waits: `echo`
sleeps on the event loop (an environment waiting on a model, a tool, a remote) and answers
its message. The episode's `sleep` option says how long (a reset option, so that it reaches
an episode in a Ray actor too). Served at `/envs/sleep/mcp` and `/envs/sleep/ws`.
"""

from __future__ import annotations

import argparse
import importlib

import anyio
from pydantic import BaseModel, Field

from openenv_mcp import Environment, tool
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.server import EnvServer
from openenv_mcp.transports import serve_http

__all__ = ["SleepEnvironment", "main"]


class SleepOptions(BaseModel):
    sleep: float = Field(default=10.0, ge=0, description="seconds each step sleeps")


class SleepEnvironment(Environment[SleepOptions]):
    """One tool, `echo`, that waits the episode's `sleep` seconds before it answers."""

    name = "sleep"
    description = "Echo, after a sleep: a load-test environment."
    options_model = SleepOptions
    seconds = 10.0

    async def on_reset(self, options: SleepOptions) -> str:
        self.seconds = options.sleep
        return f"each echo sleeps {self.seconds:g} s"

    @tool
    async def echo(self, message: str) -> str:
        """Wait, then send the message back."""
        await anyio.sleep(self.seconds)
        return message


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--capacity", type=int, default=5000, help="live episodes at once")
    parser.add_argument("--max-connections", type=int, default=6000, help="connections at once")
    parser.add_argument("--ray", metavar="ADDRESS", help="episodes in Ray actors of this cluster")
    parser.add_argument("--ray-episodes-per-actor", type=int, default=1, metavar="N")
    parser.add_argument("--ray-cpus", type=float, default=0.01, help="CPUs one sleeping episode reserves")
    args = parser.parse_args(argv)
    server = EnvServer(SleepEnvironment, limits=RegistryLimits(capacity=args.capacity, idle_ttl=3600))
    if args.ray:
        from openenv_mcp.ray import RayEpisodes, RayResources, connect

        connect(args.ray, "openenv-mcp-bench")
        # Actors import the class by its module's name (`python -m` runs it as __main__):
        # start the nodes with this folder on PYTHONPATH, as an image would install it.
        env_class = importlib.import_module("benchmarks.sleep_server").SleepEnvironment
        # A sleeping episode uses next to no CPU (a hundredth of one each by default), spread over the nodes.
        resources = RayResources(num_cpus=args.ray_cpus, episodes_per_actor=args.ray_episodes_per_actor)
        server.registry.provider = RayEpisodes(env_class, namespace="openenv-mcp-bench", resources=resources)
    anyio.run(
        lambda: serve_http([server], port=args.port, log_level="info", max_connections=args.max_connections)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
