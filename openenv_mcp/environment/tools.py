"""Inner tools: the `@tool` decorator and the definitions built from typed methods.

A tool is a method of an `Environment`. Its signature gives the input schema (pydantic
builds it), its return annotation the output schema, its docstring the description.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast, get_type_hints, overload

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from openenv_mcp.errors import DefinitionError, InvalidArgumentsError
from openenv_mcp.schema import SchemaCheck
from openenv_mcp.spec import ToolAnnotationsSpec, ToolDefinition

__all__ = ["RESERVED_NAMES", "RESERVED_PARAMETERS", "ForwardedTool", "InnerTool", "forwarded_tool", "tool"]

RESERVED_PARAMETERS = frozenset({"episode_id"})
"""Parameter names an inner tool cannot have: the server adds them to every inner tool."""
RESERVED_NAMES = frozenset({"reset", "step", "step_batch", "state", "close", "open_episode", "close_episode"})
_MARK = "__openenv_tool__"
_JSON: TypeAdapter[Any] = TypeAdapter(Any)
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Mark:
    name: str | None
    annotations: ToolAnnotationsSpec


@overload
def tool(fn: F, /) -> F: ...
@overload
def tool(
    *,
    name: str | None = None,
    title: str | None = None,
    read_only: bool | None = None,
    destructive: bool | None = None,
    idempotent: bool | None = None,
    open_world: bool | None = False,
) -> Callable[[F], F]: ...
def tool(
    fn: F | None = None,
    /,
    *,
    name: str | None = None,
    title: str | None = None,
    read_only: bool | None = None,
    destructive: bool | None = None,
    idempotent: bool | None = None,
    open_world: bool | None = False,
) -> F | Callable[[F], F]:
    """Declare an environment method as an inner tool (usable bare or with arguments)."""
    spec = ToolAnnotationsSpec(
        title=title,
        read_only=read_only,
        destructive=destructive,
        idempotent=idempotent,
        open_world=open_world,
    )

    def mark(func: F) -> F:
        setattr(func, _MARK, _Mark(name=name, annotations=spec))
        return func

    return mark(fn) if fn is not None else mark


def is_tool(obj: object) -> bool:
    """Whether `obj` was marked with `@tool`."""
    return isinstance(getattr(obj, _MARK, None), _Mark)


@dataclass(frozen=True)
class InnerTool:
    """A declared inner tool: its definition, validators and the method behind it."""

    definition: ToolDefinition
    method_name: str
    arguments_model: type[BaseModel]
    check: SchemaCheck
    wraps_result: bool
    is_async: bool

    @property
    def name(self) -> str:
        return self.definition.name

    def parse(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """Check `parameters` against the input schema and return typed keyword arguments."""
        try:
            model = self.arguments_model.model_validate(parameters, strict=True)
        except ValidationError:
            model = self._parse_slowly(parameters)
        return dict(model.__dict__)

    def _parse_slowly(self, parameters: dict[str, Any]) -> BaseModel:
        # Strict validation refuses some valid JSON (an object for a nested model): the schema decides.
        problems = self.check.problems(parameters)
        if problems:
            raise InvalidArgumentsError(_describe_problems(self.name, problems))
        try:
            return self.arguments_model.model_validate(parameters)
        except ValidationError as exc:
            raise InvalidArgumentsError(
                _describe_problems(self.name, [str(e["msg"]) for e in exc.errors()])
            ) from exc

    def structure(self, value: Any) -> dict[str, Any] | None:
        """The structured content for a tool's return value."""
        if self.definition.output_schema is None:
            return None
        plain = isinstance(value, str | int | float | bool)
        dumped: Any = value if plain else _JSON.dump_python(value, mode="json")
        return {"result": dumped} if self.wraps_result else dumped


class _AnyArguments(BaseModel):
    """A forwarded tool's arguments pass on as given: its JSON Schema checks them."""

    model_config = ConfigDict(extra="allow")


@dataclass(frozen=True)
class ForwardedTool(InnerTool):
    """A tool listed at runtime whose calls another server answers (a child MCP server, a remote).

    Its arguments are checked against its own JSON Schema, then `Environment.forward_call`
    carries the call to `target`, the tool's name at the far end.
    """

    target: str = ""

    def structure(self, value: Any) -> dict[str, Any] | None:
        """The far end's structured content: a mapping returned under an output schema."""
        if self.definition.output_schema is None or not isinstance(value, dict):
            return None
        return cast(dict[str, Any], value)


