from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field

from openenv_mcp import Environment, tool
from openenv_mcp.errors import ActionError, DefinitionError


class Board(BaseModel):
    cells: list[str]
    to_move: str


class Sample(Environment):
    name = "sample"

    @tool(read_only=True, title="Look")
    def look(self) -> Board:
        """See the board.

        Returns:
            The board.
        """
        return Board(cells=["x"], to_move="o")

    @tool
    async def move(self, column: Annotated[int, Field(ge=0, le=6)], note: str = "") -> str:
        """Drop a piece.

        Args:
            column: Column to play, 0 to 6.
            note: A remark.
        """
        return f"{column}{note}"


def test_signature_and_docstring_give_the_input_schema() -> None:
    definition = Sample.inner_tools["move"].definition
    props: dict[str, Any] = definition.input_schema["properties"]
    assert definition.description == "Drop a piece."
    assert props["column"]["description"] == "Column to play, 0 to 6."
    assert props["column"]["maximum"] == 6
    assert definition.input_schema["required"] == ["column"]
    assert definition.input_schema["additionalProperties"] is False


def test_return_annotation_gives_the_output_schema() -> None:
    look = Sample.inner_tools["look"]
    assert look.definition.output_schema is not None
    assert set(look.definition.output_schema["properties"]) == {"cells", "to_move"}
    assert look.structure(Board(cells=[], to_move="x")) == {"cells": [], "to_move": "x"}
    move = Sample.inner_tools["move"]
    assert move.structure("3") == {"result": "3"}
    assert look.definition.annotations.read_only is True


def test_arguments_are_checked_and_typed() -> None:
    move = Sample.inner_tools["move"]
    assert move.parse({"column": 3}) == {"column": 3, "note": ""}
    with pytest.raises(ActionError, match="'column': \"3\" is not of type 'integer'"):
        move.parse({"column": "3"})
    with pytest.raises(ActionError, match="'column' is a required property"):
        move.parse({})
    with pytest.raises(ActionError, match="'row' was unexpected"):
        move.parse({"column": 1, "row": 2})
    with pytest.raises(ActionError, match="maximum of 6"):
        move.parse({"column": 9})


@pytest.mark.parametrize("reserved", ["reset", "step", "state", "close", "open_episode", "close_episode"])
def test_a_reserved_tool_name_fails_at_definition_time(reserved: str) -> None:
    with pytest.raises(DefinitionError, match="reserved name"):

        class Bad(Environment):
            name = "bad"

            @tool(name=reserved)
            def anything(self) -> str:
                """Clash."""
                return ""

        del Bad


def test_a_tool_without_annotations_fails_at_definition_time() -> None:
    with pytest.raises(DefinitionError, match="needs a type annotation"):

        class Bad(Environment):
            name = "bad"

            def shout(self, text) -> str:  # pyright: ignore[reportMissingParameterType, reportUnknownParameterType]
                """Shout."""
                return str(text)  # pyright: ignore[reportUnknownArgumentType]

            tool(shout)  # pyright: ignore[reportUnknownArgumentType]

        del Bad


def test_an_environment_needs_a_name() -> None:
    with pytest.raises(DefinitionError, match="must set a `name`"):

        class Nameless(Environment):
            pass

        del Nameless


def test_an_episode_id_parameter_fails_at_definition_time() -> None:
    """The server adds `episode_id` to every inner tool; a tool of its own by that name would vanish."""
    with pytest.raises(DefinitionError, match="parameter 'episode_id' is reserved"):

        class Bad(Environment):
            name = "bad"

            @tool()
            def lookup(self, episode_id: str) -> str:
                """Clash."""
                return episode_id

        del Bad
