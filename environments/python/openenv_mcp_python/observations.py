"""What the agent reads: the task briefing at reset, and the report of each submission."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, Field

__all__ = ["VERDICTS", "Briefing", "CaseResult", "SubmissionReport", "Verdict"]

Verdict = Literal["passed", "wrong result", "raised", "timed out"]
"""Every verdict a hidden test can get: a fixed set, so that no verdict can carry its input out."""
VERDICTS: frozenset[str] = frozenset(get_args(Verdict))

_TOOLS = """\
Tools:
  write_file(path, content)  write a file in /workspace (write your solution with it)
  read_file(path)            read a file of /workspace
  list_files(path=".")       list a folder of /workspace
  run_python(code)           run Python in your sandbox; variables persist between calls,
                             `import solution` works (importlib.reload it after a change), and
                             read_file, write_file and list_files are functions there too
  submit()                   grade /workspace/solution.py against the hidden tests
Reward: the fraction of hidden tests passed, paid as it improves on your best submission so far
(the episode's total is your best fraction). All tests passed ends the episode."""


class Briefing(BaseModel):
    """The first observation: the task, where the solution goes, how it is graded.

    >>> print(Briefing(task="t", title="T", statement="Do it.", signature="def f() -> int:",
    ...                hidden_tests=3, max_steps=20).to_text().splitlines()[0])
    Task t: T
    """

    task: str = Field(description="The task's id.")
    title: str
    statement: str
    signature: str = Field(description="The function to define in the solution file.")
    solution_file: str = Field(default="/workspace/solution.py", description="Where the solution goes.")
    hidden_tests: int = Field(description="How many hidden tests grade the solution.")
    max_steps: int = Field(description="Tool calls before the episode is truncated.")

    def to_text(self) -> str:
        return "\n".join(
            [
                f"Task {self.task}: {self.title}",
                self.statement,
                "",
                f"Write this function in {self.solution_file} (it holds a starter now):",
                f"    {self.signature}",
                f"{self.hidden_tests} hidden tests call it; you cannot see them. "
                f"You have {self.max_steps} steps (tool calls).",
                "",
                _TOOLS,
            ]
        )


class CaseResult(BaseModel):
    """How one hidden test went, as one of the fixed `VERDICTS`; its inputs stay hidden."""

    number: int = Field(description="The test's position, from 1.")
    passed: bool
    verdict: Verdict = Field(
        description="passed; wrong result (returned something else, or returned where it should raise); "
        "raised (an exception other than the expected one); timed out."
    )


class SubmissionReport(BaseModel):
    """The result of one submission against the hidden tests.

    >>> SubmissionReport(task="t", passed=1, total=4).fraction
    0.25
    """

    task: str
    passed: int
    total: int
    cases: list[CaseResult] = Field(default_factory=list[CaseResult])
    problem: str | None = Field(default=None, description="Why no test could run, if none could.")
    best: float = Field(default=0.0, description="The best fraction passed in this episode so far.")

    @property
    def fraction(self) -> float:
        return self.passed / self.total

    @property
    def all_passed(self) -> bool:
        return self.passed == self.total

    def to_text(self) -> str:
        lines = [f"Hidden tests: {self.passed}/{self.total} passed (best so far {self.best:.0%})."]
        if self.problem is not None:
            lines.append(f"Problem: {self.problem}")
        lines += [f"  test {case.number}: {case.verdict}" for case in self.cases if not case.passed]
        if self.all_passed:
            lines.append("All hidden tests passed: the episode is over.")
        return "\n".join(lines)
