"""The proxy environment: a child MCP server's tools as inner tools, every call one step.

The server lists an environment's tools once, from its class, so each configuration is a
class of its own: `McpProxyEnvironment.configure(config)` (tools listed on first use) or
`await build_proxy_class(config)` (listed now). `McpProxyEnvironment` itself is the default
configuration: the file named by $OPENENV_MCP_PROXY_CONFIG, else the toolbox shipped in this
package (`toolbox.py`, run by this interpreter: an installed package needs no Node.js).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from mcp.types import Tool
from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp import Environment
from openenv_mcp.environment import InnerTool
from openenv_mcp.errors import ActionError
from openenv_mcp.spec import ToolCallAction
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import ProxyConfig, default_config
from openenv_mcp_mcp_proxy.errors import ChildCallError, ChildStartError
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.runtime import ProxyRuntime
from openenv_mcp_mcp_proxy.tools import ChildTool, child_tools, fetch_tools, fetch_tools_blocking

__all__ = ["McpProxyEnvironment", "ProxyOptions", "build_proxy_class"]

logger = logging.getLogger(__name__)


class ProxyOptions(BaseModel):
    """Options of a proxy episode."""

    model_config = ConfigDict(extra="forbid")

    max_steps: int | None = Field(
        default=None, ge=1, description="Truncate the episode after this many calls."
    )


class McpProxyEnvironment(Environment):
    """Any MCP server's tools behind the environment boundary: counted, filtered, rewarded."""

    name = "mcp_proxy"
    description = "An MCP server's tools as an environment: each call is a step, rewarded by a hook."
    options_model = ProxyOptions
    config: ClassVar[ProxyConfig | None] = None
    """The child; None on the default class: `default_config()` decides on first use."""

    @classmethod
    def configure(cls, config: ProxyConfig, tools: list[Tool] | None = None) -> type[McpProxyEnvironment]:
        """A proxy class for `config`; its tools are `tools`, or listed from the child on first use."""
        namespace: dict[str, Any] = {"config": config, "__module__": cls.__module__}
        if config.description:
            namespace["description"] = config.description
        built = type(f"McpProxy_{config.name}", (cls,), namespace)
        if tools is not None:
            built._install(ProxyRuntime(config), tools)
        return built

    @classmethod
    def actions(cls) -> list[Any]:
        cls.runtime()
        return super().actions()

    @classmethod
    def runtime(cls) -> ProxyRuntime:
        """The class's configuration and tools, listed from the child the first time."""
        found: ProxyRuntime | None = cls.__dict__.get("_runtime")
        if found is not None:
            return found
        try:
            config = cls.config or default_config()
            runtime = ProxyRuntime(config)
            cls._install(runtime, fetch_tools_blocking(config))
        except Exception as exc:  # served with no tools; every reset then says why
            logger.warning("mcp_proxy %s has no child server: %s", cls.__qualname__, exc)
            runtime = ProxyRuntime(cls.config, error=str(exc))
            cls._install(runtime, [])
        return runtime

    @classmethod
    def _install(cls, runtime: ProxyRuntime, tools: list[Tool]) -> None:
        config = runtime.config
        found = (
            child_tools(config.name, tools, config.allow, config.deny, runtime.redactor)
            if config is not None and runtime.error is None
            else {}
        )
        inner: dict[str, InnerTool] = dict(found)
        cls.inner_tools = inner
        cls._runtime = runtime  # pyright: ignore[reportAttributeAccessIssue]

    def __init__(self) -> None:
        super().__init__()
        self.proxy = type(self).runtime()
        self.child: ChildConnection | None = None
        self.workspace: Path | None = None
        self._holds_shared = False

    # -- the episode -----------------------------------------------------------------------

    async def begin_episode(self, options: ProxyOptions) -> None:
        config = self._config()
        self.max_steps = options.max_steps
        if config.per_episode:
            await self._release_child()
            if config.workspace:
                self.workspace = Path(tempfile.mkdtemp(prefix="openenv-mcp-ws-"))
                self.step_info["workspace"] = str(self.workspace)
            self.child = ChildConnection(config, self.proxy.redactor, self.workspace)
        elif self.child is None and self.proxy.shared is not None:
            self.child, self._holds_shared = self.proxy.shared.acquire(), True
        if self.child is not None:
            await self.child.ensure_started()

    async def on_reset(self, options: ProxyOptions) -> str:
        config = self._config()
        names = ", ".join(self.inner_tools) or "(none)"
        return f"Connected to the MCP server {config.name!r}. Its tools: {names}. Each tool call is one step."

    async def call_tool(self, action: ToolCallAction) -> Any:
        spec = self.inner_tools.get(action.tool_name)
        if not isinstance(spec, ChildTool):
            return await super().call_tool(action)
        problems = spec.check.problems(action.parameters)
        if problems:
            said = self.proxy.redactor.text("; ".join(problems))  # it may quote the child's schema
            raise ActionError(f"invalid arguments for tool {spec.name!r}: {said}")
        if self.child is None:
            raise ActionError("no episode is running: call reset first")
        try:
            answer = await self.child.call(spec.child_name, dict(action.parameters))
        except ChildStartError as exc:
            raise ChildCallError(str(exc)) from None
        result = ChildResult.from_mcp(answer, self.proxy.redactor)
        if result.is_error:
            raise ActionError(result.to_text() or f"the child tool {spec.name!r} failed")
        if self.proxy.reward is not None:
            self.add_reward(float(self.proxy.reward(spec.child_name, dict(action.parameters), result)))
        return result

    def example_actions(self) -> list[ToolCallAction]:
        """Calls of the default toolbox (or the "everything" server), for the conformance replay."""
        wanted = {
            "toolbox__echo": {"message": "hello"},
            "toolbox__remember": {"key": "plan", "value": "read, then write"},
            "toolbox__recall": {"key": "plan"},
            "everything__echo": {"message": "hello"},
            "everything__get-sum": {"a": 2, "b": 3},
        }
        return [ToolCallAction(tool_name=n, parameters=p) for n, p in wanted.items() if n in self.inner_tools]

    def state_extra(self) -> dict[str, Any]:
        config = self.proxy.config
        return {
            "server": config.name if config else None,
            "per_episode": config.per_episode if config else None,
            "child_alive": self.child is not None and self.child.alive,
            "child_starts": self.child.starts if self.child is not None else 0,
            "workspace": str(self.workspace) if self.workspace else None,
        }

    async def on_close(self) -> None:
        await self._release_child()

    # -- internals ------------------------------------------------------------------------

    def _config(self) -> ProxyConfig:
        if self.proxy.config is None or self.proxy.error is not None:
            raise ChildStartError(f"mcp_proxy cannot reach its child server: {self.proxy.error}")
        return self.proxy.config

    async def _release_child(self) -> None:
        child, self.child = self.child, None
        try:
            if self._holds_shared and self.proxy.shared is not None:
                self._holds_shared = False
                await self.proxy.shared.release()
            elif child is not None:
                await child.stop()
        finally:
            workspace, self.workspace = self.workspace, None
            if workspace is not None:
                shutil.rmtree(workspace, ignore_errors=True)


async def build_proxy_class(config: ProxyConfig) -> type[McpProxyEnvironment]:
    """A proxy class for `config` whose tools were just listed from the child."""
    return McpProxyEnvironment.configure(config, await fetch_tools(config))
