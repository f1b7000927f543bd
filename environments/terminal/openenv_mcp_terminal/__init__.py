"""The terminal workspace environment (placeholder until the environment lands)."""

from openenv_mcp.environment import CodeActEnvironment, tool

__all__ = ["TerminalEnvironment"]


class TerminalEnvironment(CodeActEnvironment):
    """Placeholder."""

    name = "terminal"
    description = "Agentic coding and operations tasks in a sandboxed workspace (being built)."
    tools_in_code = frozenset[str]()

    @tool
    async def run_command(self, command: str) -> str:
        """Run a shell command in the sandbox."""
        return command
