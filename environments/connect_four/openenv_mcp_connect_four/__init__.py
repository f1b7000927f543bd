"""Connect Four against a built-in opponent (placeholder until the environment lands)."""

from openenv_mcp import Environment, tool

__all__ = ["ConnectFourEnvironment"]


class ConnectFourEnvironment(Environment):
    """Placeholder."""

    name = "connect_four"
    description = "Connect Four (being built)."

    @tool
    def view_board(self) -> str:
        """Show the board."""
        return ""
