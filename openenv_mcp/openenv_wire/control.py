"""OpenEnv's HTTP control routes: ``POST /reset``, ``POST /step`` and ``GET /state`` (training only).

As in OpenEnv they keep nothing between requests: ``/reset`` and ``/step`` each open an
episode for the one request and close it after. A client that wants an episode across
requests opens a session (``openenv/session/create`` on ``POST /mcp``, or ``reset`` on the
MCP endpoint) and names it: ``session_id`` in the ``/step`` body, ``?session_id=`` on
``/state``.
"""

from __future__ import annotations

from typing import Any

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from openenv_mcp.errors import (
    AtCapacityError,
    EpisodeClosedError,
    ForbiddenError,
    OpenEnvError,
    QuotaError,
    UnknownEpisodeError,
)
from openenv_mcp.server import EnvServer

from .actions import ListTools, parse_action
from .bodies import read_body, unprocessable
from .codes import WireCode, ws_code
from .frames import ResetData
from .observations import step_envelope, tools_envelope
from .sessions import Who, WireSession, inner_definitions

__all__ = ["ControlRoutes"]

_STATUS = {
    AtCapacityError.kind: 503,
    QuotaError.kind: 429,
    UnknownEpisodeError.kind: 404,
    EpisodeClosedError.kind: 404,
    ForbiddenError.kind: 403,
}


class _StepRequest(BaseModel):
    """OpenEnv's `StepRequest`, and the session to act in (ours)."""

    model_config = ConfigDict(extra="allow")

    action: dict[str, Any] = Field(description="The action (see /schema).")
    timeout_s: float | None = Field(default=None, gt=0)
    request_id: str | None = Field(default=None, max_length=255)
    session_id: str | None = Field(
        default=None, description="An open session to step; default: a fresh episode."
    )


class ControlRoutes:
    """``/reset``, ``/step`` and ``/state`` of one environment server."""

    def __init__(self, server: EnvServer) -> None:
        self.server = server

    async def reset(self, request: Request) -> Response:
        session = self._session(request)
        if refused := _forbidden(session):
            return refused
        body = await read_body(request, ResetData, optional=True)
        if isinstance(body, Response):
            return body
        try:
            return JSONResponse((await session.reset(body)).model_dump(mode="json"))
        except OpenEnvError as exc:
            return _refusal(exc)
        finally:
            with anyio.CancelScope(shield=True):
                await session.close()

    async def step(self, request: Request) -> Response:
        session = self._session(request)
        if refused := _forbidden(session):
            return refused
        body = await read_body(request, _StepRequest)
        if isinstance(body, Response):
            return body
        try:
            action = parse_action(body.action)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False, include_input=False)
            return unprocessable([{**e, "loc": ["body", "action", *e["loc"]]} for e in errors])
        try:
            if body.session_id is not None:
                session = WireSession(
                    self.server, session.who, self.server.registry.get(body.session_id, session.who.caller)
                )
            if isinstance(action, ListTools):
                envelope = tools_envelope(inner_definitions(self.server), session.episode)
            else:
                await session.ensure_episode()
                unified = action.to_action()
                result = await session.step(unified)
                envelope = step_envelope(unified, result, session.require_episode(), session.who.caller)
            return JSONResponse(envelope.model_dump(mode="json"))
        except OpenEnvError as exc:
            return _refusal(exc)
        finally:
            with anyio.CancelScope(shield=True):
                await session.close()

    async def state(self, request: Request) -> Response:
        session = self._session(request)
        wanted = request.query_params.get("session_id")
        if wanted is None:
            # OpenEnv answers a fresh environment's state: here, no episode.
            return _forbidden(session) or JSONResponse({"episode_id": None, "step_count": 0})
        try:
            session = WireSession(
                self.server, session.who, self.server.registry.get(wanted, session.who.caller)
            )
            return JSONResponse(session.state())
        except OpenEnvError as exc:
            return _refusal(exc)

    def _session(self, request: Request) -> WireSession:
        return WireSession(self.server, Who.of(self.server, request))


def _forbidden(session: WireSession) -> Response | None:
    """403 for a caller without control (a token with only the tools scope): production semantics."""
    if session.who.caller.control:
        return None
    return _refusal(ForbiddenError("this is a control route, and this caller has no control scope"))


def _refusal(exc: OpenEnvError) -> Response:
    status = _STATUS.get(exc.kind, 422 if ws_code(exc.kind) is WireCode.VALIDATION_ERROR else 500)
    return JSONResponse({"detail": str(exc), "kind": exc.kind}, status_code=status)
