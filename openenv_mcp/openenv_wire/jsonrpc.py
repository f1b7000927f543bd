"""OpenEnv's JSON-RPC methods: ``tools/list``, ``tools/call`` and ``openenv/session/create|close``.

They answer ``POST /mcp`` (a request without MCP's marks: see `mount`), the WebSocket
``/mcp``, and the ``mcp`` frames of ``/ws``. A session is one of our episodes and its
``session_id`` is the episode's handle. ``tools/call`` with a ``session_id`` (or on a
WebSocket) is a step of that episode; without one it is a step of an episode opened for the
call and closed after it, as OpenEnv answers with a fresh environment. A failed call is a
step all the same (counted, penalised) and answers a JSON-RPC error, as OpenEnv's does, so
that its `MCPToolClient` raises.
"""

from __future__ import annotations

import json
import logging
from typing import Any, TypeVar

import anyio
from mcp.types import (
    INVALID_PARAMS,
    INVALID_REQUEST,
    METHOD_NOT_FOUND,
    PARSE_ERROR,
    ErrorData,
    JSONRPCError,
    JSONRPCRequest,
    JSONRPCResponse,
    RequestId,
)
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.spec.wire import META_STEP

from .codes import SERVER_ERROR, rpc_code
from .jsonish import member
from .observations import call_result, listed_tools
from .sessions import Attachments, Who, WireSession, inner_definitions, open_episode, refused

__all__ = ["METHODS", "JsonRpc", "parse_error"]

logger = logging.getLogger(__name__)

_P = TypeVar("_P", bound=BaseModel)

METHODS = ("tools/list", "tools/call", "openenv/session/create", "openenv/session/close")


class _Params(BaseModel):
    model_config = ConfigDict(extra="allow")

    session_id: str | None = Field(default=None, description="The session (episode) to act in.")


class _CallParams(_Params):
    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)


class _CreateParams(_Params):
    seed: int | None = Field(default=None, ge=0)
    options: dict[str, Any] | None = None


