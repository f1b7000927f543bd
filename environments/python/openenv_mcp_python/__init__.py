"""The python coding environment (placeholder until the environment lands)."""

from openenv_mcp.environment import CodeActEnvironment, tool

__all__ = ["PythonEnvironment"]


class PythonEnvironment(CodeActEnvironment):
    """Placeholder."""

    name = "python"
    description = "Solve small programming tasks in a sandboxed Python (being built)."
    tools_in_code = frozenset[str]()

    @tool
    async def run_python(self, code: str) -> str:
        """Run Python code in the sandbox."""
        return (await self.run_code(code)).to_text()
