"""A Wordle-like word game (placeholder until the environment lands)."""

from openenv_mcp import Environment, tool

__all__ = ["WordleEnvironment"]


class WordleEnvironment(Environment):
    """Placeholder."""

    name = "wordle"
    description = "Guess the secret word (being built)."

    @tool
    def guess(self, word: str) -> str:
        """Guess a word."""
        return word