def forwarded_tool(definition: ToolDefinition, target: str | None = None) -> ForwardedTool:
    """A runtime tool for `definition`, whose calls go to `target` (default: the same name).

    >>> echo = forwarded_tool(ToolDefinition(name="echo", input_schema={
    ...     "type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}))
    >>> echo.target, echo.check.problems({})
    ('echo', ["'text' is a required property"])
    """
    if definition.name in RESERVED_NAMES:
        raise DefinitionError(f"runtime tool {definition.name!r} uses a reserved name; rename it")
    clashing = RESERVED_PARAMETERS & set(definition.input_schema.get("properties") or {})
    if clashing:
        raise DefinitionError(
            f"runtime tool {definition.name!r}: parameter {sorted(clashing)[0]!r} is reserved "
            "(the server adds it to every inner tool for the episode handle); rename it"
        )
    check = SchemaCheck(definition.input_schema)
    return ForwardedTool(
        definition, "forward_call", _AnyArguments, check, False, True, target=target or definition.name
    )


def build_tool(method: Callable[..., Any]) -> InnerTool:
    """Build an `InnerTool` from a method marked with `@tool`."""
    mark: _Mark = getattr(method, _MARK)
    name = mark.name or method.__name__
    if name in RESERVED_NAMES:
        raise DefinitionError(
            f"inner tool {name!r} of {method.__qualname__} uses a reserved name: "
            f"{', '.join(sorted(RESERVED_NAMES))} are the control and handle tools; rename it"
        )
    doc = inspect.getdoc(method) or ""
    model = _arguments_model(method, name, _arg_docs(doc))
    schema = model.model_json_schema()
    schema.pop("title", None)
    output_schema, wraps = _output_schema(method)
    definition = ToolDefinition(
        name=name,
        description=_summary(doc),
        input_schema=schema,
        output_schema=output_schema,
        annotations=mark.annotations,
    )
    check = SchemaCheck(schema)
    return InnerTool(definition, method.__name__, model, check, wraps, inspect.iscoroutinefunction(method))


def _arguments_model(method: Callable[..., Any], name: str, docs: dict[str, str]) -> type[BaseModel]:
    hints = get_type_hints(method, include_extras=True)
    fields: dict[str, Any] = {}
    for param in list(inspect.signature(method).parameters.values())[1:]:
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(f"inner tool {name!r}: *args and **kwargs are not allowed in tools")
        if param.name not in hints:
            raise DefinitionError(f"inner tool {name!r}: parameter {param.name!r} needs a type annotation")
        if param.name in RESERVED_PARAMETERS:
            raise DefinitionError(
                f"inner tool {name!r}: parameter {param.name!r} is reserved "
                "(the server adds it to every inner tool for the episode handle); rename it"
            )
        default = ... if param.default is param.empty else param.default
        fields[param.name] = (hints[param.name], _field(default, docs.get(param.name)))
    config = ConfigDict(extra="forbid")
    return create_model(f"{name}_arguments", __config__=config, **fields)


def _field(default: Any, description: str | None) -> Any:
    return Field(default=default, description=description)


def _output_schema(method: Callable[..., Any]) -> tuple[dict[str, Any] | None, bool]:
    returns = get_type_hints(method, include_extras=True).get("return", Any)
    if returns is Any or returns is type(None):
        return None, False
    schema = TypeAdapter(returns).json_schema(mode="serialization")
    if schema.get("type") == "object":
        schema.pop("title", None)
        return schema, False
    return {"type": "object", "properties": {"result": schema}, "required": ["result"]}, True


def _summary(doc: str) -> str:
    """The docstring without its Args/Returns sections."""
    kept: list[str] = []
    for line in doc.splitlines():
        if line.strip() in {"Args:", "Arguments:", "Returns:", "Raises:"}:
            break
        kept.append(line)
    return "\n".join(kept).strip()


def _arg_docs(doc: str) -> dict[str, str]:
    """Parameter descriptions from a Google-style `Args:` section."""
    docs: dict[str, str] = {}
    inside = False
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in {"Args:", "Arguments:"}:
            inside = True
        elif inside and stripped.endswith(":") and " " not in stripped:
            break
        elif inside and ":" in stripped:
            key, _, text = stripped.partition(":")
            docs[key.split(" ")[0]] = text.strip()
    return docs


def _describe_problems(name: str, problems: list[str]) -> str:
    return f"invalid arguments for tool {name!r}: " + "; ".join(problems)
