"""An MCP server behind the environment boundary (placeholder until the environment lands)."""

from openenv_mcp import Environment, tool

__all__ = ["McpProxyEnvironment"]


class McpProxyEnvironment(Environment):
    """Placeholder."""

    name = "mcp_proxy"
    description = "Any MCP server's tools as an environment's inner tools (being built)."

    @tool
    def list_child_tools(self) -> str:
        """List the child server's tools."""
        return ""
