"""Environments in Docker containers: each one off the network, limited, labelled and removed.

Blocking docker SDK calls run in worker threads (`anyio.to_thread.run_sync`), never on the
event loop. MCP goes over the container's stdio (`docker run -i`, no network at all) or over
Streamable HTTP published on 127.0.0.1 at an ephemeral port, for hosting.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
from collections.abc import AsyncGenerator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from types import TracebackType

import anyio
import httpx2
import mcp
from mcp.client.stdio import StdioServerParameters

from openenv_mcp.containers.build import image_tag
from openenv_mcp.containers.engine import LABEL, OWNER_LABEL, DockerEngine, owner
from openenv_mcp.containers.errors import ContainerError, DockerUnavailableError
from openenv_mcp.containers.limits import ContainerLimits
from openenv_mcp.containers.session import ContainerSession, Transport, describe_exit
from openenv_mcp.containers.sweep import sweep_leaked, sweep_owned

__all__ = ["HTTP_NETWORK", "DockerProvider"]

logger = logging.getLogger(__name__)

HTTP_NETWORK = "openenv-mcp-http"
"""The bridge for HTTP containers: no masquerade (no route out), no container-to-container traffic."""
_HTTP_NETWORK_OPTIONS = {
    "com.docker.network.bridge.enable_ip_masquerade": "false",
    "com.docker.network.bridge.enable_icc": "false",
}
_WITHOUT_NAMESPACES = frozenset({"python", "terminal"})
_CLIENT_ENV = ("DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY")


class DockerProvider:
    """Starts environment containers and removes them; sweeps this project's leaked ones.

    Use as `async with DockerProvider() as provider:`, then `async with provider.session(env)`.
    """

    def __init__(
        self,
        *,
        limits: ContainerLimits | None = None,
        image: Callable[[str], str] = image_tag,
        timeout: float = 60.0,
        engine: DockerEngine | None = None,
    ) -> None:
        self.limits, self.image, self.timeout = limits or ContainerLimits(), image, timeout
        self._engine = engine

    @property
    def engine(self) -> DockerEngine:
        if self._engine is None:
            raise ContainerError("the provider is not open: use `async with DockerProvider()`")
        return self._engine

    async def __aenter__(self) -> DockerProvider:
        if self._engine is None:
            self._engine = await anyio.to_thread.run_sync(DockerEngine.connect)
        removed = await anyio.to_thread.run_sync(sweep_leaked, self._engine)
        if removed:
            logger.warning("removed %d leaked openenv-mcp container(s): %s", len(removed), ", ".join(removed))
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(sweep_owned, self.engine)

    @asynccontextmanager
    async def session(
        self,
        env: str,
        *,
        transport: Transport = "stdio",
        serve_args: Sequence[str] = (),
        limits: ContainerLimits | None = None,
    ) -> AsyncGenerator[ContainerSession]:
        """A started, connected container of `env`; removed when the block ends."""
        limits = limits or self.limits
        name = f"openenv-mcp-{env.replace('_', '-')}-{secrets.token_hex(4)}"
        if env in _WITHOUT_NAMESPACES:
            logger.info(
                "%s runs its code with --sandbox process inside container %s: seccomp, Landlock, rlimits "
                "and a non-root uid, with the container (no network, read-only root, no capabilities, "
                "limits) in place of namespaces and cgroups",
                env,
                name,
            )
        async with AsyncExitStack() as stack:
            stack.push_async_callback(self._remove, name)
            if transport == "stdio":
                client, url = await self._stdio(stack, env, name, serve_args, limits), None
            else:
                client, url = await self._http(stack, env, name, serve_args, limits)
            yield ContainerSession(env, name, transport, client, self.engine, limits.memory_bytes, url)

    async def _remove(self, name: str) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self.engine.remove, name)

    def _labels(self) -> list[str]:
        return ["--label", f"{LABEL}=1", "--label", f"{OWNER_LABEL}={owner()}"]

    async def _stdio(
        self, stack: AsyncExitStack, env: str, name: str, serve_args: Sequence[str], limits: ContainerLimits
    ) -> mcp.Client:
        docker = shutil.which("docker")
        if docker is None:
            raise DockerUnavailableError("the docker command is needed for stdio containers: install docker")
        # No --rm: an exited container stays inspectable (was it killed for memory?) until _remove.
        args = ["run", "-i", "--name", name, *self._labels(), "--network", "none", *limits.run_flags()]
        command = ["--transport", "stdio", *serve_args] if serve_args else []
        environ = {key: os.environ[key] for key in _CLIENT_ENV if key in os.environ}
        params = StdioServerParameters(command=docker, args=[*args, self.image(env), *command], env=environ)
        try:
            return await stack.enter_async_context(mcp.Client(params, read_timeout_seconds=self.timeout))
        except Exception as exc:
            state = await anyio.to_thread.run_sync(self.engine.state, name)
            logs = await anyio.to_thread.run_sync(self.engine.logs, name)
            raise ContainerError(
                f"{env} container did not answer MCP over stdio: "
                + describe_exit(name, state, limits.memory_bytes, logs)
            ) from exc

    async def _http(
        self, stack: AsyncExitStack, env: str, name: str, serve_args: Sequence[str], limits: ContainerLimits
    ) -> tuple[mcp.Client, str]:
        engine = self.engine
        await anyio.to_thread.run_sync(lambda: engine.ensure_network(HTTP_NETWORK, _HTTP_NETWORK_OPTIONS))
        command = ["--transport", "http", "--host", "0.0.0.0", "--port", "8000", *serve_args]
        await anyio.to_thread.run_sync(
            lambda: engine.run(
                self.image(env),
                command,
                name=name,
                limits=limits,
                labels={LABEL: "1", OWNER_LABEL: owner()},
                ports={"8000/tcp": ("127.0.0.1", None)},
                network=HTTP_NETWORK,
            )
        )
        base = await self._wait_healthy(name, limits)
        url = f"{base}/envs/{env}/mcp"
        return await stack.enter_async_context(mcp.Client(url, read_timeout_seconds=self.timeout)), url

    async def _wait_healthy(self, name: str, limits: ContainerLimits) -> str:
        """Poll /healthz with a doubling pause, until it answers or the deadline passes."""
        deadline = anyio.current_time() + self.timeout
        pause = 0.01
        async with httpx2.AsyncClient(timeout=2.0) as http:
            while True:
                state = await anyio.to_thread.run_sync(self.engine.state, name)
                if state is None or not state.running:
                    logs = await anyio.to_thread.run_sync(self.engine.logs, name)
                    raise ContainerError(describe_exit(name, state, limits.memory_bytes, logs))
                if state.host_port is not None:
                    base = f"http://127.0.0.1:{state.host_port}"
                    try:
                        if (await http.get(f"{base}/healthz")).status_code == 200:
                            return base
                    except httpx2.TransportError:
                        pass
                left = deadline - anyio.current_time()
                if left <= 0:
                    raise ContainerError(f"container {name} was not healthy within {self.timeout:g}s")
                await anyio.sleep(min(pause, left))
                pause = min(pause * 2, 0.25)
