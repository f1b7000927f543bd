"""Trajectories: every episode recorded, exported for training, and replayed to check determinism.

- ``Recording(directory=None, memory_steps=1000)``: give it to a server's registry
  (``serve --record DIR``) or to a client (``EnvClient(..., recording=...)``); each reset
  starts a `Recorder`; ``.trajectories()`` reads them back.
- ``Recorder.model(messages=, token_ids=, logprobs=)``: what the model said before the next step.
- ``Trajectory`` (``.start``, ``.steps``, ``.total_reward``), ``read_trajectory(path)``.
- Export: ``to_jsonl``, ``to_dataset``, ``to_parquet`` (one row per step), ``to_messages``,
  ``to_chat_jsonl`` (OpenAI chat messages with tool calls, one episode a row).
- ``await replay(trajectory, env) -> Divergence | None`` (``openenv-mcp replay FILE``).
"""

from openenv_mcp.trajectories.export import (
    chat_rows,
    step_rows,
    to_chat_jsonl,
    to_dataset,
    to_jsonl,
    to_messages,
    to_parquet,
)
from openenv_mcp.trajectories.model import Start, StepEntry, Trajectory
from openenv_mcp.trajectories.recorder import Recorder, Recording, read_trajectory
from openenv_mcp.trajectories.replay import Divergence, replay

__all__ = [
    "Divergence",
    "Recorder",
    "Recording",
    "Start",
    "StepEntry",
    "Trajectory",
    "chat_rows",
    "read_trajectory",
    "replay",
    "step_rows",
    "to_chat_jsonl",
    "to_dataset",
    "to_jsonl",
    "to_messages",
    "to_parquet",
]
