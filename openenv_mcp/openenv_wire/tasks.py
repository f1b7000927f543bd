"""OpenEnv's Task API, served from an environment's tasks (`Environment.tasks()`).

Our environments name their tasks (id to title) and take one as the ``task`` reset option;
they have no splits. So an environment with tasks serves one split, ``all`` (of type
``train``), whose tasks are in `tasks()` order, each with the reset options that start it;
an environment without tasks answers 501, as OpenEnv does for an environment without a task
provider.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from openenv_mcp.server import EnvServer

from .bodies import read_body

__all__ = ["SPLIT", "TaskApi"]

SPLIT = "all"
"""The one split of an environment's tasks."""


class _Split(BaseModel):
    model_config = ConfigDict(extra="forbid")
    split: str = Field(description="Task split name")


class _Index(_Split):
    index: int = Field(description="Task index within the split")


class _Range(_Split):
    start: int | None = None
    stop: int | None = None


class TaskApi:
    """The Task API routes of one environment server."""

    def __init__(self, server: EnvServer) -> None:
        self.server = server

    def tasks(self) -> list[dict[str, Any]]:
        return [
            {"id": task, "title": title, "reset": {"options": {"task": task}}}
            for task, title in self.server.env_class.tasks().items()
        ]

    async def list_environments(self, request: Request) -> Response:
        return JSONResponse([self.server.name])

    async def splits(self, request: Request) -> Response:
        refused = self._refusal(request)
        return refused or JSONResponse([{"name": SPLIT, "type": "train"}])

    async def list_tasks(self, request: Request) -> Response:
        body = await read_body(request, _Split)
        refused = self._refusal(request, body)
        return refused or JSONResponse({"tasks": self.tasks(), "env_name": self.server.name})

    async def num_tasks(self, request: Request) -> Response:
        body = await read_body(request, _Split)
        refused = self._refusal(request, body)
        return refused or JSONResponse({"num_tasks": len(self.tasks())})

    async def task(self, request: Request) -> Response:
        body = await read_body(request, _Index)
        refused = self._refusal(request, body)
        if refused is not None:
            return refused
        assert isinstance(body, _Index)
        tasks = self.tasks()
        if not 0 <= body.index < len(tasks):
            return _detail(400, f"Invalid task index {body.index}: the split has {len(tasks)} tasks")
        return JSONResponse({"task": tasks[body.index]})

    async def task_range(self, request: Request) -> Response:
        body = await read_body(request, _Range)
        refused = self._refusal(request, body)
        if refused is not None:
            return refused
        assert isinstance(body, _Range)
        return JSONResponse({"tasks": self.tasks()[body.start : body.stop]})

    def _refusal(self, request: Request, body: BaseModel | Response | None = None) -> Response | None:
        """The answer when the path, the body or the split is wrong, or there are no tasks."""
        if isinstance(body, Response):
            return body
        asked = str(request.path_params["env_name"])
        if asked.lower() != self.server.name.lower():
            return _detail(404, f"unknown environment {asked!r}; this server serves {self.server.name!r}")
        if not self.server.env_class.tasks():
            return _detail(501, f"{self.server.name} declares no tasks: reset it with options (see /schema)")
        if isinstance(body, _Split) and body.split != SPLIT:
            return _detail(404, f"unknown split {body.split!r}; the one split is {SPLIT!r}")
        return None


def _detail(status: int, message: str) -> Response:
    return JSONResponse({"detail": message}, status_code=status)
