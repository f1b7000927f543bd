"""Recording episodes: a `Recording` hands a `Recorder` to each episode it records.

With a folder, every line goes to that episode's JSON Lines file as it happens (memory holds
none of it). Without one, a trajectory is kept in memory up to `memory_steps` steps and then
spills to a temporary file: a long episode never grows memory past that.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from openenv_mcp.errors import TrajectoryError
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction
from openenv_mcp.spec.wire import observation_text
from openenv_mcp.trajectories.model import Start, StepEntry, Trajectory, jsonable

__all__ = ["Recorder", "Recording", "read_trajectory"]


class Recorder:
    """The trajectory of one episode (from one reset to the next), being written."""

    def __init__(self, start: Start, path: Path | None, memory_steps: int) -> None:
        self.start = start
        self.path = path
        self._memory_steps = memory_steps
        self._lines: list[str] = []
        self._file: IO[str] | None = None
        self._pending: dict[str, Any] = {}
        self.steps = 0
        self._write(start.model_dump_json())

    def model(
        self,
        messages: Sequence[dict[str, Any]] | None = None,
        token_ids: Sequence[int] | None = None,
        logprobs: Sequence[float] | None = None,
    ) -> None:
        """What the model said before the next step (its messages, tokens, logprobs)."""
        if messages is not None:
            self._pending["messages"] = [jsonable(m) for m in messages]
        if token_ids is not None:
            self._pending["token_ids"] = [int(t) for t in token_ids]
        if logprobs is not None:
            self._pending["logprobs"] = [float(p) for p in logprobs]

    def step(
        self, action: ToolCallAction | CodeAction | dict[str, Any], result: StepResult, seconds: float
    ) -> None:
        """Record one step (`action` a plain mapping where no action could be read from the model)."""
        self.steps += 1
        structured = getattr(result, "structured", None)
        dumped = action if isinstance(action, dict) else action.model_dump(mode="json", exclude_none=True)
        entry = StepEntry(
            step=self.steps,
            action=jsonable(dumped),
            tool_call_id=action.tool_call_id if isinstance(action, ToolCallAction) else None,
            observation=observation_text(result.observation),
            structured=jsonable(structured if structured is not None else _structured(result.observation)),
            reward=result.reward,
            terminated=result.terminated,
            truncated=result.truncated,
            error_kind=result.error_kind,
            seconds=seconds,
            info=jsonable(result.info),
            **self._pending,
        )
        self._pending = {}
        self._write(entry.model_dump_json())

    def trajectory(self) -> Trajectory:
        """Everything recorded so far, read back (from disk where it spilled)."""
        if self._file is None:
            return _parse(self._lines, "memory")
        self._file.flush()
        assert self.path is not None
        return read_trajectory(self.path)

    def close(self) -> None:
        if self._file is not None and not self._file.closed:
            self._file.close()

    def _write(self, line: str) -> None:
        if self._file is None and (self.path is not None or len(self._lines) >= self._memory_steps + 1):
            self._spill()
        if self._file is None:
            self._lines.append(line)
        else:
            self._file.write(line + "\n")
            self._file.flush()

    def _spill(self) -> None:
        if self.path is None:
            handle, name = tempfile.mkstemp(prefix="trajectory-", suffix=".jsonl")
            self.path = Path(name)
            self._file = open(handle, "w", encoding="utf-8")  # noqa: SIM115 (kept open across steps)
        else:
            self._file = self.path.open("w", encoding="utf-8")
        for line in self._lines:
            self._file.write(line + "\n")
        self._lines = []


class Recording:
    """Where an episode's trajectories go: `directory` (a file each), or memory that spills."""

    def __init__(self, directory: Path | str | None = None, *, memory_steps: int = 1000) -> None:
        self.directory = Path(directory) if directory is not None else None
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
        self.memory_steps = memory_steps
        self.recorders: list[Recorder] = []
        self._count = 0

    def begin(
        self,
        env: str,
        episode_id: str | None,
        seed: int | None,
        options: dict[str, Any] | None,
        first: ResetResult | StepResult,
        recorded_by: str = "server",
    ) -> Recorder:
        """A recorder for the episode that `first` (its reset's result) just started."""
        structured = getattr(first, "structured", None)
        start = Start.model_validate(
            {
                "env": env,
                "episode_id": episode_id,
                "seed": seed,
                "options": jsonable(options or {}),
                "observation": observation_text(first.observation),
                "structured": jsonable(
                    structured if structured is not None else _structured(first.observation)
                ),
                "info": jsonable(first.info),
                "recorded_by": recorded_by,
            }
        )
        path = None
        if self.directory is not None:
            stamp = time.strftime("%Y%m%dT%H%M%S")
            path = self.directory / f"{env}-{stamp}-{episode_id or 'local'}-{self._count}.jsonl"
        recorder = Recorder(start, path, self.memory_steps)
        if path is None:  # a folder's recorders are its files: a long-running server keeps none
            self.recorders.append(recorder)
        self._count += 1
        return recorder

    def trajectories(self) -> list[Trajectory]:
        """Every trajectory recorded so far: the folder's files (by name), or those in memory."""
        if self.directory is not None:
            return [read_trajectory(path) for path in sorted(self.directory.glob("*.jsonl"))]
        return [recorder.trajectory() for recorder in self.recorders]

    def close(self) -> None:
        for recorder in self.recorders:
            recorder.close()


def _structured(observation: Any) -> Any:
    return observation if not isinstance(observation, str) else None


def read_trajectory(path: Path | str) -> Trajectory:
    """A trajectory from its JSON Lines file; a malformed one is a `TrajectoryError` naming the line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TrajectoryError(f"cannot read the trajectory {path}: {exc.strerror}") from exc
    return _parse(lines, str(path))


def _parse(lines: Sequence[str], where: str) -> Trajectory:
    if not lines:
        raise TrajectoryError(f"{where}: an empty trajectory (no start line)")
    try:
        start = Start.model_validate_json(lines[0])
    except ValueError as exc:
        raise TrajectoryError(f"{where}: line 1 is not a trajectory's start: {exc}") from exc
    steps: list[StepEntry] = []
    for number, line in enumerate(lines[1:], start=2):
        try:
            steps.append(StepEntry.model_validate(json.loads(line)))
        except ValueError as exc:
            raise TrajectoryError(f"{where}: line {number} is not a step: {exc}") from exc
    return Trajectory(start=start, steps=steps)
