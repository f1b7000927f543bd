"""Python: write a function in a sandboxed workspace until it passes hidden unit tests.

The agent edits `/workspace/solution.py` with file tools, tries code in its own persistent
sandboxed interpreter with `run_python`, and calls `submit()` to be graded. Grading runs
the hidden tests in a second, fresh sandbox; the reward is the fraction passed, paid as
improvement on the best submission so far, and the episode ends when all pass.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import Field, field_validator

from openenv_mcp import ToolCallAction, tool
from openenv_mcp.environment import CodeActEnvironment, CodeActOptions, CodeObservation
from openenv_mcp.environment.views import View
from openenv_mcp.errors import ActionError
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_python.files_view import files_view
from openenv_mcp_python.grading import grade
from openenv_mcp_python.observations import Briefing, SubmissionReport
from openenv_mcp_python.tasks import SOLUTION_FILE, Task, load_tasks, task_ids
from openenv_mcp_python.workspace import Workspace

__all__ = ["PythonEnvironment", "PythonOptions"]

REFERENCE_SOLUTIONS = Path(__file__).resolve().parents[1] / "tests" / "solutions"
"""One reference solution per task (in a checkout of the repository), for the validator's oracle."""

_IMPORTABLE = "import sys as _sys\nif {0!r} not in _sys.path:\n    _sys.path.insert(0, {0!r})\ndel _sys"


class PythonOptions(CodeActOptions):
    """Options of a python episode (and `sandbox` limits, from CodeAct)."""

    task: Annotated[
        str | Task | None,
        Field(
            description=f"The task's id, one of: {', '.join(task_ids())}; or a whole task (a taskset's "
            "row: id, title, function, signature, statement, starter, tests); default: drawn from the seed."
        ),
    ] = None

    @field_validator("task")
    @classmethod
    def _known(cls, value: str | Task | None) -> str | Task | None:
        if isinstance(value, str) and value not in load_tasks():
            raise ValueError(f"unknown task {value!r}; the tasks are: {', '.join(task_ids())}")
        return value


