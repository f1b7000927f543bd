"""The control tools `reset`, `step`, `step_batch`, `state` and `close`: their schemas and roles."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openenv_mcp.spec import Action, State, ToolAnnotationsSpec, ToolCallAction, ToolDefinition
from openenv_mcp.spec.wire import MAX_BATCH, META_ERROR, META_ROLE, META_STEP

__all__ = [
    "MAX_BATCH",
    "META_ERROR",
    "META_ROLE",
    "META_STEP",
    "CloseOutput",
    "control_definitions",
    "model_schema",
    "reset_input_schema",
]


_EPISODE_ID = Field(
    default=None,
    description="The episode to act on, as returned by reset. "
    "Optional on connections that have a default episode (stdio, sessions).",
)


class _StepArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str | None = _EPISODE_ID
    action: Action = Field(
        description='A tool call {"type": "tool_call", ...} or code {"type": "code", ...}.'
    )


class _ToolStepArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str | None = _EPISODE_ID
    action: ToolCallAction = Field(description='A tool call {"type": "tool_call", ...}.')


class _BatchEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str = Field(description="The episode to act on, as returned by reset.")
    action: Action = Field(description="The action for that episode.")


class _ToolBatchEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str = Field(description="The episode to act on, as returned by reset.")
    action: ToolCallAction = Field(description="The tool call for that episode.")


class _StepBatchArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[_BatchEntry] = Field(
        min_length=1, max_length=MAX_BATCH, description="One (episode_id, action) pair per episode."
    )


class _ToolStepBatchArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    steps: list[_ToolBatchEntry] = Field(
        min_length=1, max_length=MAX_BATCH, description="One (episode_id, action) pair per episode."
    )


class _EpisodeArguments(BaseModel):
    model_config = ConfigDict(extra="forbid")
    episode_id: str | None = _EPISODE_ID


class _StepOutput(BaseModel):
    episode_id: str
    observation: Any = None
    reward: float
    terminated: bool
    truncated: bool
    step_count: int
    info: dict[str, Any]
    error: str | None = None
    error_kind: str | None = Field(
        default=None, description="The error's stable kind, when the action failed."
    )
    text: str = Field(description="The observation as the agent reads it (what an inner tool call shows).")


class _BatchStepOutput(_StepOutput):
    pass


class _BatchFailure(BaseModel):
    episode_id: str
    failed: bool = Field(description="Always true: this entry was not a step (unknown episode, bad action).")
    error: str
    error_kind: str = Field(description="The error's stable kind.")


class _StepBatchOutput(BaseModel):
    results: list[_BatchStepOutput | _BatchFailure]


class _ResetOutput(BaseModel):
    episode_id: str
    observation: Any = None
    info: dict[str, Any]


class CloseOutput(BaseModel):
    """What closing an episode answers (`close`, `close_episode`)."""

    episode_id: str
    closed: bool


def model_schema(model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
    """A model's JSON Schema, as a tool's input (or, with `serialization`, output) schema."""
    schema = model.model_json_schema(mode="serialization" if mode == "serialization" else "validation")
    schema.pop("title", None)
    return schema


def reset_input_schema(options_schema: dict[str, Any]) -> dict[str, Any]:
    """The reset tool's input schema, with the environment's options inlined."""
    options = dict(options_schema)
    defs = options.pop("$defs", None)
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            # A top-level `type` (not anyOf with null) is what form-filling clients such as MCP
            # Inspector read to pass a typed value; a null is taken as absent (env_server.py).
            "seed": {
                "type": "integer",
                "description": "Seed for a reproducible episode (Gymnasium semantics); absent: a new one.",
            },
            "options": {
                **options,
                "type": "object",
                "description": "Environment options for this episode.",
            },
            "episode_id": {
                "anyOf": [{"type": "string"}, {"type": "null"}],
                "default": None,
                "description": "Reset this existing episode in place instead of opening a new one.",
            },
        },
        "additionalProperties": False,
    }
    if defs:
        schema["$defs"] = defs
    return schema


def control_definitions(
    env_name: str, options_schema: dict[str, Any], *, accepts_code: bool = True
) -> list[ToolDefinition]:
    """The control tools of an environment server; `step` offers code actions only where they run."""
    step_arguments = _StepArguments if accepts_code else _ToolStepArguments
    batch_arguments = _StepBatchArguments if accepts_code else _ToolStepBatchArguments
    step_what = "a tool call or a block of code" if accepts_code else "a tool call"
    return [
        ToolDefinition(
            name="reset",
            description=f"Start a new {env_name} episode (or reset one in place) and return its "
            "episode_id and first observation.",
            input_schema=reset_input_schema(options_schema),
            output_schema=model_schema(_ResetOutput, "serialization"),
            annotations=ToolAnnotationsSpec(title="Reset episode", destructive=False, open_world=False),
        ),
        ToolDefinition(
            name="step",
            description=f"Take one action in an episode: {step_what}. Returns the "
            "observation, reward, terminated, truncated and info.",
            input_schema=_typed_action(model_schema(step_arguments)),
            output_schema=model_schema(_StepOutput, "serialization"),
            annotations=ToolAnnotationsSpec(title="Step", destructive=False, open_world=False),
        ),
        ToolDefinition(
            name="step_batch",
            description="Step many episodes in one call: one action per episode, run concurrently. "
            "Results come back in order; an entry that is not a step (unknown episode, bad action) "
            "has failed=true and an error, and the other entries are unaffected.",
            input_schema=model_schema(batch_arguments),
            output_schema=model_schema(_StepBatchOutput, "serialization"),
            annotations=ToolAnnotationsSpec(title="Step a batch", destructive=False, open_world=False),
        ),
        ToolDefinition(
            name="state",
            description="Where an episode stands: step count, total reward, whether it ended.",
            input_schema=model_schema(_EpisodeArguments),
            output_schema=model_schema(State, "serialization"),
            annotations=ToolAnnotationsSpec(
                title="Episode state", read_only=True, idempotent=True, open_world=False
            ),
        ),
        ToolDefinition(
            name="close",
            description="Close an episode and free everything it holds.",
            input_schema=model_schema(_EpisodeArguments),
            output_schema=model_schema(CloseOutput, "serialization"),
            annotations=ToolAnnotationsSpec(
                title="Close episode", destructive=True, idempotent=True, open_world=False
            ),
        ),
    ]


def _typed_action(schema: dict[str, Any]) -> dict[str, Any]:
    """`action` with a top-level `type` beside its `$ref` or `oneOf`, for clients that read only that.

    MCP Inspector's CLI (0.15) parses a `key=value` argument as JSON only where the property's
    own `type` says object; pydantic leaves it out beside a reference.
    """
    schema["properties"]["action"] = {**schema["properties"]["action"], "type": "object"}
    return schema
