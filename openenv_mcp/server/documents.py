"""The texts an environment's resources serve: its rules, its README, an episode's transcript.

Each is written for one reader: a caller without control (production, or a token with only
the tools scope) reads rules that name only the tools it sees, and a transcript without
rewards. A transcript shows what the agent read (its observations) and nothing else: never
`info`, never `state`.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path
from typing import Any

from openenv_mcp.environment import Environment
from openenv_mcp.episodes import Episode
from openenv_mcp.spec import CodeAction, ToolDefinition
from openenv_mcp.spec.wire import observation_text

__all__ = ["find_readme", "rules_text", "transcript_text"]


def find_readme(env_class: type[Environment]) -> Path | None:
    """The environment's README: in its top package's folder, or in the folder named after it above.

    An environment folder holds its package and README side by side (``environments/wordle/``
    holds ``README.md`` and ``openenv_mcp_wordle/``); a wheel may ship neither.
    """
    package = sys.modules.get(env_class.__module__.split(".")[0])
    location = getattr(package, "__file__", None)
    if location is None:
        return None
    folder = Path(location).parent
    for candidate in (folder / "README.md", folder.parent / "README.md"):
        if candidate.is_file() and (candidate.parent == folder or folder.parent.name == env_class.name):
            return candidate
    return None


def rules_text(env_class: type[Environment], tools: list[ToolDefinition], *, control: bool) -> str:
    """How an episode of `env_class` goes, for a caller that sees `tools`."""
    lines = [f"# {env_class.name}", "", env_class.description or f"The {env_class.name} environment."]
    notes = inspect.getdoc(sys.modules.get(env_class.__module__)) if control else None
    if notes:
        lines += ["", notes]
    lines += ["", "## Episodes", "", _episodes(control)]
    if env_class.default_max_steps is not None:
        lines.append(
            f"An episode is truncated after {env_class.default_max_steps} steps (option `max_steps`)."
        )
    lines += ["", "## Tools", ""] + [f"- `{t.name}`: {_first_line(t.description)}" for t in tools]
    options = env_class.options_schema().get("properties", {})
    if options:
        lines += ["", "## Options", "", "| option | default | meaning |", "|---|---|---|"]
        for name, schema in options.items():
            default = json.dumps(schema.get("default"))
            lines.append(f"| `{name}` | {default} | {_first_line(schema.get('description', ''))} |")
    tasks = env_class.tasks()
    if tasks:
        lines += ["", "## Tasks", "", *(f"- `{task}`: {title}" for task, title in tasks.items())]
    return "\n".join(lines) + "\n"


def _episodes(control: bool) -> str:
    if control:
        return (
            "`reset(seed?, options?)` starts an episode and returns its `episode_id` and first observation. "
            "Every inner tool call (or `step`) is one step of it; `state` says where it stands, and "
            "`close` frees it."
        )
    return (
        "`open_episode(seed?, options?)` starts an episode and returns its `episode_id` and briefing: "
        "pass the id to every tool call that should act in it, and `close_episode` it when done. "
        "A call without an `episode_id` acts in its session's episode, or (stateless) in one of its own."
    )


def transcript_text(episode: Episode, *, control: bool) -> str:
    """The episode so far as the agent read it: the briefing, then each step's action and observation."""
    env = episode.env
    actions = {record.step: record for record in env.history}
    status = "terminated" if env.terminated else "truncated" if env.truncated else "running"
    budget = f" of {env.max_steps}" if env.max_steps is not None else ""
    lines = [f"# {env.name} episode {episode.id}", "", f"Step {env.step_count}{budget}; {status}."]
    if control:
        lines.append(f"Total reward: {env.total_reward:g}.")
    shown = list(env.observations)
    if shown and shown[0][0] > 1:
        lines += ["", f"({shown[0][0] - 1} earlier steps are not kept.)"]
    for step, observation in shown:
        record = actions.get(step)
        if step == 0:
            heading = "## Briefing"
        elif record is None:
            heading = f"## Step {step}"
        else:
            reward = f" (reward {record.reward:g})" if control else ""
            heading = f"## Step {step}: {_action(record.action)}{reward}"
        lines += ["", heading, "", observation_text(observation)]
    return "\n".join(lines) + "\n"


def _action(action: Any) -> str:
    if isinstance(action, CodeAction):
        return f"code\n\n```python\n{action.code}\n```"
    arguments = ", ".join(f"{k}={json.dumps(v, ensure_ascii=False)}" for k, v in action.parameters.items())
    return f"{action.tool_name}({arguments})"


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
