"""Trajectories out: JSON Lines of steps, a `datasets` dataset (and parquet), chat transcripts.

- `step_rows`: one flat row per step (nested values as JSON text, so every row has one
  column type); `to_jsonl` and `to_dataset` / `to_parquet` write them.
- `to_messages`: an episode as OpenAI chat messages (the briefing as the user's turn, each
  tool call an assistant message with ``tool_calls``, each observation a ``tool`` message),
  ready for SFT; `to_chat_jsonl` writes one ``{"messages": [...]}`` row per episode.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from openenv_mcp.errors import TrajectoryError
from openenv_mcp.tasks.library import datasets
from openenv_mcp.trajectories.model import StepEntry, Trajectory

__all__ = ["chat_rows", "step_rows", "to_chat_jsonl", "to_dataset", "to_jsonl", "to_messages", "to_parquet"]


def step_rows(trajectories: Iterable[Trajectory]) -> list[dict[str, Any]]:
    """One row per step of every trajectory, with the episode's env, seed and options beside it."""
    rows: list[dict[str, Any]] = []
    for index, trajectory in enumerate(trajectories):
        start = trajectory.start
        for step in trajectory.steps:
            rows.append(
                {
                    "trajectory": index,
                    "env": start.env,
                    "episode_id": start.episode_id,
                    "seed": start.seed,
                    "options": json.dumps(start.options),
                    "step": step.step,
                    "action": json.dumps(step.action),
                    "tool_call_id": step.tool_call_id,
                    "observation": step.observation,
                    "structured": json.dumps(step.structured),
                    "reward": step.reward,
                    "terminated": step.terminated,
                    "truncated": step.truncated,
                    "error_kind": step.error_kind,
                    "seconds": step.seconds,
                    "token_ids": step.token_ids,
                    "logprobs": step.logprobs,
                }
            )
    return rows


def to_jsonl(trajectories: Iterable[Trajectory], path: Path | str) -> Path:
    """The step rows as JSON Lines."""
    return _write_lines(step_rows(trajectories), path)


def to_dataset(trajectories: Iterable[Trajectory]) -> Any:
    """The step rows as a `datasets.Dataset` (the ``data`` extra)."""
    rows = step_rows(trajectories)
    if not rows:
        raise TrajectoryError("no steps to export: a dataset needs at least one")
    return datasets(TrajectoryError, "exporting a dataset").Dataset.from_list(rows)


def to_parquet(trajectories: Iterable[Trajectory], path: Path | str) -> Path:
    to_dataset(trajectories).to_parquet(str(path))
    return Path(path)


def to_messages(trajectory: Trajectory, system: str | None = None) -> list[dict[str, Any]]:
    """The episode as OpenAI chat messages with tool calls; code actions become ``python`` calls.

    A step recorded by a client with the model's own messages keeps that assistant message's text.
    """
    messages: list[dict[str, Any]] = [{"role": "system", "content": system}] if system else []
    messages.append({"role": "user", "content": trajectory.start.observation})
    for step in trajectory.steps:
        call_id = step.tool_call_id or f"call_{step.step}"
        messages.append(
            {"role": "assistant", "content": _said(step), "tool_calls": [_tool_call(step, call_id)]}
        )
        messages.append({"role": "tool", "tool_call_id": call_id, "content": step.observation})
    return messages


def chat_rows(trajectories: Iterable[Trajectory], system: str | None = None) -> list[dict[str, Any]]:
    """One ``{"messages": [...], "reward": total}`` row per episode (messages as JSON text)."""
    return [
        {"messages": json.dumps(to_messages(t, system)), "reward": t.total_reward, "env": t.start.env}
        for t in trajectories
    ]


def to_chat_jsonl(trajectories: Iterable[Trajectory], path: Path | str, system: str | None = None) -> Path:
    """Chat transcripts as JSON Lines, messages as real JSON lists (what SFT trainers read)."""
    rows = [{**row, "messages": json.loads(row["messages"])} for row in chat_rows(trajectories, system)]
    return _write_lines(rows, path)


def _tool_call(step: StepEntry, call_id: str) -> dict[str, Any]:
    if step.action.get("type") == "code":
        name, arguments = "python", {"code": step.action.get("code", "")}
    else:
        name, arguments = str(step.action.get("tool_name")), step.action.get("parameters", {})
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments)}}


def _said(step: StepEntry) -> str | None:
    """The text of the model's last assistant message before this step, where it was recorded."""
    for message in reversed(step.messages or []):
        if message.get("role") == "assistant" and isinstance(message.get("content"), str):
            return message["content"]
    return None


def _write_lines(rows: list[dict[str, Any]], path: Path | str) -> Path:
    target = Path(path)
    with target.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return target
