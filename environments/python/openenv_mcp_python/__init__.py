"""The python coding environment: write a function, graded by hidden unit tests in a sandbox."""

from openenv_mcp_python.environment import PythonEnvironment, PythonOptions
from openenv_mcp_python.observations import VERDICTS, Briefing, CaseResult, SubmissionReport, Verdict
from openenv_mcp_python.tasks import HiddenTest, Task, load_tasks, task_ids

__all__ = [
    "VERDICTS",
    "Briefing",
    "CaseResult",
    "HiddenTest",
    "PythonEnvironment",
    "PythonOptions",
    "SubmissionReport",
    "Task",
    "Verdict",
    "load_tasks",
    "task_ids",
]
