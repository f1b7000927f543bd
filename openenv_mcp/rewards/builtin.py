"""Built-in reward functions with TRL's signature: exact match and a regular expression.

Each is quick (``blocking = False``: a rubric calls it on the event loop). The unit tests
run in the sandbox are in `openenv_mcp.rewards.unit_tests`, the LLM judge in `.judge`.

>>> ExactMatch("answer")(completions=[" Crane", "slate"], answer=["crane", "crane"])
[1.0, 0.0]
>>> Regex(r"^\\d+$")(completions=["42", "4 2"])
[1.0, 0.0]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from openenv_mcp.rewards.errors import RewardError

__all__ = ["ExactMatch", "Regex", "answer_match", "text_of"]


def text_of(completion: Any) -> str:
    """A completion's text: a string as it is, TRL's conversational form (messages) by its last content."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Sequence) and completion:
        last: Any = completion[-1]  # pyright: ignore[reportUnknownVariableType]
        if isinstance(last, dict):
            return str(last.get("content") or "")  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]
    return "" if completion is None else str(cast(object, completion))


class ExactMatch:
    """1.0 where the completion equals the row's `column` (trimmed, and case-folded unless `exact`)."""

    blocking = False

    def __init__(self, column: str = "answer", *, exact: bool = False) -> None:
        self.column, self.exact = column, exact
        self.__name__ = "exact_match"

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        if self.column not in kwargs:
            raise RewardError(f"exact_match needs the column {self.column!r}; the rows have {sorted(kwargs)}")
        expected: list[Any] = kwargs[self.column]
        return [
            None if want is None else float(self._norm(text_of(got)) == self._norm(str(want)))
            for got, want in zip(completions, expected, strict=True)
        ]

    def _norm(self, text: str) -> str:
        text = " ".join(text.split())
        return text if self.exact else text.casefold()


class Regex:
    """1.0 where the pattern is found in the completion (``full=True``: matches all of it)."""

    blocking = False

    def __init__(self, pattern: str, *, full: bool = False, flags: int = 0) -> None:
        try:
            self.pattern = re.compile(pattern, flags)
        except re.error as exc:
            raise RewardError(f"bad regular expression {pattern!r}: {exc}") from exc
        self.full = full
        self.__name__ = "regex"

    def __call__(self, completions: Sequence[Any], **kwargs: Any) -> list[float | None]:
        match = self.pattern.fullmatch if self.full else self.pattern.search
        return [
            float(match(text_of(c).strip() if self.full else text_of(c)) is not None) for c in completions
        ]


answer_match = ExactMatch("answer")
"""`ExactMatch` on the ``answer`` column, ready for ``--reward openenv_mcp.rewards.builtin:answer_match``."""
