"""The Environment base class: Gymnasium's lifecycle with typed inner tools.

Subclasses declare inner tools with `@tool`, build the first observation in
`on_reset`, and give rewards and endings from inside their tools with `add_reward`
and `end_episode`. `step` is the one dispatch path for every action.

An environment whose tools are known only at runtime (a child MCP server's, a remote's)
overrides the async `list_tools` hook instead, and answers their calls in `forward_call`.
"""

from __future__ import annotations

import logging
import random
import secrets
from collections import deque
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar, Generic, cast

from pydantic import BaseModel, ValidationError
from typing_extensions import TypeVar

from openenv_mcp.environment import progress
from openenv_mcp.environment.options import max_steps_schema, parse_max_steps
from openenv_mcp.environment.records import StepRecord
from openenv_mcp.environment.tools import ForwardedTool, InnerTool, build_tool, is_tool
from openenv_mcp.environment.views import View
from openenv_mcp.errors import (
    ENVIRONMENT_FAILED,
    ActionError,
    DefinitionError,
    EpisodeEndedError,
    InvalidArgumentsError,
    InvalidOptionsError,
    UnknownToolError,
)
from openenv_mcp.spec import CodeAction, ResetResult, State, StepResult, ToolCallAction, ToolDefinition

__all__ = ["Environment"]

logger = logging.getLogger(__name__)

OptionsT = TypeVar("OptionsT", default=Any)
"""What `on_reset` and `begin_episode` get: an instance of `options_model` (None without one)."""
ObsT = TypeVar("ObsT", default=Any)
"""The first observation `on_reset` returns."""


