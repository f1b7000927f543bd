"""Checking tool arguments against JSON Schema, with messages a model can act on.

>>> check = SchemaCheck({"type": "object", "properties": {"n": {"type": "integer"}}})
>>> print(check.problems({"n": "2"})[0])
argument 'n': "2" is not of type 'integer'
>>> check.problems({"n": 2})
[]
"""

from __future__ import annotations

import json
from typing import Any, cast

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.validators import validator_for

__all__ = ["SchemaCheck"]


class SchemaCheck:
    """A compiled JSON Schema (draft 2020-12 unless it says otherwise) that explains what is wrong."""

    def __init__(self, schema: dict[str, Any]) -> None:
        # Honour a schema's own `$schema` (third-party MCP servers often declare draft-07).
        validator_class = validator_for(schema, default=Draft202012Validator)
        self._validator = validator_class(schema)

    def problems(self, instance: Any) -> list[str]:
        """Every way `instance` breaks the schema, as sentences; empty when it conforms."""
        found: list[ValidationError] = list(self._validator.iter_errors(instance))  # pyright: ignore[reportUnknownMemberType]
        errors = sorted(found, key=lambda e: [str(p) for p in e.absolute_path])
        return [_clip(_explain(error)) for error in errors[:_MAX_PROBLEMS]] + _more(len(errors))


_MAX_PROBLEMS = 10
_MAX_PROBLEM_CHARS = 300
"""A problem quotes the value it is about: a huge one is cut, so that the answer stays readable."""


def _clip(problem: str) -> str:
    """A problem cut to a readable length.

    >>> len(_clip("x" * 1000)), _clip("short")
    (300, 'short')
    """
    if len(problem) <= _MAX_PROBLEM_CHARS:
        return problem
    suffix = f" ... ({len(problem):,} characters in all)"
    return problem[: _MAX_PROBLEM_CHARS - len(suffix)] + suffix


def _more(count: int) -> list[str]:
    return [f"and {count - _MAX_PROBLEMS} more problems"] if count > _MAX_PROBLEMS else []


def _explain(error: ValidationError) -> str:
    where = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "additionalProperties":
        return f"{error.message} (not a parameter of this tool)"
    if error.validator == "type" and where:
        return f"argument {where!r}: {json.dumps(error.instance)} is not of type {error.validator_value!r}"
    kinds = _alternative_types(error)
    if kinds and where:
        return (
            f"argument {where!r}: {json.dumps(error.instance)} is not of type {' or '.join(map(repr, kinds))}"
        )
    if error.validator in ("anyOf", "oneOf") and error.context:
        # The alternative that got furthest into the value explains it best (not "is not null").
        closest = max(error.context, key=lambda e: (len(e.absolute_path), e.validator != "type"))
        return _explain(closest)
    return f"argument {where!r}: {error.message}" if where else error.message


def _alternative_types(error: ValidationError) -> list[str]:
    """The types an `anyOf` of plain typed schemas allows (empty when it is anything richer)."""
    options: object = error.validator_value
    if error.validator != "anyOf" or not isinstance(options, list):
        return []
    kinds: list[str] = []
    for option in cast(list[Any], options):
        kind = cast(dict[str, Any], option).get("type") if isinstance(option, dict) else None
        if not isinstance(kind, str) or len(cast(dict[str, Any], option)) > 1:
            return []
        kinds.append(kind)
    return kinds
