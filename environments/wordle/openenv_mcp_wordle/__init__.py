"""Wordle: guess a secret 5-letter word from green/yellow/gray letter feedback."""

from openenv_mcp_wordle.environment import WordleEnvironment, WordleOptions
from openenv_mcp_wordle.feedback import Mark, score
from openenv_mcp_wordle.knowledge import Knowledge
from openenv_mcp_wordle.observations import GuessResult, Keyboard, Row
from openenv_mcp_wordle.words import WORD_LENGTH, allowed, answers

__all__ = [
    "WORD_LENGTH",
    "GuessResult",
    "Keyboard",
    "Knowledge",
    "Mark",
    "Row",
    "WordleEnvironment",
    "WordleOptions",
    "allowed",
    "answers",
    "score",
]
