"""The one typed door to the docker SDK (untyped, an optional extra); every call here blocks.

Async callers go through `anyio.to_thread.run_sync`. Only this module imports `docker`.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openenv_mcp.containers.errors import ContainerError, DockerUnavailableError
from openenv_mcp.containers.limits import ContainerLimits

__all__ = ["LABEL", "OWNER_LABEL", "ContainerState", "DockerEngine", "owner"]

LABEL = "openenv-mcp"
"""Every container this project starts carries `openenv-mcp=1`, so a sweep can find leaks."""
OWNER_LABEL = "openenv-mcp.owner"
"""The process that started the container: a sweep removes those whose owner has gone."""

INSTALL_HINT = "the docker SDK is not installed: pip install 'openenv-mcp[docker]'"
ENGINE_HINT = "Docker engine not reachable: start dockerd (or set DOCKER_HOST)"


def owner() -> str:
    """This process's owner label value."""
    return f"{os.uname().nodename}:{os.getpid()}"


@dataclass(frozen=True)
class ContainerState:
    """What `docker inspect` says about one container, reduced to what the provider needs."""

    id: str
    name: str
    status: str
    exit_code: int
    oom_killed: bool
    network_mode: str
    labels: Mapping[str, str]
    host_port: int | None

    @property
    def running(self) -> bool:
        return self.status == "running"


def _sdk() -> Any:
    try:
        return importlib.import_module("docker")
    except ImportError:
        raise DockerUnavailableError(INSTALL_HINT) from None


class DockerEngine:
    """A connected Docker engine: build images, run, inspect and remove labelled containers."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._errors: Any = importlib.import_module("docker.errors")

    @classmethod
    def connect(cls, timeout: float = 60.0) -> DockerEngine:
        """Connect with the usual environment (`DOCKER_HOST`...) and check the engine answers."""
        docker = _sdk()
        try:
            client = docker.from_env(timeout=round(timeout))
            client.ping()
        except docker.errors.DockerException as exc:
            raise DockerUnavailableError(f"{ENGINE_HINT} ({exc})") from None
        return cls(client)

    def close(self) -> None:
        self._client.close()

    def image_exists(self, tag: str) -> bool:
        try:
            self._client.images.get(tag)
        except self._errors.ImageNotFound:
            return False
        return True

    def build(self, context: Path, tag: str, buildargs: Mapping[str, str]) -> Iterator[str]:
        """Build `context/Dockerfile` as `tag`, yielding the engine's progress lines as they come."""
        stream = self._client.api.build(
            path=str(context), tag=tag, buildargs=dict(buildargs), decode=True, rm=True, forcerm=True
        )
        try:
            for chunk in stream:
                if "error" in chunk:
                    raise ContainerError(f"docker build of {tag} failed: {str(chunk['error']).strip()}")
                text = str(chunk.get("stream") or chunk.get("status") or "").rstrip()
                if text:
                    yield text
        except self._errors.APIError as exc:
            raise ContainerError(f"docker build of {tag} failed: {exc.explanation or exc}") from None

    def run(
        self,
        image: str,
        command: Sequence[str],
        *,
        name: str,
        limits: ContainerLimits,
        labels: Mapping[str, str],
        ports: Mapping[str, tuple[str, None]] | None = None,
        network: str = "none",
    ) -> str:
        """Start a detached container; its id. `network` is "none" or a network's name."""
        options: dict[str, Any] = {"network_mode": "none"} if network == "none" else {"network": network}
        try:
            container = self._client.containers.run(
                image,
                list(command),
                name=name,
                detach=True,
                labels=dict(labels),
                ports=dict(ports or {}),
                **options,
                **limits.sdk_options(),
            )
        except self._errors.ImageNotFound:
            raise ContainerError(f"no image {image!r}: build it with `openenv-mcp build`") from None
        except self._errors.APIError as exc:
            raise ContainerError(f"cannot start a container of {image}: {exc.explanation or exc}") from None
        return str(container.id)

    def inspect(self, name: str) -> dict[str, Any]:
        """The engine's full description of a container (`docker inspect`)."""
        try:
            return dict(self._client.api.inspect_container(name))
        except self._errors.NotFound:
            raise ContainerError(f"no container {name!r}") from None

    def state(self, name: str) -> ContainerState | None:
        """The container's state, or None when it does not exist (any more)."""
        try:
            attrs: dict[str, Any] = self._client.api.inspect_container(name)
        except self._errors.NotFound:
            return None
        return _state(attrs)

    def logs(self, name: str, tail: int = 20) -> str:
        try:
            return bytes(self._client.api.logs(name, tail=tail)).decode(errors="replace")
        except self._errors.NotFound:
            return ""

    def kill(self, name: str) -> None:
        """Stop the container at once (SIGKILL), leaving it to inspect."""
        try:
            self._client.api.kill(name)
        except self._errors.APIError as exc:
            raise ContainerError(f"cannot kill container {name}: {exc.explanation or exc}") from None

    def remove(self, name: str) -> bool:
        """Remove the container, running or not; False if it was already gone."""
        try:
            self._client.api.remove_container(name, force=True, v=True)
        except self._errors.NotFound:
            return False
        except self._errors.APIError as exc:
            if exc.status_code == 409:  # removal already in progress (a `--rm` container exiting)
                return False
            raise ContainerError(f"cannot remove container {name}: {exc.explanation or exc}") from None
        return True

    def labelled(self, **labels: str) -> list[ContainerState]:
        """Every container, running or not, with the project label (and these labels)."""
        wanted = [f"{LABEL}=1", *(f"{key}={value}" for key, value in labels.items())]
        found: list[dict[str, Any]] = self._client.api.containers(all=True, filters={"label": wanted})
        states = [self.state(str(entry["Id"])) for entry in found]
        return [state for state in states if state is not None]

    def ensure_network(self, name: str, options: Mapping[str, str]) -> None:
        """Create a labelled bridge network with these driver options unless `name` exists."""
        if self._client.networks.list(names=[name]):
            return
        try:
            self._client.networks.create(name, driver="bridge", options=dict(options), labels={LABEL: "1"})
        except self._errors.APIError as exc:
            if exc.status_code != 409:  # another process created it first
                raise ContainerError(f"cannot create network {name}: {exc.explanation or exc}") from None


def _state(attrs: Mapping[str, Any]) -> ContainerState:
    state: Mapping[str, Any] = attrs["State"]
    config: Mapping[str, Any] = attrs["Config"]
    bindings: Mapping[str, Any] = attrs["NetworkSettings"].get("Ports") or {}
    published: list[Mapping[str, Any]] = bindings.get("8000/tcp") or []
    return ContainerState(
        id=str(attrs["Id"]),
        name=str(attrs["Name"]).lstrip("/"),
        status=str(state["Status"]),
        exit_code=int(state.get("ExitCode") or 0),
        oom_killed=bool(state.get("OOMKilled")),
        network_mode=str(attrs["HostConfig"]["NetworkMode"]),
        labels=dict(config.get("Labels") or {}),
        host_port=int(published[0]["HostPort"]) if published else None,
    )
