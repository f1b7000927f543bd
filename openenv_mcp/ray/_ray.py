"""The few Ray calls this package makes, typed: Ray's own hints are partial under pyright strict.

Ray is an extra (`pip install openenv-mcp[ray]`): importing this module without it is a clear
`RayUnavailableError`, not an ImportError from deep inside.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from collections.abc import Awaitable
from typing import Any, cast

from openenv_mcp.errors import OpenEnvError

__all__ = [
    "ActorRef",
    "RayUnavailableError",
    "cancel",
    "connect",
    "current_node",
    "get",
    "get_actor",
    "is_connected",
    "kill",
    "make_actor_class",
    "ray_module",
    "submit",
]

ActorRef = Any
"""A Ray actor handle (`ray.actor.ActorHandle`): picklable, so it travels into tasks and actors."""


class RayUnavailableError(OpenEnvError):
    """Ray is not installed, or no cluster answers at the address given."""

    kind = "ray_unavailable"


def ray_module() -> Any:
    """The `ray` module, or a clear error naming the extra that installs it."""
    # Under `uv run`, Ray would package the working directory for every worker (read when Ray
    # is first imported): the nodes have this package installed already (this machine, an image).
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise RayUnavailableError("Ray is not installed: install the ray extra (openenv-mcp[ray])") from exc


def is_connected() -> bool:
    return bool(ray_module().is_initialized())


def connect(address: str | None, namespace: str) -> None:
    """Join the cluster at `address` ("auto": the one started on this machine; None: start one here)."""
    ray = ray_module()
    if ray.is_initialized():
        return
    try:
        ray.init(
            address=address,
            namespace=namespace,
            logging_level="WARNING",
            log_to_driver=False,
            include_dashboard=False if address is None else None,
        )
    except ConnectionError as exc:
        raise RayUnavailableError(f"no Ray cluster answers at {address!r}: {exc}") from exc


def current_node() -> str:
    """The id of the Ray node this code runs on."""
    return str(ray_module().get_runtime_context().get_node_id())


def make_actor_class(cls: type) -> Any:
    """`ray.remote(cls)`: the class as an actor class (its `.options(...).remote(...)` starts one)."""
    return ray_module().remote(cls)


def submit(actor: ActorRef, method: str, *args: Any) -> Any:
    """Call `method` on `actor`; the object reference is awaitable, or read with `get`."""
    return getattr(actor, method).remote(*args)


def get(ref: Any, timeout: float | None = None) -> Any:
    return ray_module().get(ref, timeout=timeout)


def awaited(ref: Any) -> Awaitable[Any]:
    return cast(Awaitable[Any], ref)


def cancel(ref: Any) -> None:
    """Cancel an actor call under way (an async actor's coroutine gets CancelledError); done ones are left."""
    ray = ray_module()
    with contextlib.suppress(ray.exceptions.RayError, ValueError, TypeError):
        ray.cancel(ref)


def get_actor(name: str, namespace: str) -> ActorRef | None:
    """The live actor named so, or None."""
    try:
        return ray_module().get_actor(name, namespace=namespace)
    except ValueError:
        return None


def kill(actor: ActorRef) -> None:
    """End the actor now (its process and what it holds); a dead one is left as it is."""
    ray = ray_module()
    with contextlib.suppress(ray.exceptions.RayError):
        ray.kill(actor, no_restart=True)