class Environment(Generic[OptionsT, ObsT]):
    """Base of every environment. One instance is one episode at a time.

    A typed author may name the options and first-observation types,
    `class Maze(Environment[MazeOptions, Board])`; a bare `Environment` takes any.
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    options_model: ClassVar[type[BaseModel] | None] = None
    """A pydantic model for the episode's options (besides `max_steps`); None: no others."""
    default_max_steps: ClassVar[int | None] = None
    """Steps before an episode is truncated unless its `max_steps` option says otherwise; None: no budget."""
    invalid_action_penalty: float = 0.0
    """Reward of a step whose action could not be carried out; an episode may change it in `on_reset`."""
    history_limit: ClassVar[int] = 1000
    transcript_limit: ClassVar[int] = 50
    """Observations an episode keeps for its transcript (the latest; step 0 is the briefing)."""
    config_variables: ClassVar[tuple[str, ...]] = ()
    """Environment variables the class reads its configuration from (a child's command, a remote's
    URL): a Ray front door hands its own values to the actors it starts, as a server's process has them."""
    inner_tools: Mapping[str, InnerTool] = MappingProxyType({})
    """The tools by name: the class's `@tool` methods, or what `list_tools` gave this instance."""

    def __init_subclass__(cls, *, abstract: bool = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        tools: dict[str, InnerTool] = {}
        for klass in reversed(cls.__mro__):
            for attr, value in vars(klass).items():
                if is_tool(value):
                    built = build_tool(value)
                    tools.pop(attr, None)
                    tools[built.name] = built
        cls.inner_tools = tools
        if not abstract and not cls.name:
            raise DefinitionError(f"environment class {cls.__qualname__} must set a `name`")

    def __init__(self) -> None:
        self.episode_id: str = ""
        self.rng: random.Random = random.Random()
        self.seed: int | None = None
        self.step_count = 0
        self.total_reward = 0.0
        self.terminated = False
        self.truncated = False
        self.max_steps: int | None = None
        self.history: deque[StepRecord] = deque(maxlen=self.history_limit)
        self.observations: deque[tuple[int, Any]] = deque(maxlen=self.transcript_limit)
        """The latest observations the agent read, by step number (0: the briefing)."""
        self._seeded = False
        self._tools_listed = not self.lists_tools_at_runtime()
        self._step_reward = 0.0
        self._step_info: dict[str, Any] = {}

    # -- what subclasses write -------------------------------------------------------

    async def on_reset(self, options: OptionsT) -> ObsT:
        """Start a new episode from `self.rng` and the parsed options; return the first observation."""
        return cast(ObsT, None)

    async def begin_episode(self, options: OptionsT) -> None:
        """Prepare per-episode resources before `on_reset` (base classes such as CodeAct use this)."""

    async def run_code(self, code: str) -> Any:
        """Run a CodeAction; environments that accept code override this."""
        raise ActionError(
            f"environment {self.name!r} does not accept code actions; "
            f"send a tool_call action with one of: {', '.join(self.inner_tools) or '(none)'}"
        )

    async def on_close(self) -> None:
        """Free what the episode holds (sandboxes, child processes)."""

    async def list_tools(self) -> Iterable[InnerTool]:
        """The inner tools this environment offers: by default its class's `@tool` methods.

        Override it where the tools are known only at runtime (build them with
        `forwarded_tool`). A server calls it once, on an instance of its own, before it serves,
        and again on `EnvServer.refresh_tools()`; every episode then uses that list. An
        instance used directly lists its tools on its first reset.
        """
        return type(self).inner_tools.values()

    def about(self) -> str:
        """The class's description, unless the instance knows better."""
        return self.description

    async def forward_call(self, tool: ForwardedTool, arguments: dict[str, Any]) -> Any:
        """Answer a call of a runtime tool (`forwarded_tool`), its arguments already checked."""
        raise ActionError(f"environment {self.name!r} cannot answer its runtime tool {tool.name!r}")

    def state_extra(self) -> dict[str, Any]:
        """Environment-specific fields for `state()`."""
        return {}

    def board_view(self) -> Any:
        """The episode's board as the agent may see it now (an observation), or None: no board.

        Served as the episode's board resource, to a production client too: show only what
        the agent has been shown, never the answer.
        """
        return None

    def render_view(self) -> View | None:
        """A picture of the episode now for people (the web playground), or None: none.

        Build it with `View.plain` or `Svg` (`openenv_mcp.environment.views`), which escape
        everything, so no observation can inject markup. Served as the episode's view resource,
        to a production client too: as with `board_view`, show only what the agent has seen.
        """
        return None

    @classmethod
    def tasks(cls) -> dict[str, str]:
        """The tasks the `task` option accepts, id to title, for prompts and completion.

        The default reads the enum of the options schema's `task` property: none without one.
        """
        schema = cls.options_schema()["properties"].get("task", {})
        choices = [schema, *schema.get("anyOf", [])]
        return {str(v): str(v) for choice in choices for v in choice.get("enum", []) if v is not None}

    @classmethod
    def task_options(cls) -> dict[str, dict[str, Any]]:
        """Each built-in task's `reset` options, by id: ``{"task": id}`` for each of `tasks()`.

        An environment whose tasks are settings of its options (a variant, an opponent) overrides
        it; `openenv_mcp.tasks.builtin` serves these as a taskset.
        """
        return {task: {"task": task} for task in cls.tasks()}

    # -- what tools call -------------------------------------------------------------

    def add_reward(self, value: float) -> None:
        """Add to this step's reward."""
        self._step_reward += value

    def end_episode(self, *, truncated: bool = False, reason: str | None = None) -> None:
        """End the episode after this step: terminated, or truncated when `truncated`."""
        if truncated:
            self.truncated = True
        else:
            self.terminated = True
        if reason:
            self._step_info["end_reason"] = reason

    async def report_progress(
        self, done: float, total: float | None = None, message: str | None = None
    ) -> None:
        """Tell the caller how far a long tool has come (`done` of `total`), if it asked to hear.

        Reported values should rise; the server keeps what it sends rising either way. Without
        a listening caller (or outside a server) it does nothing.
        """
        await progress.report(done, total, message)

    @property
    def step_info(self) -> dict[str, Any]:
        """Extra info for this step's result."""
        return self._step_info

    # -- the lifecycle -----------------------------------------------------------------

    @classmethod
    def has_board(cls) -> bool:
        """Whether the environment shows a board (overrides `board_view`)."""
        return cls.board_view is not Environment.board_view

    @classmethod
    def has_view(cls) -> bool:
        """Whether the environment draws a picture of its state (overrides `render_view`)."""
        return cls.render_view is not Environment.render_view

    @classmethod
    def accepts_code(cls) -> bool:
        """Whether `CodeAction`s run here (the class overrides `run_code`): `step` offers them only then."""
        return cls.run_code is not Environment.run_code

    @classmethod
    def lists_tools_at_runtime(cls) -> bool:
        """Whether the class overrides `list_tools`: its tools are known only once it runs."""
        return cls.list_tools is not Environment.list_tools

    @classmethod
    def actions(cls) -> list[ToolDefinition]:
        """The class's declared inner tools' definitions (see `definitions` for runtime tools)."""
        return [t.definition for t in cls.inner_tools.values()]

    def definitions(self) -> list[ToolDefinition]:
        """This instance's inner tools' definitions (its runtime tools, once listed)."""
        return [t.definition for t in self.inner_tools.values()]

    def use_tools(self, tools: Iterable[InnerTool]) -> None:
        """Offer exactly `tools` in this episode (what the server listed); names must be unique."""
        found: dict[str, InnerTool] = {}
        for item in tools:
            if item.name in found:
                raise DefinitionError(f"environment {self.name!r} lists the tool {item.name!r} twice")
            found[item.name] = item
        self.inner_tools, self._tools_listed = found, True

    @classmethod
    def options_schema(cls) -> dict[str, Any]:
        """JSON Schema of the episode options: the environment's, and `max_steps` for every one."""
        if cls.options_model is None:
            schema: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": False}
        else:
            schema = cls.options_model.model_json_schema()
            schema.pop("title", None)
        if not cls._owns_max_steps():
            schema["properties"] = {
                "max_steps": max_steps_schema(cls.default_max_steps),
                **schema["properties"],
            }
        return schema

    @classmethod
    def _owns_max_steps(cls) -> bool:
        """Whether the environment's options model declares `max_steps` itself (the older way)."""
        return cls.options_model is not None and "max_steps" in cls.options_model.model_fields

    async def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> ResetResult:
        """Start a new episode. The same seed and options give the same episode."""
        parsed = self._parse_options(dict(options or {}))
        if not self._tools_listed:
            self.use_tools(await self.list_tools())
        if seed is not None:
            self.rng, self.seed, self._seeded = random.Random(seed), seed, True
        elif not self._seeded:
            # 53 bits: a JavaScript client's numbers hold them exactly, so it can replay the seed.
            self.seed = secrets.randbits(53)
            self.rng, self._seeded = random.Random(self.seed), True
        self.step_count, self.total_reward = 0, 0.0
        self.terminated = self.truncated = False
        self.history.clear()
        self._step_info = {}
        await self.begin_episode(parsed)
        observation = await self.on_reset(parsed)
        info, self._step_info = self._step_info, {}
        self.observations.clear()
        self.observations.append((0, observation))
        return ResetResult(observation=observation, info=info)

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        """Carry out one action; a bad action is an error observation, not an exception."""
        if self.terminated or self.truncated:
            how = "terminated" if self.terminated else "truncated"
            return self._error_result(
                f"the episode has ended ({how} after {self.step_count} steps); call reset",
                EpisodeEndedError.kind,
            )
        self._step_reward, self._step_info = 0.0, {}
        try:
            observation = await self._dispatch(action)
            error = kind = None
        except ActionError as exc:
            observation, error, kind = f"Error: {exc}", str(exc), exc.kind
            self._step_reward = self.invalid_action_penalty
        except Exception as exc:
            logger.exception("environment %r failed on %r", self.name, action)
            error = f"the environment failed on this action: {type(exc).__name__}: {exc}"
            observation, self._step_reward, kind = f"Error: {error}", 0.0, ENVIRONMENT_FAILED
        if kind is not None:
            self._step_info["error_kind"] = kind
        return self._finish_step(action, observation, error)

    def state(self) -> State:
        """Where the episode stands."""
        return State(
            episode_id=self.episode_id,
            environment=self.name,
            step_count=self.step_count,
            total_reward=self.total_reward,
            terminated=self.terminated,
            truncated=self.truncated,
            seed=self.seed,
            extra=self.state_extra(),
        )

    async def close(self) -> None:
        """End the episode and free what it holds."""
        await self.on_close()

    # -- internals -------------------------------------------------------------------

    async def call_tool(self, action: ToolCallAction) -> Any:
        """Run one inner tool; raises `ActionError` for an unknown tool or bad arguments."""
        spec = self.inner_tools.get(action.tool_name)
        if spec is None:
            known = ", ".join(self.inner_tools) or "(none)"
            raise UnknownToolError(
                f"unknown tool {action.tool_name!r}; this environment's tools are: {known}"
            )
        if isinstance(spec, ForwardedTool):
            problems = spec.check.problems(action.parameters)
            if problems:
                raise InvalidArgumentsError(
                    f"invalid arguments for tool {spec.name!r}: " + "; ".join(problems)
                )
            return await self.forward_call(spec, dict(action.parameters))
        kwargs = spec.parse(action.parameters)
        method = getattr(self, spec.method_name)
        result = method(**kwargs)
        return await result if spec.is_async else result

    async def _dispatch(self, action: ToolCallAction | CodeAction) -> Any:
        if isinstance(action, CodeAction):
            return await self.run_code(action.code)
        return await self.call_tool(action)

    def _finish_step(
        self, action: ToolCallAction | CodeAction, observation: Any, error: str | None
    ) -> StepResult:
        self.step_count += 1
        if self.max_steps is not None and self.step_count >= self.max_steps and not self.terminated:
            self.truncated = True
            self._step_info.setdefault("end_reason", f"step budget of {self.max_steps} reached")
        reward = self._step_reward
        self.total_reward += reward
        info = dict(self._step_info)
        if error is not None:
            info["error"] = error
        self.history.append(
            StepRecord(self.step_count, action, reward, self.terminated, self.truncated, error)
        )
        self.observations.append((self.step_count, observation))
        return StepResult(
            observation=observation,
            reward=reward,
            terminated=self.terminated,
            truncated=self.truncated,
            info=info,
        )

    def _error_result(self, message: str, kind: str) -> StepResult:
        return StepResult(
            observation=f"Error: {message}",
            terminated=self.terminated,
            truncated=self.truncated,
            info={"error": message, "error_kind": kind},
        )

    def _parse_options(self, options: dict[str, Any]) -> Any:
        """The environment's options, parsed; then `max_steps` is set from the option or the default."""
        owned = self._owns_max_steps()
        steps = None if owned else parse_max_steps(self.name, options, self.default_max_steps)
        parsed = self._parse_own_options(options)
        self.max_steps = getattr(parsed, "max_steps", None) if owned else steps
        return parsed

    @classmethod
    def validate_options(cls, options: Mapping[str, Any] | None) -> None:
        """Check `reset` options without starting an episode (a taskset checks its rows so).

        Raises:
            InvalidOptionsError: what `reset` would refuse, with the same message.
        """
        own = dict(options or {})
        if not cls._owns_max_steps():
            parse_max_steps(cls.name, own, cls.default_max_steps)
        cls._parse_own_options(own)

    @classmethod
    def _parse_own_options(cls, options: dict[str, Any]) -> Any:
        model = cls.options_model
        if model is None:
            if options:
                raise InvalidOptionsError(
                    f"environment {cls.name!r} takes no episode options but max_steps; got {sorted(options)}"
                )
            return None
        try:
            return model.model_validate(options)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'options'}: {e['msg']}" for e in exc.errors()
            )
            raise InvalidOptionsError(f"invalid episode options for {cls.name!r}: {problems}") from exc
