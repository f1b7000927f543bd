"""What one episode's actor asks the cluster for, and how actors are spread over it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from openenv_mcp.environment import Environment

__all__ = ["RayResources"]


@dataclass(frozen=True)
class RayResources:
    """An episode actor's resources: Ray places each actor on a node that has them free.

    An episode mostly waits for its agent, so the default asks a tenth of a CPU: ten
    episodes per core. An environment class may declare its own as a class attribute
    `ray_resources` (a `RayResources`); the command line's flags override it.
    """

    num_cpus: float = 0.1
    memory: int | None = None
    """Bytes of memory the actor reserves (Ray's logical `memory` resource); None: none reserved."""
    custom: dict[str, float] = field(default_factory=dict[str, float])
    """Other Ray resources, by name (a node label such as `{"sandbox": 1}`)."""
    spread: bool = True
    """Spread actors over the nodes (Ray's SPREAD strategy) rather than fill one node first."""

    @classmethod
    def of(cls, env_class: type[Environment]) -> RayResources:
        declared = getattr(env_class, "ray_resources", None)
        return declared if isinstance(declared, RayResources) else cls()

    def actor_options(self, *, name: str, namespace: str) -> dict[str, Any]:
        """`ActorClass.options(...)` for one episode: named, never restarted, never retried."""
        options: dict[str, Any] = {
            "name": name,
            "namespace": namespace,
            "num_cpus": self.num_cpus,
            # A restarted actor would be a new, empty episode behind an old handle: lost is honest.
            "max_restarts": 0,
            "max_task_retries": 0,
            "max_concurrency": 16,
        }
        if self.memory is not None:
            options["memory"] = self.memory
        if self.custom:
            options["resources"] = dict(self.custom)
        if self.spread:
            options["scheduling_strategy"] = "SPREAD"
        return options
