"""An LLM judge: a model behind any OpenAI-compatible endpoint scores each completion from 0 to 1.

The judge reads the task, the transcript and the final answer (and a reference answer when a
column holds one) and is asked to end with ``SCORE: <number from 0 to 1>``; a bare YES or NO
reads as 1 or 0. An answer with no verdict in it fails that reward (a `RewardError`, recorded
beside the step), never the step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from openenv_mcp.rewards.builtin import text_of
from openenv_mcp.rewards.endpoint import ChatEndpoint
from openenv_mcp.rewards.errors import RewardError

__all__ = ["DEFAULT_INSTRUCTIONS", "LLMJudge", "read_verdict"]

DEFAULT_INSTRUCTIONS = (
    "You grade an AI agent's work on a task. Read the task, what the agent did and its final answer, "
    "then end your reply with one line 'SCORE: x', x a number from 0 (failed) to 1 (fully solved)."
)
_SCORE = re.compile(r"(?i)\bscore\s*[:=]\s*(-?\d+(?:\.\d+)?)")
_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*$")
_YES_NO = re.compile(r"(?i)^\W*(yes|no|pass|fail|correct|incorrect)\b")


def read_verdict(text: str) -> float:
    """The judge's score from its reply.

    >>> read_verdict("Good work.\\nSCORE: 0.75"), read_verdict("1"), read_verdict("NO, it is wrong")
    (0.75, 1.0, 0.0)
    """
    found = _SCORE.findall(text)
    number = found[-1] if found else (m.group(1) if (m := _NUMBER.match(text)) else None)
    if number is not None:
        value = float(number)
        if not 0.0 <= value <= 1.0:
            raise RewardError(f"the judge's score {value:g} is outside 0..1")
        return value
    word = _YES_NO.match(text)
    if word is None:
        raise RewardError(f"the judge's reply holds no verdict (no 'SCORE: x', YES or NO): {text[:120]!r}")
    return 1.0 if word.group(1).lower() in ("yes", "pass", "correct") else 0.0


class LLMJudge:
    """A TRL-style reward function asking `model` at `url` for each completion's score."""

    def __init__(
        self,
        url: str,
        model: str,
        *,
        instructions: str = DEFAULT_INSTRUCTIONS,
        reference: str | None = "answer",
        api_key: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.endpoint = ChatEndpoint(url, model, api_key=api_key, timeout=timeout)
        self.instructions, self.reference = instructions, reference
        self.__name__ = "llm_judge"

    def __call__(self, prompts: Sequence[Any], completions: Sequence[Any], **kwargs: Any) -> list[float]:
        transcripts: list[Any] = kwargs.get("transcript") or [None] * len(completions)
        references: list[Any] = kwargs.get(self.reference or "") or [None] * len(completions)
        return [
            self.judge(text_of(prompt), text_of(completion), transcript, reference)
            for prompt, completion, transcript, reference in zip(
                prompts, completions, transcripts, references, strict=True
            )
        ]

    def judge(self, prompt: str, completion: str, transcript: str | None, reference: Any) -> float:
        """One completion's score."""
        parts = [f"## Task\n{prompt}"]
        if transcript:
            parts.append(f"## What the agent did\n{transcript}")
        parts.append(f"## The agent's final answer\n{completion}")
        if reference is not None:
            parts.append(f"## A reference answer\n{reference}")
        messages = [
            {"role": "system", "content": self.instructions},
            {"role": "user", "content": "\n\n".join(parts)},
        ]
        reply = self.endpoint.complete(messages, temperature=0.0)
        return read_verdict(str(reply.get("content") or ""))
