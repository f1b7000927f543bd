"""What the agent reads at reset (the task) and after check (the verdict)."""

from __future__ import annotations

from pydantic import BaseModel, Field

__all__ = ["CheckResult", "TaskView"]


class TaskView(BaseModel):
    """The task of the episode, as the first observation.

    >>> print(TaskView(task="t", title="A task", statement="Do it.", files=["a.txt"], max_steps=5).to_text())
    Task t: A task
    Do it.
    Files in /workspace: a.txt
    Tools: run_command, read_file, write_file, list_dir, check. Steps: 5.
    """

    task: str = Field(description="The task id.")
    title: str
    statement: str = Field(description="What to do.")
    files: list[str] = Field(description="The setup files in /workspace.")
    max_steps: int = Field(description="Steps before the episode is truncated.")

    def to_text(self) -> str:
        """The statement with the files and the tools."""
        return (
            f"Task {self.task}: {self.title}\n{self.statement}\n"
            f"Files in /workspace: {', '.join(self.files) or '(none)'}\n"
            f"Tools: run_command, read_file, write_file, list_dir, check. Steps: {self.max_steps}."
        )


class CheckResult(BaseModel):
    """The verifier's verdict on the workspace.

    >>> CheckResult(passed=False, message="answer.txt is missing", checks=1).to_text()
    'Not solved yet: answer.txt is missing'
    """

    passed: bool = Field(description="Whether the task is done; the episode then ends with reward 1.")
    message: str = Field(description="What the verifier found; on failure a hint that keeps the answer back.")
    checks: int = Field(description="How many times check has run this episode.")

    def to_text(self) -> str:
        """One line: solved, or not yet and why."""
        return f"Solved: {self.message}" if self.passed else f"Not solved yet: {self.message}"
