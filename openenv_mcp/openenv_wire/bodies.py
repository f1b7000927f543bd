"""Request bodies read into pydantic models, with FastAPI's 422 answer when they do not fit."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = ["MAX_BODY_BYTES", "read_body", "unprocessable"]

MAX_BODY_BYTES = 4 * 1024 * 1024
"""The largest body read (the MCP endpoint's limit)."""

_M = TypeVar("_M", bound=BaseModel)


async def read_body(request: Request, model: type[_M], *, optional: bool = False) -> _M | Response:
    """The body as `model`, or the 413 or 422 response that says what is wrong with it."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return JSONResponse({"detail": f"the body is over {MAX_BODY_BYTES} bytes"}, status_code=413)
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        return JSONResponse({"detail": f"the body is over {MAX_BODY_BYTES} bytes"}, status_code=413)
    if optional and not raw.strip():
        return model()
    try:
        data: Any = json.loads(raw)
    except ValueError as exc:
        return unprocessable([{"type": "json_invalid", "loc": ["body"], "msg": f"JSON decode error: {exc}"}])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        return unprocessable(exc.errors(include_url=False, include_context=False, include_input=False))


def unprocessable(errors: Any) -> Response:
    """FastAPI's answer to a body that does not fit: 422 with the problems as ``detail``."""
    return JSONResponse({"detail": errors}, status_code=422)
