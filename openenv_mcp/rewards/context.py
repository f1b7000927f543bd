"""What a reward function from outside sees of an episode: TRL's arguments, built from its steps.

TRL calls a reward function as ``func(prompts=..., completions=..., **columns)``, every
argument a list with one entry per completion (its dataset's columns by their own names).
Here a completion is what the agent produced at a step: the model's text where the client
was given text, else the action (a lone string argument as it is, code as code, any other
call as ``tool(json)``). The extra columns are `CONTEXT_COLUMNS`, then the task's own.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from openenv_mcp.spec import CodeAction, StepResult, ToolCallAction
from openenv_mcp.spec.wire import observation_text
from openenv_mcp_adapters import ParseError

__all__ = ["CONTEXT_COLUMNS", "AgentOutput", "EpisodeContext", "Turn", "completion_text", "task_columns"]

AgentOutput = ToolCallAction | CodeAction | ParseError | str | Mapping[str, Any]
"""What the agent handed a step: an action, model text, a JSON action, or output no parser read."""

CONTEXT_COLUMNS = (
    "prompts",
    "completions",
    "observation",
    "env_reward",
    "env_return",
    "terminated",
    "truncated",
    "step",
    "tool_name",
    "arguments",
    "transcript",
    "options",
)
"""The arguments every reward function gets (each a list, one entry per completion)."""


def completion_text(action: AgentOutput) -> str:
    """The agent's output at a step, as text.

    >>> completion_text(ToolCallAction(tool_name="guess", parameters={"word": "crane"}))
    'crane'
    >>> completion_text(ToolCallAction(tool_name="drop", parameters={"column": 3}))
    'drop({"column": 3})'
    """
    if isinstance(action, str):
        return action
    if isinstance(action, CodeAction):
        return action.code
    if isinstance(action, ParseError):
        return ""
    if isinstance(action, ToolCallAction):
        values = list(action.parameters.values())
        if len(values) == 1 and isinstance(values[0], str):
            return values[0]
        return f"{action.tool_name}({json.dumps(action.parameters, sort_keys=True)})"
    return json.dumps(dict(action), sort_keys=True, default=str)


def task_columns(options: Mapping[str, Any] | None, data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A task's columns for the reward functions: its options, a row given as `task`, its row's data.

    >>> task_columns({"task": {"id": "t", "answer": "42"}, "hard_mode": True}, {"level": 2})
    {'hard_mode': True, 'task': {'id': 't', 'answer': '42'}, 'id': 't', 'answer': '42', 'level': 2}
    """
    columns: dict[str, Any] = {k: v for k, v in (options or {}).items() if k != "task"}
    task: Any = (options or {}).get("task")
    if task is not None:
        columns["task"] = task
    if isinstance(task, Mapping):
        row = cast(Mapping[Any, Any], task)
        columns.update({str(k): v for k, v in row.items()})
    columns.update(data or {})
    return {k: v for k, v in columns.items() if k not in CONTEXT_COLUMNS}


@dataclass
class Turn:
    """One step as the reward functions see it."""

    completion: str
    observation: str
    reward: float
    tool_name: str | None = None
    arguments: dict[str, Any] | None = None


@dataclass
class EpisodeContext:
    """One episode so far: its first observation, its task's columns and its turns."""

    prompt: str = ""
    options: dict[str, Any] = field(default_factory=dict[str, Any])
    columns: dict[str, Any] = field(default_factory=dict[str, Any])
    turns: list[Turn] = field(default_factory=list[Turn])
    earlier_steps: int = 0
    earlier_return: float = 0.0
    """Steps (and their reward) taken before this context saw the episode: an episode another
    front door opened and stepped (Ray), whose earlier turns are not in `turns`."""

    @classmethod
    def joined(cls, steps: int, total_reward: float) -> EpisodeContext:
        """A context for an episode already `steps` steps in (its prompt and earlier turns unseen)."""
        return cls(earlier_steps=steps, earlier_return=total_reward)

    @classmethod
    def start(
        cls, prompt: Any, options: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
    ) -> EpisodeContext:
        return cls(observation_text(prompt), dict(options or {}), task_columns(options, data))

    def add(self, action: AgentOutput, result: StepResult) -> None:
        tool = action.tool_name if isinstance(action, ToolCallAction) else None
        arguments = dict(action.parameters) if isinstance(action, ToolCallAction) else None
        text = observation_text(result.observation)
        self.turns.append(Turn(completion_text(action), text, result.reward, tool, arguments))

    def transcript(self) -> str:
        """The episode as text: the prompt, then each completion and what the environment answered."""
        parts = [f"[environment]\n{self.prompt}"]
        for turn in self.turns:
            parts += [f"[agent]\n{turn.completion}", f"[environment]\n{turn.observation}"]
        return "\n\n".join(parts)

    def row(self, result: StepResult) -> dict[str, Any]:
        """This step's values of every column (one completion's row of TRL's arguments)."""
        last = self.turns[-1] if self.turns else Turn("", observation_text(result.observation), 0.0)
        return {
            **self.columns,
            "prompts": self.prompt,
            "completions": last.completion,
            "observation": last.observation,
            "env_reward": result.reward,
            "env_return": self.earlier_return + sum(turn.reward for turn in self.turns),
            "terminated": result.terminated,
            "truncated": result.truncated,
            "step": self.earlier_steps + len(self.turns),
            "tool_name": last.tool_name,
            "arguments": last.arguments,
            "transcript": self.transcript(),
            "options": self.options,
        }
