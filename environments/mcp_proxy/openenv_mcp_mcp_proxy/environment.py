"""The proxy environment: a child MCP server's tools as inner tools, every call one step.

The tools come from the child at runtime (`list_tools`), so one class serves every
configuration: `McpProxyEnvironment(config)` is one episode's environment, and
`McpProxyEnvironment.factory(config)` makes environments that share one listing, reward hook
and (unless `per_episode`) one child, as a server's episodes should. `McpProxyEnvironment()`
is the default configuration: the file named by $OPENENV_MCP_PROXY_CONFIG, else the toolbox
shipped in this package (`toolbox.py`, run by this interpreter: an installed package needs no
Node.js).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openenv_mcp import Environment
from openenv_mcp.environment import InnerTool
from openenv_mcp.environment.tools import ForwardedTool
from openenv_mcp.errors import ActionError
from openenv_mcp.spec import ToolCallAction, ToolDefinition
from openenv_mcp_mcp_proxy.child import ChildConnection
from openenv_mcp_mcp_proxy.config import CONFIG_VARIABLE, NODE_DIR_VARIABLE, ProxyConfig
from openenv_mcp_mcp_proxy.errors import ChildCallError, ChildStartError
from openenv_mcp_mcp_proxy.observation import ChildResult
from openenv_mcp_mcp_proxy.runtime import ProxyRuntime, default_runtime

__all__ = ["McpProxyEnvironment", "ProxyFactory"]

logger = logging.getLogger(__name__)


class McpProxyEnvironment(Environment):
    """Any MCP server's tools behind the environment boundary: counted, filtered, rewarded."""

    name = "mcp_proxy"
    description = "An MCP server's tools as an environment: each call is a step, rewarded by a hook."
    config_variables = (CONFIG_VARIABLE, NODE_DIR_VARIABLE)

    def __init__(self, config: ProxyConfig | ProxyRuntime | None = None) -> None:
        """An environment for `config` (a runtime shares what other episodes listed); None: the default."""
        super().__init__()
        if config is None:
            self.proxy = default_runtime()
        else:
            self.proxy = config if isinstance(config, ProxyRuntime) else ProxyRuntime(config)
        self.child: ChildConnection | None = None
        self.workspace: Path | None = None
        self._holds_shared = False

    @classmethod
    def factory(cls, config: ProxyConfig) -> ProxyFactory:
        """Environments for `config` that share one listing, reward hook and shared child (a server's).

        Serve them with `EnvServer(McpProxyEnvironment, factory=McpProxyEnvironment.factory(config))`.
        """
        return ProxyFactory(ProxyRuntime(config))

    def about(self) -> str:
        config = self.proxy.config
        return config.description if config is not None and config.description else self.description

    async def list_tools(self) -> Iterable[InnerTool]:
        """The child's tools, namespaced, filtered and masked (listed once per runtime)."""
        return (await self.proxy.list_tools()).values()

    # -- the episode -----------------------------------------------------------------------

    async def begin_episode(self, options: None) -> None:
        config = self._config()
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

    async def on_reset(self, options: None) -> str:
        config = self._config()
        names = ", ".join(self.inner_tools) or "(none)"
        return f"Connected to the MCP server {config.name!r}. Its tools: {names}. Each tool call is one step."

    async def call_tool(self, action: ToolCallAction) -> Any:
        spec = self.inner_tools.get(action.tool_name)
        if not isinstance(spec, ForwardedTool):
            return await super().call_tool(action)
        problems = spec.check.problems(action.parameters)
        if problems:
            said = self.proxy.redactor.text("; ".join(problems))  # it may quote the child's schema
            raise ActionError(f"invalid arguments for tool {spec.name!r}: {said}")
        return await self.forward_call(spec, dict(action.parameters))

    async def forward_call(self, tool: ForwardedTool, arguments: dict[str, Any]) -> ChildResult:
        if self.child is None:
            raise ActionError("no episode is running: call reset first")
        try:
            answer = await self.child.call(tool.target, arguments)
        except ChildStartError as exc:
            raise ChildCallError(str(exc)) from None
        result = ChildResult.from_mcp(answer, self.proxy.redactor)
        if result.is_error:
            raise ActionError(result.to_text() or f"the child tool {tool.name!r} failed")
        if self.proxy.reward is not None:
            self.add_reward(float(self.proxy.reward(tool.target, arguments, result)))
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


@dataclass(frozen=True)
class ProxyFactory:
    """Makes the environments of one configuration, all sharing its `runtime`."""

    runtime: ProxyRuntime

    def __call__(self) -> McpProxyEnvironment:
        return McpProxyEnvironment(self.runtime)

    async def definitions(self) -> dict[str, ToolDefinition]:
        """The child's tools' definitions by name (listing them now, unless listed before)."""
        return {name: tool.definition for name, tool in (await self.runtime.list_tools()).items()}
