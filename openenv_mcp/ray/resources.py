"""What an episode asks the cluster for, how many share an actor, and how actors spread over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.environment import Environment

__all__ = ["RayResources"]


@dataclass(frozen=True)
class RayResources:
    """An episode's resources: Ray places each host actor on a node that has them free.

    An episode mostly waits for its agent, so the default asks a tenth of a CPU: ten
    episodes per core. A host actor holds `episodes_per_actor` episodes and reserves that
    many times an episode's resources. An environment class may declare its own as a class
    attribute `ray_resources` (a `RayResources`); the command line's flags override it.
    """

    num_cpus: float = 0.1
    memory: int | None = None
    """Bytes of memory the actor reserves (Ray's logical `memory` resource); None: none reserved."""
    custom: dict[str, float] = field(default_factory=dict[str, float])
    """Other Ray resources, by name (a node label such as `{"sandbox": 1}`)."""
    spread: bool = True
    """Spread actors over the nodes (Ray's SPREAD strategy) rather than fill one node first."""
    episodes_per_actor: int = 1
    """Episodes one actor (a Ray worker process) takes over its life. One: each episode alone,
    lost alone; more: far fewer processes for many light episodes, lost together with their host."""

    def __post_init__(self) -> None:
        if self.episodes_per_actor < 1:
            raise ValueError(f"episodes_per_actor is at least 1; got {self.episodes_per_actor}")
        if self.num_cpus < 0 or (self.memory is not None and self.memory < 0):
            raise ValueError("an episode's CPUs and memory are not negative")

    @classmethod
    def of(cls, env_class: type[Environment]) -> RayResources:
        declared = getattr(env_class, "ray_resources", None)
        return declared if isinstance(declared, RayResources) else cls()

    def actor_options(self, *, name: str, namespace: str) -> dict[str, Any]:
        """`ActorClass.options(...)` for one host: named, never restarted, never retried."""
        n = self.episodes_per_actor
        options: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "num_cpus": self.num_cpus * n,
            # A restarted actor would be new, empty episodes behind old handles: lost is honest.
            "max_restarts": 0,
            "max_task_retries": 0,
            "max_concurrency": min(16 * n, 10_000),
        }
        if self.memory is not None:
            options["memory"] = self.memory * n
        if self.custom:
            options["resources"] = {name_: amount * n for name_, amount in self.custom.items()}
        if self.spread:
            options["scheduling_strategy"] = "SPREAD"
        return options