class PythonEnvironment(CodeActEnvironment):
    """Small programming tasks graded by hidden unit tests run in an isolated sandbox."""

    name = "python"
    description = (
        "Write a Python function in /workspace/solution.py and submit() it to hidden unit tests. "
        "Tools: write_file, read_file, list_files, run_python (a persistent sandboxed interpreter), "
        "submit. Reward: the fraction of hidden tests passed (paid as improvement on your best)."
    )
    options_model = PythonOptions
    default_max_steps = 20
    tools_in_code = frozenset({"read_file", "write_file", "list_files"})

    def __init__(self, provider: SandboxProvider | None = None) -> None:
        super().__init__(provider)
        self.task: Task = load_tasks()[task_ids()[0]]
        self.best = 0.0
        self.last_report: SubmissionReport | None = None
        self.submissions = 0

    async def on_reset(self, options: PythonOptions) -> Briefing:
        chosen = options.task or self.rng.choice(task_ids())
        self.task = chosen if isinstance(chosen, Task) else load_tasks()[chosen]
        self.best, self.last_report, self.submissions = 0.0, None, 0
        self._workspace().write_text(SOLUTION_FILE, self.task.starter)
        return Briefing(
            task=self.task.id,
            title=self.task.title,
            statement=self.task.statement,
            signature=self.task.signature,
            hidden_tests=len(self.task.tests),
            max_steps=self.max_steps or 0,
        )

    async def run_code(self, code: str) -> CodeObservation:
        """Run code with /workspace importable, as `import solution` is the natural first test."""
        if self.sandbox is not None:
            # The worker runs `python -I`, so its folder is not on sys.path; a replaced worker
            # (after a wall-clock kill) starts without it again, hence before every run.
            importable = _IMPORTABLE.format(self.sandbox.code_workspace)
            await self.sandbox.execute(importable, wall_seconds=self.limits.wall_seconds)
        return await super().run_code(code)

    @tool
    async def run_python(self, code: str) -> CodeObservation:
        """Run Python code in your persistent sandboxed interpreter (variables survive between calls).

        The value of a last expression is shown, like in a notebook. `/workspace` is the current
        folder and is importable (`import solution`; after changing the file, use
        `importlib.reload`); `read_file`, `write_file` and `list_files` are functions in the code too.

        Args:
            code: The Python source to run.
        """
        return await self.run_code(code)

    @tool(read_only=True, idempotent=True)
    def read_file(self, path: str) -> str:
        """Read a UTF-8 text file of the workspace (at most 256 KiB).

        Args:
            path: A path relative to /workspace, or an absolute path under /workspace.
        """
        return self._workspace().read_text(path)

    @tool(idempotent=True)
    def write_file(self, path: str, content: str) -> str:
        """Write a text file in the workspace, replacing it and creating folders (at most 1 MiB).

        Args:
            path: A path relative to /workspace, or an absolute path under /workspace.
            content: The file's new text.
        """
        size = self._workspace().write_text(path, content)
        return f"wrote {size} bytes to {path}"

    @tool(read_only=True, idempotent=True)
    def list_files(self, path: str = ".") -> list[str]:
        """List a folder of the workspace: folders end in '/', symlinks in '@'.

        Args:
            path: A folder relative to /workspace, or an absolute path under /workspace.
        """
        return self._workspace().listing(path)

    @tool
    async def submit(self) -> SubmissionReport:
        """Grade /workspace/solution.py against the hidden tests, in a sandbox of their own.

        The reward is the fraction passed, paid as improvement on your best submission so far;
        all passed ends the episode.
        """
        solution = self._workspace().read_text(SOLUTION_FILE)
        assert self.sandbox_provider is not None  # set by begin_episode along with the sandbox
        # The report must fit the output cap even when the episode lowered it for its own sandbox.
        limits = self.limits.model_copy(update={"output_bytes": self.sandbox_limits.output_bytes})
        report = await grade(self.sandbox_provider, limits, self.task, solution, self.report_progress)
        await self.report_progress(2, 2, f"submit: {report.passed} of {report.total} hidden tests passed")
        self.submissions += 1
        self.add_reward(max(0.0, report.fraction - self.best))
        self.best = max(self.best, report.fraction)
        report.best = self.best
        self.last_report = report
        if report.all_passed:
            self.end_episode(reason="all hidden tests passed")
        return report

    # -- for the validator (`openenv-mcp validate`): privileged, never shown to the agent ----------

    floor_margin: ClassVar[float] = 0.5
    """How far below the oracle's total a no-op or random policy must stay (openenv.yaml's)."""

    def oracle_action(self) -> ToolCallAction | None:
        """Write the task's reference solution, then submit it; None once submitted (or none ships).

        The reference solutions live beside the tests (`tests/solutions/`), in a checkout only.
        """
        if self.terminated or self.truncated or self.submissions:
            return None
        reference = REFERENCE_SOLUTIONS / f"{self.task.id}.py"
        if not reference.is_file():
            return None
        if self._workspace().read_text(SOLUTION_FILE) != reference.read_text():
            parameters = {"path": SOLUTION_FILE, "content": reference.read_text()}
            return ToolCallAction(tool_name="write_file", parameters=parameters)
        return ToolCallAction(tool_name="submit", parameters={})

    def reward_range(self) -> tuple[float, float]:
        """An episode's total reward: the best fraction of hidden tests passed."""
        return (0.0, 1.0)

    def hidden_answers(self) -> list[str]:
        """The hidden tests' calls the statement does not show: none may reach the agent."""
        public = f"{self.task.statement}\n{self.task.starter}"
        return [test.call for test in self.task.tests if len(test.call) >= 8 and test.call not in public]

    def render_view(self) -> View | None:
        """The workspace's files and their text (the episode's view resource); none before a reset."""
        return files_view(self._workspace()) if self.sandbox is not None else None

    def example_actions(self) -> list[ToolCallAction]:
        """A wrong solution written, read back, listed and submitted (deterministic for the seed)."""
        wrong = f"def {self.task.function}(*args, **kwargs):\n    return None\n"
        return [
            ToolCallAction(tool_name="write_file", parameters={"path": SOLUTION_FILE, "content": wrong}),
            ToolCallAction(tool_name="read_file", parameters={"path": SOLUTION_FILE}),
            ToolCallAction(tool_name="list_files", parameters={}),
            ToolCallAction(tool_name="submit", parameters={}),
        ]

    @classmethod
    def tasks(cls) -> dict[str, str]:
        """Every task, id to title (for prompts and completion)."""
        return {task: load_tasks()[task].title for task in task_ids()}

    def state_extra(self) -> dict[str, Any]:
        report = self.last_report
        return {
            "task": self.task.id,
            "best_fraction": self.best,
            "submissions": self.submissions,
            "tests_passed": report.passed if report is not None else 0,
            "tests_total": len(self.task.tests),
        }

    def _workspace(self) -> Workspace:
        if self.sandbox is None:
            raise ActionError("the episode has no workspace; call reset first")
        return Workspace(self.sandbox.workspace)
