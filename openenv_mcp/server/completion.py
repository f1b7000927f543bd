"""Completion (`completion/complete`): task ids and the choices of enum arguments of prompts.

MCP completes the arguments of prompts and resource templates only (a tool's arguments
cannot be named). A prompt's options are those `reset` and `open_episode` take, so their
choices are completed there: a task id, an enum's values, true or false. A seed and an
episode id are never completed: an episode id is a secret of its owner's.
"""

from __future__ import annotations

from mcp.types import CompleteRequestParams, CompleteResult, Completion, PromptReference

from openenv_mcp.server.prompts import Prompts

__all__ = ["MAX_VALUES", "complete"]

MAX_VALUES = 100
"""The most values one completion returns (MCP's limit)."""


def complete(prompts: Prompts, params: CompleteRequestParams) -> CompleteResult:
    """The values of a prompt argument that start with what was typed (case aside); none for the rest."""
    choices: tuple[str, ...] = ()
    if isinstance(params.ref, PromptReference):
        specs = prompts.arguments.get(params.ref.name, [])
        choices = next((spec.choices for spec in specs if spec.name == params.argument.name), ())
    typed = params.argument.value.lower()
    found = [choice for choice in choices if choice.lower().startswith(typed)]
    shown = found[:MAX_VALUES]
    return CompleteResult(
        completion=Completion(values=shown, total=len(found), has_more=len(found) > len(shown))
    )
