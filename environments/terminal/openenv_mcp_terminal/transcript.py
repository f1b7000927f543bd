"""The episode as a terminal transcript, a text view for people (the playground's view)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openenv_mcp.environment import StepRecord
from openenv_mcp.environment.views import View
from openenv_mcp.spec import CodeAction
from openenv_mcp.spec.wire import observation_text

__all__ = ["transcript"]

_OUTPUT_LIMIT = 4000
"""Characters of one step's output shown; the agent's own observation has the rest."""


def transcript(
    history: Iterable[StepRecord], observations: Iterable[tuple[int, Any]], limit: int = 30
) -> View:
    """The latest `limit` steps: ``$ command`` and its output, ``>>>`` code, or a file tool's call."""
    seen = dict(observations)
    lines: list[str] = []
    for record in list(history)[-limit:]:
        lines.append(_prompt(record))
        output = observation_text(seen.get(record.step, ""))
        lines.append(output if len(output) <= _OUTPUT_LIMIT else output[:_OUTPUT_LIMIT] + "\n[... cut]")
    text = "\n".join(lines) if lines else "(no commands yet)"
    return View.plain(text, title="terminal transcript")


def _prompt(record: StepRecord) -> str:
    action = record.action
    if isinstance(action, CodeAction):
        return ">>> " + action.code.replace("\n", "\n... ")
    if action.tool_name == "run_command":
        return f"$ {action.parameters.get('command', '')}"
    arguments = ", ".join(f"{k}={v!r}" for k, v in action.parameters.items() if k != "content")
    return f"[{action.tool_name}({arguments})]"
