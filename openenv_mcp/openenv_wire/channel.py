"""OpenEnv's WebSocket channels: the session channel ``/ws`` and JSON-RPC over ``/mcp``.

Frames are read one at a time and each is answered before the next is read, so replies
come in order, one per request, on the socket that carried the request. Bad input (a
binary frame, an oversize frame, text that is not JSON, an unknown frame type, a frame or
action of the wrong shape, a step before reset, a closed episode) is answered with an error
frame in OpenEnv's shape and the connection stays usable. When the socket closes, the
session's episode closes with it (an episode the socket only attached to stays open).
"""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

import anyio
from pydantic import ValidationError
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from openenv_mcp.errors import OpenEnvError
from openenv_mcp.server import EnvServer

from .actions import ListTools, parse_action
from .codes import WireCode, ws_code
from .frames import (
    CLIENT_FRAME,
    FRAME_TYPES,
    CloseFrame,
    McpFrame,
    ReplyFrame,
    ResetData,
    ResetFrame,
    StepFrame,
)
from .jsonish import member
from .jsonrpc import JsonRpc, parse_error
from .observations import step_envelope, tools_envelope
from .sessions import Attachments, Who, WireSession, inner_definitions

__all__ = ["MAX_FRAME_CHARACTERS", "json_rpc_channel", "session_channel"]

logger = logging.getLogger(__name__)

MAX_FRAME_CHARACTERS = 4 * 1024 * 1024
"""The largest frame answered as a request (the MCP endpoint's body limit); a longer one gets
an error frame. Past uvicorn's own limit (16 MiB) the socket closes with 1009."""


