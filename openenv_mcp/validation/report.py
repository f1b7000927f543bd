"""What a validation found: one result per check, a table for people and JSON for machines."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["CheckResult", "Report", "Status"]

Status = Literal["pass", "fail", "warn", "skip"]


@dataclass(frozen=True)
class CheckResult:
    """One check's verdict, and what it measured or why it could not run."""

    id: str
    status: Status
    detail: str
    measured: dict[str, Any] = field(default_factory=dict[str, Any])


@dataclass
class Report:
    """Every check's result for one environment."""

    environment: str
    results: list[CheckResult] = field(default_factory=list[CheckResult])
    error: str | None = None
    """Why the validation could not run at all (exit code 2)."""

    @property
    def failed(self) -> list[CheckResult]:
        return [r for r in self.results if r.status == "fail"]

    def exit_code(self) -> int:
        """0: every check passed (or warned, or was skipped with a reason); 1: one failed; 2: no run."""
        if self.error is not None:
            return 2
        return 1 if self.failed else 0

    def table(self) -> str:
        lines = [f"{self.environment}:"]
        if self.error is not None:
            lines.append(f"  could not run: {self.error}")
        width = max((len(r.id) for r in self.results), default=0)
        for result in self.results:
            lines.append(f"  {result.status.upper():4}  {result.id:{width}}  {result.detail}")
        verdict = {0: "passed", 1: f"{len(self.failed)} failed", 2: "could not run"}[self.exit_code()]
        lines.append(f"  -> {verdict}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "environment": self.environment,
            "exit_code": self.exit_code(),
            "error": self.error,
            "checks": [asdict(result) for result in self.results],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2, default=str)
