"""What an OpenEnv client asks first: ``/health``, ``/metadata``, ``/schema``, ``/openapi.json``."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from openenv_mcp.server import EnvServer
from openenv_mcp.spec import State

from .actions import WIRE_ACTION
from .observations import Envelope

__all__ = ["API_VERSION", "InfoRoutes", "Operation"]

API_VERSION = "1.0.0"
"""The OpenEnv HTTP API version we serve (`openenv validate --url` reads it as the 1.x profile)."""


class WireObservation(BaseModel):
    """The observation of a reset or a step (which fields appear depends on the action)."""

    text: str = Field(description="The observation as the agent reads it.")
    data: Any = Field(default=None, description="The observation as JSON.")
    tool_name: str | None = Field(default=None, description="A tool call's tool.")
    result: dict[str, Any] | None = Field(
        default=None, description="A tool call's MCP CallToolResult, with data."
    )
    error: dict[str, str] | None = Field(
        default=None, description="Why the action failed: error_type, message."
    )
    stdout: str | None = Field(default=None, description="A code action's standard output.")
    stderr: str | None = Field(default=None, description="A code action's standard error.")
    exit_code: int | None = Field(default=None, description="A code action's outcome: 0 ran, 1 failed.")
    tools: list[dict[str, Any]] | None = Field(default=None, description="list_tools: the inner tools.")


class Operation(BaseModel):
    """One route as `/openapi.json` lists it."""

    path: str
    method: str
    summary: str
    tag: str


class InfoRoutes:
    """The descriptive routes of one environment server."""

    def __init__(self, server: EnvServer, operations: list[Operation]) -> None:
        self.server, self.operations = server, operations

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "healthy"})

    async def metadata(self, request: Request) -> Response:
        cls = self.server.env_class
        return JSONResponse(
            {
                "name": cls.name,
                "description": cls.description,
                "readme_content": _readme(cls),
                "version": "0.1.0",
                "author": None,
                "documentation_url": None,
            }
        )

    async def schema(self, request: Request) -> Response:
        return JSONResponse(
            {
                "action": WIRE_ACTION.json_schema(),
                "observation": WireObservation.model_json_schema(),
                "state": State.model_json_schema(),
                "reset_options": self.server.env_class.options_schema(),
            }
        )

    async def openapi(self, request: Request) -> Response:
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            responses = {"200": {"description": "OK"}}
            if op.path in ("/reset", "/step"):
                content = {"application/json": {"schema": Envelope.model_json_schema()}}
                responses = {"200": {"description": "The observation envelope", "content": content}}
            paths.setdefault(op.path, {})[op.method] = {
                "summary": op.summary,
                "tags": [op.tag],
                "responses": responses,
            }
        info = {
            "title": f"OpenEnv HTTP API of openenv-mcp's {self.server.name} ({self.server.mode.value} mode)",
            "version": API_VERSION,
            "description": self.server.env_class.description,
        }
        return JSONResponse({"openapi": "3.1.0", "info": info, "paths": paths})


def _readme(cls: type) -> str | None:
    """The environment folder's README, where the package sits in its folder (a source checkout)."""
    try:
        folder = Path(inspect.getfile(cls)).resolve().parent.parent
    except (TypeError, OSError):
        return None
    readme = folder / "README.md"
    return readme.read_text(encoding="utf-8") if readme.is_file() else None
