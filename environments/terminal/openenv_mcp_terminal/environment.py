"""The terminal environment: a sandboxed /workspace, a shell, file tools, and a task to verify.

Each episode draws a task (or takes `options.task`), writes its setup files into a fresh
sandbox's workspace, and shows the statement. The agent works with `run_command` and the
file tools, then calls `check()`: reward 1.0 and the episode ends when the verifier
passes; otherwise reward 0 and a hint, and the episode goes on until `max_steps`.

Every check runs its verifier in a sandbox of its own, started fresh from a copy of the
workspace (snapshot.py) and closed afterwards. It shares no process, /tmp, /dev/shm or
namespace with the agent's sandbox (nor anything else a sandbox keeps for itself), so
nothing the agent ran, patched or left behind, a ptrace-patched worker included, can take
part in the judging.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, ClassVar

import anyio
import anyio.to_thread
from pydantic import Field, field_validator

from openenv_mcp import ToolCallAction, tool
from openenv_mcp.environment import CodeActEnvironment, CodeActOptions
from openenv_mcp.environment.views import View
from openenv_mcp.errors import ActionError
from openenv_mcp.sandbox import Sandbox, SandboxLimits
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_terminal.commands import CommandResult, run_in_sandbox
from openenv_mcp_terminal.files import DirListing, Workspace
from openenv_mcp_terminal.observations import CheckResult, TaskView
from openenv_mcp_terminal.snapshot import copy_workspace
from openenv_mcp_terminal.tasks import TASKS, CheckContext, Task, TaskInstance, Verdict
from openenv_mcp_terminal.tasks.harbor import HarborTask, harbor_task
from openenv_mcp_terminal.transcript import transcript

__all__ = ["TerminalEnvironment", "TerminalOptions"]

_CHECK_TIMEOUT = 10.0


class TerminalOptions(CodeActOptions):
    """Options of a terminal episode (and the sandbox limits every CodeAct episode takes)."""

    task: str | HarborTask | None = Field(
        default=None,
        description=f"The task id, one of: {', '.join(TASKS)}; or a Harbor task (a taskset's row, "
        "from openenv_mcp.tasks.load of a Harbor folder). Default: drawn with the seed.",
    )

    @field_validator("task")
    @classmethod
    def _known_task(cls, value: str | HarborTask | None) -> str | HarborTask | None:
        if isinstance(value, str) and value not in TASKS:
            raise ValueError(f"unknown task {value!r}; the tasks are: {', '.join(TASKS)}")
        return value


class TerminalEnvironment(CodeActEnvironment):
    """Coding and operations tasks in a sandboxed workspace, worked through a shell and file tools."""

    name = "terminal"
    description = (
        "A sandboxed Linux workspace (/workspace, no network) with a task to solve through run_command and "
        "the file tools; check() verifies it: reward 1 and the episode ends when it passes."
    )
    options_model = TerminalOptions
    default_max_steps = 30
    sandbox_limits = SandboxLimits(wall_seconds=30)
    tools_in_code = frozenset({"read_file", "write_file", "list_dir"})
    sandbox_warmup = "import base64, json, os, signal, subprocess, tempfile, time"

    def __init__(self, provider: SandboxProvider | None = None) -> None:
        super().__init__(provider)
        self.task: Task | None = None
        self.instance: TaskInstance | None = None
        self.solved = False
        self._oracle_commands = 0
        self.checks = 0

    async def on_reset(self, options: TerminalOptions) -> TaskView:
        if isinstance(options.task, HarborTask):
            self.task = harbor_task(options.task)
        else:
            self.task = TASKS[options.task] if options.task else self.rng.choice(list(TASKS.values()))
        self.instance = self.task.generate(self.rng)
        self.solved, self.checks, self._oracle_commands = False, 0, 0
        workspace = self.workspace
        for path, content in self.instance.files.items():
            workspace.write_text(path, content, executable=path in self.instance.executable)
        return TaskView(
            task=self.task.id,
            title=self.task.title,
            statement=self.instance.statement,
            files=sorted(self.instance.files),
            max_steps=self.max_steps or 0,
        )

    @property
    def workspace(self) -> Workspace:
        """The episode's workspace on the host."""
        if self.sandbox is None:
            raise ActionError("the episode has no sandbox; call reset first")
        return Workspace(self.sandbox.workspace)

    @tool(destructive=True)
    async def run_command(
        self,
        command: Annotated[str, Field(min_length=1)],
        timeout: Annotated[float, Field(gt=0, le=3600)] = 10,  # noqa: ASYNC109 (the command's, not ours)
    ) -> CommandResult:
        """Run a shell command with /bin/sh -c in /workspace, inside the sandbox (no network).

        Background processes are killed when the command returns.

        Args:
            command: The command line, e.g. "ls -la" or "grep -rn TODO . | head".
            timeout: Seconds before the command is killed; capped a little below the sandbox's wall limit.
        """
        return await self._run(command, timeout)

    @tool(read_only=True, idempotent=True)
    def read_file(self, path: str) -> str:
        """Read a text file of the workspace (cut at 100,000 bytes).

        Args:
            path: Relative to /workspace, or absolute under /workspace/.
        """
        return self.workspace.read_text(path)

    @tool(destructive=True, idempotent=True)
    def write_file(self, path: str, content: str) -> str:
        """Write a text file in the workspace, creating its directories; an existing file is replaced.

        Args:
            path: Relative to /workspace, or absolute under /workspace/.
            content: The whole new content (at most 1,000,000 bytes).
        """
        written = self.workspace.write_text(path, content)
        return f"wrote {written} bytes to {self.workspace.relative(path)}"

    @tool(read_only=True, idempotent=True)
    def list_dir(self, path: str = ".") -> DirListing:
        """List a workspace directory: directories end in /, symbolic links in @, files show their size.

        Args:
            path: Relative to /workspace, or absolute under /workspace/; default the workspace itself.
        """
        return self.workspace.listing(path)

    @tool
    async def check(self) -> CheckResult:
        """Verify the task: reward 1 and the episode ends when it is done; otherwise a hint, and go on.

        The check runs on a copy of /workspace in a fresh sandbox of its own: processes, /tmp and
        anything else outside /workspace play no part.
        """
        if self.instance is None:
            raise ActionError("no task; call reset first")
        verdict = await self._verify(self.instance)
        self.checks += 1
        if verdict.passed:
            self.solved = True
            self.add_reward(1.0)
            self.end_episode(reason="task solved")
        return CheckResult(passed=verdict.passed, message=verdict.message, checks=self.checks)

    @classmethod
    def tasks(cls) -> dict[str, str]:
        """Every task, id to title (for prompts and completion)."""
        return {task.id: task.title for task in TASKS.values()}

    def state_extra(self) -> dict[str, Any]:
        return {
            "task": self.task.id if self.task else None,
            "solved": self.solved,
            "checks": self.checks,
            "max_steps": self.max_steps,
        }

    # -- for the validator (`openenv-mcp validate`): privileged, never shown to the agent ----------

    floor_margin: ClassVar[float] = 0.5
    """How far below the oracle's total a no-op or random policy must stay (openenv.yaml's)."""

    def oracle_action(self) -> ToolCallAction | None:
        """Run the task's reference solution, command by command, then check; None once checked."""
        if self.instance is None or self.terminated or self.truncated or self.checks:
            return None
        done = self._oracle_commands
        if done < len(self.instance.solution):
            self._oracle_commands += 1
            return ToolCallAction(
                tool_name="run_command", parameters={"command": self.instance.solution[done]}
            )
        return ToolCallAction(tool_name="check", parameters={})

    def reward_range(self) -> tuple[float, float]:
        """An episode's total reward: 1 for the solved task."""
        return (0.0, 1.0)

    def hidden_answers(self) -> list[str]:
        """The reference solution's longer commands: no observation may show them."""
        if self.instance is None:
            return []
        return [command for command in self.instance.solution if len(command) >= 12]

    def render_view(self) -> View:
        """The commands run and what they printed, as a terminal shows them (the episode's view resource)."""
        return transcript(self.history, self.observations)

    def example_actions(self) -> list[ToolCallAction]:
        """Look around: list the workspace, ``ls -R``, and read the first setup file."""
        actions = [
            ToolCallAction(tool_name="list_dir", parameters={"path": "."}),
            ToolCallAction(tool_name="run_command", parameters={"command": "ls -R"}),
        ]
        if self.instance is not None:
            first = sorted(self.instance.files)[0]
            actions.append(ToolCallAction(tool_name="read_file", parameters={"path": first}))
        return actions

    async def _run(self, command: str, seconds: float, sandbox: Sandbox | None = None) -> CommandResult:
        """Run `command` in the agent's sandbox, or in `sandbox` (a grader's)."""
        sandbox = sandbox or self.sandbox
        if sandbox is None:
            raise ActionError("the episode has no sandbox; call reset first")
        wall = self.limits.wall_seconds
        capped = min(seconds, max(wall - min(1.0, wall / 4), 0.1))
        return await run_in_sandbox(
            sandbox, command, seconds=capped, wall_seconds=wall, output_bytes=self.limits.output_bytes
        )

    async def _verify(self, instance: TaskInstance) -> Verdict:
        """Judge a copy of the workspace in a fresh sandbox, closed before the verdict is returned."""
        source = self.workspace.root
        assert self.sandbox_provider is not None  # set by begin_episode along with the sandbox
        grader = await self.sandbox_provider.acquire(self.limits)
        try:
            try:
                await anyio.to_thread.run_sync(copy_workspace, source, grader.workspace)
            except ActionError as exc:
                return Verdict(False, str(exc))
            run = partial(self._run, seconds=_CHECK_TIMEOUT, sandbox=grader)
            return await instance.verify(CheckContext(Workspace(grader.workspace), run))
        finally:
            with anyio.CancelScope(shield=True):
                await grader.close()