class _Refused(Exception):
    """A frame answered with an error frame."""

    def __init__(self, code: WireCode, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.code, self.message, self.extra = code, message, extra


async def session_channel(websocket: WebSocket, server: EnvServer, attachments: Attachments) -> None:
    """Serve one ``/ws`` connection: a session of its own, or one attached with ``?session_id=``."""
    await websocket.accept()
    who = Who.of(server, websocket)
    session = await _attach(websocket, server, who, attachments)
    if session is None:
        return
    rpc = JsonRpc(server, attachments)
    try:
        while (text := await _next_text(websocket)) is not None:
            reply = await _answer_frame(text, session, rpc)
            if reply is None:
                break
            await websocket.send_text(reply.model_dump_json())
    except WebSocketDisconnect:
        pass
    finally:
        with anyio.CancelScope(shield=True):
            await _end(session, attachments)
            await _close_socket(websocket)


async def json_rpc_channel(websocket: WebSocket, server: EnvServer, attachments: Attachments) -> None:
    """Serve one WebSocket ``/mcp`` connection: JSON-RPC requests in its own session."""
    await websocket.accept()
    who = Who.of(server, websocket)
    session, rpc = WireSession(server, who), JsonRpc(server, attachments)
    try:
        while (text := await _next_text(websocket)) is not None:
            if isinstance(text, _Refused):
                reply = parse_error(text.message)
            else:
                reply = await rpc.answer_text(text, who, session)
            await websocket.send_text(json.dumps(reply))
    except WebSocketDisconnect:
        pass
    finally:
        with anyio.CancelScope(shield=True):
            await session.close()
            await _close_socket(websocket)


async def _attach(
    websocket: WebSocket, server: EnvServer, who: Who, attachments: Attachments
) -> WireSession | None:
    wanted = websocket.query_params.get("session_id")
    if not wanted:
        return WireSession(server, who)
    try:
        episode = server.registry.get(wanted, who.caller)
    except OpenEnvError as exc:
        await _refuse_and_close(websocket, f"Unknown session_id: {wanted} ({exc})", exc.kind)
        return None
    if episode.id in attachments.attached:
        await _refuse_and_close(websocket, f"Session {wanted} already has an attached WebSocket", "episode")
        return None
    attachments.attached.add(episode.id)
    return WireSession(server, who, episode)


async def _end(session: WireSession, attachments: Attachments) -> None:
    episode = session.episode
    if episode is not None and not session.owned:
        attachments.attached.discard(episode.id)
        if episode.id in attachments.closing:
            attachments.closing.discard(episode.id)
            await session.server.registry.close(episode.id, "closed by openenv/session/close")
    await session.close()


async def _next_text(websocket: WebSocket) -> str | _Refused | None:
    """The next text frame, a refusal for a frame that is not one, or None once the socket closed."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        return _Refused(WireCode.INVALID_JSON, "binary frames are not read here: send JSON as a text frame")
    if len(text) > MAX_FRAME_CHARACTERS:
        limit = MAX_FRAME_CHARACTERS
        return _Refused(
            WireCode.VALIDATION_ERROR, f"a frame of {len(text)} characters is over the limit of {limit}"
        )
    return text


async def _answer_frame(text: str | _Refused, session: WireSession, rpc: JsonRpc) -> ReplyFrame | None:
    """The one reply to one frame; None for a close frame."""
    try:
        if isinstance(text, _Refused):
            raise text
        frame = _parse_frame(text)
        if isinstance(frame, CloseFrame):
            return None
        return await _dispatch(frame, session, rpc)
    except _Refused as refusal:
        return _error_frame(refusal.code, refusal.message, **refusal.extra)
    except OpenEnvError as exc:
        return _error_frame(ws_code(exc.kind), str(exc), kind=exc.kind)
    except Exception as exc:  # the boundary: the session goes on, and the operator sees why
        logger.exception("an OpenEnv frame failed on %s", session.server.name)
        return _error_frame(WireCode.EXECUTION_ERROR, f"{type(exc).__name__}: {exc}", kind="error")


def _parse_frame(text: str) -> Any:
    try:
        message = json.loads(text)
    except ValueError as exc:
        raise _Refused(WireCode.INVALID_JSON, f"Invalid JSON: {exc}") from exc
    kind = member(message, "type")
    if kind not in FRAME_TYPES:
        known = ", ".join(FRAME_TYPES)
        raise _Refused(WireCode.UNKNOWN_TYPE, f"Unknown message type: {kind!r} (the types are {known})")
    try:
        return CLIENT_FRAME.validate_python(message)
    except ValidationError as exc:
        raise _invalid("Invalid message", exc) from exc


async def _dispatch(frame: Any, session: WireSession, rpc: JsonRpc) -> ReplyFrame:
    if isinstance(frame, ResetFrame):
        try:
            data = ResetData.model_validate(frame.data)
        except ValidationError as exc:
            raise _invalid("Invalid reset", exc) from exc
        return ReplyFrame(type="observation", data=(await session.reset(data)).model_dump(mode="json"))
    if isinstance(frame, StepFrame):
        try:
            action = parse_action(frame.data)
        except ValidationError as exc:
            raise _invalid("Invalid action", exc) from exc
        if isinstance(action, ListTools):
            envelope = tools_envelope(inner_definitions(session.server), session.episode)
        else:
            unified = action.to_action()
            result = await session.step(unified)
            envelope = step_envelope(unified, result, session.require_episode(), session.who.caller)
        return ReplyFrame(type="observation", data=envelope.model_dump(mode="json"))
    if isinstance(frame, McpFrame):
        return ReplyFrame(type="mcp", data=await rpc.answer(frame.data, session.who, session))
    return ReplyFrame(type="state", data=session.state())


def _invalid(message: str, exc: ValidationError) -> _Refused:
    errors = exc.errors(include_url=False, include_context=False, include_input=False)
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'frame'}: {e['msg']}" for e in errors)
    return _Refused(WireCode.VALIDATION_ERROR, f"{message}: {problems}", errors=errors)


def _error_frame(code: WireCode, message: str, **extra: Any) -> ReplyFrame:
    return ReplyFrame(type="error", data={"message": message, "code": code.value, **extra})


async def _refuse_and_close(websocket: WebSocket, message: str, kind: str) -> None:
    frame = _error_frame(WireCode.SESSION_ERROR, message, kind=kind)
    await websocket.send_text(frame.model_dump_json())
    await _close_socket(websocket)


async def _close_socket(websocket: WebSocket) -> None:
    if websocket.application_state == WebSocketState.CONNECTED:
        with contextlib.suppress(RuntimeError, WebSocketDisconnect, OSError):  # the client went first
            await websocket.close()
