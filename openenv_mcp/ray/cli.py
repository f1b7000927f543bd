"""`openenv-mcp serve --ray ADDRESS`: the flags, and the servers' episodes moved into actors."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server import EnvServer

__all__ = ["add_ray_options", "use_ray"]


def add_ray_options(serve: argparse.ArgumentParser) -> None:
    group = serve.add_argument_group("Ray (episodes in actors across a cluster; needs the ray extra)")
    group.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run every episode in a Ray actor of the cluster at ADDRESS "
        "('auto': the cluster started on this machine with `ray start`; 'local': start one in-process)",
    )
    group.add_argument(
        "--ray-namespace",
        default="openenv-mcp",
        help="the Ray namespace of the episode actors; every front door of one deployment uses the same",
    )
    group.add_argument("--ray-cpus", type=float, default=None, help="CPUs one episode reserves")
    group.add_argument(
        "--ray-memory", type=int, default=None, metavar="BYTES", help="memory one episode reserves"
    )
    group.add_argument(
        "--ray-episodes-per-actor",
        type=_positive,
        default=1,
        metavar="N",
        help="episodes one actor (a Ray worker process) holds, reserving N times an episode's "
        "resources (default 1: each episode alone, lost alone; more: far fewer processes for many "
        "light episodes, lost together with their actor)",
    )
    group.add_argument(
        "--ray-pack",
        action="store_true",
        help="fill one node before the next (Ray's default) instead of spreading actors over the nodes",
    )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number of episodes, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"at least 1 episode per actor, got {value}")
    return value


def use_ray(servers: Sequence[EnvServer], args: argparse.Namespace) -> None:
    """Give each server's registry a Ray provider, where `--ray` asks for one."""
    if not getattr(args, "ray", None):
        return
    if args.transport == "stdio":
        raise OpenEnvError("--ray is for HTTP front doors: stdio serves one local client")
    from openenv_mcp.ray import RayEpisodes, RayResources, connect

    connect(None if args.ray == "local" else args.ray, args.ray_namespace)
    for server in servers:
        declared = RayResources.of(server.env_class)
        resources = RayResources(
            num_cpus=declared.num_cpus if args.ray_cpus is None else args.ray_cpus,
            memory=declared.memory if args.ray_memory is None else args.ray_memory,
            custom=declared.custom,
            spread=not args.ray_pack,
            episodes_per_actor=args.ray_episodes_per_actor,
        )
        server.registry.provider = RayEpisodes(
            server.env_class, namespace=args.ray_namespace, resources=resources, sandbox=args.sandbox
        )