class _RpcFailure(Exception):
    """A JSON-RPC error answer."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code, self.message, self.data = code, message, data


class JsonRpc:
    """OpenEnv's JSON-RPC methods for one environment server."""

    def __init__(self, server: EnvServer, attachments: Attachments) -> None:
        self.server, self.attachments = server, attachments

    async def answer_text(
        self, body: str | bytes, who: Who, session: WireSession | None = None
    ) -> dict[str, Any]:
        """The response to one request's raw text."""
        try:
            message = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return parse_error(f"the body is not JSON ({exc})")
        return await self.answer(message, who, session)

    async def answer(self, message: Any, who: Who, session: WireSession | None = None) -> dict[str, Any]:
        """The response to one request, parsed JSON."""
        try:
            request = JSONRPCRequest.model_validate(message)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'request'}: {e['msg']}" for e in exc.errors()
            )
            return _error(_id_of(message), INVALID_REQUEST, f"Invalid request: {problems}")
        try:
            result = await self._dispatch(request, who, session)
        except _RpcFailure as failure:
            return _error(request.id, failure.code, failure.message, failure.data)
        except OpenEnvError as exc:
            refused(
                self.server,
                who,
                request.method,
                exc,
                session.episode.id if session and session.episode else None,
            )
            return _error(request.id, rpc_code(exc.kind), str(exc), {"kind": exc.kind})
        return JSONRPCResponse(jsonrpc="2.0", id=request.id, result=result).model_dump(
            mode="json", by_alias=True
        )

    async def _dispatch(
        self, request: JSONRPCRequest, who: Who, session: WireSession | None
    ) -> dict[str, Any]:
        params = request.params or {}
        match request.method:
            case "tools/list":
                return {"tools": listed_tools(inner_definitions(self.server))}
            case "tools/call":
                return await self._call(_parsed(_CallParams, params), who, session)
            case "openenv/session/create":
                return await self._create(_parsed(_CreateParams, params), who, session)
            case "openenv/session/close":
                return await self._close(_parsed(_Params, params), who, session)
            case method:
                raise _RpcFailure(
                    METHOD_NOT_FOUND,
                    f"method {method!r} is not one of OpenEnv's ({', '.join(METHODS)}); an MCP client "
                    "reaches the MCP endpoint at this same path by sending MCP's headers "
                    "(Accept: application/json, text/event-stream)",
                )

    async def _call(self, params: _CallParams, who: Who, session: WireSession | None) -> dict[str, Any]:
        one_call = session is None and params.session_id is None
        if session is None:
            named = self.server.registry.get(params.session_id, who.caller) if params.session_id else None
            session = WireSession(self.server, who, named)
        try:
            episode = await session.ensure_episode()
            result = await session.step(ToolCallAction(tool_name=params.name, parameters=params.arguments))
        finally:
            if one_call:
                with anyio.CancelScope(shield=True):
                    await session.close()
        meta: dict[str, Any] = {"episode_id": episode.id, "step_count": episode.env.step_count}
        if who.caller.control:
            meta.update(reward=result.reward, terminated=result.terminated, truncated=result.truncated)
        if result.error is not None:
            data = {"kind": result.error_kind, META_STEP: meta}
            raise _RpcFailure(rpc_code(result.error_kind or ""), result.error, data)
        spec = episode.env.inner_tools.get(params.name)
        structured = spec.structure(result.observation) if spec is not None else None
        return {**call_result(result, structured), "_meta": {META_STEP: meta}}

    async def _create(self, params: _CreateParams, who: Who, session: WireSession | None) -> dict[str, Any]:
        if session is not None:
            return {"session_id": (await session.ensure_episode()).id}
        try:
            episode, _ = await open_episode(self.server, who, params.seed, params.options)
        except OpenEnvError as exc:
            refused(self.server, who, "openenv/session/create", exc, None)
            limits = self.server.registry.limits
            data = {
                "kind": exc.kind,
                "active_sessions": self.server.registry.live,
                "max_sessions": limits.capacity,
            }
            raise _RpcFailure(SERVER_ERROR, str(exc), data) from exc
        return {"session_id": episode.id}

    async def _close(self, params: _Params, who: Who, session: WireSession | None) -> dict[str, Any]:
        target = params.session_id
        if not target:
            raise _RpcFailure(INVALID_PARAMS, "Invalid params - 'session_id' is required")
        if session is not None and session.episode is not None and session.episode.id == target:
            raise _RpcFailure(INVALID_REQUEST, "Cannot close active WebSocket-managed session via MCP method")
        try:
            episode = self.server.registry.get(target, who.caller)
        except OpenEnvError as exc:
            raise _RpcFailure(
                INVALID_PARAMS, f"Unknown session_id: {target} ({exc})", {"kind": exc.kind}
            ) from exc
        if episode.id in self.attachments.attached:
            # A WebSocket still uses it: it closes when that socket detaches, as OpenEnv does.
            self.attachments.closing.add(episode.id)
            return {"session_id": target, "closed": False, "closing": True}
        await self.server.registry.close(episode.id, "closed by openenv/session/close")
        return {"session_id": target, "closed": True}


def _parsed(model: type[_P], params: dict[str, Any]) -> _P:
    try:
        return model.model_validate(params)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'params'}: {e['msg']}" for e in exc.errors())
        raise _RpcFailure(INVALID_PARAMS, f"Invalid params: {problems}") from exc


def parse_error(reason: str) -> dict[str, Any]:
    """The answer to a request that could not be read at all."""
    return _error(None, PARSE_ERROR, f"Parse error: {reason}")


def _id_of(message: Any) -> RequestId | None:
    found = member(message, "id")
    return found if isinstance(found, str | int) and not isinstance(found, bool) else None


def _error(request_id: RequestId | None, code: int, message: str, data: Any = None) -> dict[str, Any]:
    error = ErrorData(code=code, message=message, data=data)
    return JSONRPCError(jsonrpc="2.0", id=request_id, error=error).model_dump(mode="json", by_alias=True)
