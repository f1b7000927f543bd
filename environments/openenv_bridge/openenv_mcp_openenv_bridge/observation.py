"""What the remote answered, as the bridge's observations, and OpenEnv's step envelope read strictly.

>>> envelope = Envelope.parse({"observation": {"hint": "higher", "metadata": {}}, "reward": None})
>>> envelope.reward, RemoteObservation(observation=envelope.observation).to_text()
(0.0, '{"hint": "higher"}')
>>> Envelope.parse({"observation": [], "done": "yes"})
Traceback (most recent call last):
...
ValueError: the observation is not an object: []
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel, ConfigDict

__all__ = ["Envelope", "RemoteObservation", "RemoteResult"]


@dataclass(frozen=True)
class Envelope:
    """OpenEnv's `{"observation": {...}, "reward": r, "done": d, "metadata": {...}}`."""

    observation: dict[str, Any]
    reward: float
    done: bool
    metadata: dict[str, Any]

    @classmethod
    def parse(cls, data: dict[str, Any]) -> Envelope:
        """Read a reset or step reply's data; `ValueError` says what is malformed."""
        observation, reward, done = data.get("observation"), data.get("reward"), data.get("done", False)
        if not isinstance(observation, dict):
            raise ValueError(f"the observation is not an object: {observation!r:.120}")
        if reward is not None and (isinstance(reward, bool) or not isinstance(reward, int | float)):
            raise ValueError(f"the reward is not a number: {reward!r:.120}")
        if not isinstance(done, bool):
            raise ValueError(f"done is not a boolean: {done!r:.120}")
        fields = cast(dict[str, Any], observation)
        metadata: Any = data.get("metadata") or fields.get("metadata") or {}
        return cls(
            fields,
            float(reward or 0.0),
            done,
            cast(dict[str, Any], metadata) if isinstance(metadata, dict) else {},
        )


class RemoteObservation(BaseModel):
    """A typed environment's observation (its fields as OpenEnv sent them), or a reset's."""

    model_config = ConfigDict(frozen=True)

    observation: dict[str, Any]
    briefing: str | None = None
    """For a reset: what the bridge serves and which tools it has."""

    def to_text(self) -> str:
        shown = {k: v for k, v in self.observation.items() if not (k == "metadata" and not v)}
        body = json.dumps(shown, ensure_ascii=False, default=str)
        return f"{self.briefing}\nFirst observation: {body}" if self.briefing else body


class RemoteResult(BaseModel):
    """What an MCP environment's tool answered: its content blocks and structured content."""

    model_config = ConfigDict(frozen=True)

    content: list[dict[str, Any]]
    structured_content: dict[str, Any] | None = None
    is_error: bool = False

    @classmethod
    def parse(cls, result: Any) -> RemoteResult:
        """OpenEnv's `result` of a `call_tool` (a CallToolResult as JSON, or a bare value)."""
        if isinstance(result, dict) and isinstance(cast(dict[str, Any], result).get("content"), list):
            fields = cast(dict[str, Any], result)
            blocks = [cast(dict[str, Any], b) for b in fields["content"] if isinstance(b, dict)]
            structured = fields.get("structured_content", fields.get("structuredContent"))
            is_error = bool(fields.get("is_error", fields.get("isError", False)))
            structured = cast(dict[str, Any], structured) if isinstance(structured, dict) else None
            return cls(content=blocks, structured_content=structured, is_error=is_error)
        text = result if isinstance(result, str) else json.dumps(result, ensure_ascii=False, default=str)
        return cls(content=[{"type": "text", "text": text}])

    def to_text(self) -> str:
        """The text blocks, and a line for each other block."""
        return "\n".join(_describe(block) for block in self.content)


def _describe(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "text":
        return str(block.get("text", ""))
    if kind in ("image", "audio"):
        return f"[{kind} {block.get('mimeType', block.get('mime_type', ''))}]"
    return f"[{kind}]"
