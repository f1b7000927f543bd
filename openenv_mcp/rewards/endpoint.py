"""An OpenAI-compatible chat endpoint (``POST {url}/chat/completions``): the LLM judge's and eval's model.

Any server that speaks the Chat Completions shape works (vLLM, SGLang, llama.cpp, a hosted
API). What goes wrong is an `EndpointError` naming the URL: unreachable, an HTTP error
status, or an answer that is not a chat completion.
"""

from __future__ import annotations

import json
import os
from typing import Any, cast

import httpx2

from openenv_mcp.errors import OpenEnvError

__all__ = ["ChatEndpoint", "EndpointError"]


class EndpointError(OpenEnvError):
    """A model endpoint could not be reached, refused the request, or answered something unreadable."""

    kind = "model_endpoint"


class ChatEndpoint:
    """One model behind an OpenAI-compatible URL (``http://HOST:PORT/v1``); the key from `OPENAI_API_KEY`."""

    def __init__(self, url: str, model: str, *, api_key: str | None = None, timeout: float = 120.0) -> None:
        base = url.rstrip("/")
        self.url = base if base.endswith("/chat/completions") else f"{base}/chat/completions"
        self.model, self.timeout = model, timeout
        key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY")
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def body(self, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        return {
            "model": self.model,
            "messages": messages,
            **{k: v for k, v in extra.items() if v is not None},
        }

    def complete(self, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """The assistant message answering `messages` (blocking)."""
        try:
            with httpx2.Client(timeout=self.timeout) as http:
                response = http.post(self.url, json=self.body(messages, **extra), headers=self.headers)
        except httpx2.HTTPError as exc:
            raise EndpointError(
                f"model endpoint {self.url} is unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        return self.message(response.status_code, response.text)

    async def acomplete(self, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """The assistant message answering `messages`."""
        try:
            async with httpx2.AsyncClient(timeout=self.timeout) as http:
                response = await http.post(self.url, json=self.body(messages, **extra), headers=self.headers)
        except httpx2.HTTPError as exc:
            raise EndpointError(
                f"model endpoint {self.url} is unreachable: {type(exc).__name__}: {exc}"
            ) from exc
        return self.message(response.status_code, response.text)

    def message(self, status: int, text: str) -> dict[str, Any]:
        """`choices[0].message` of a chat completion's body; an `EndpointError` for anything else."""
        if status >= 400:
            raise EndpointError(f"model endpoint {self.url} answered HTTP {status}: {text[:200]}")
        try:
            data: Any = json.loads(text)
            message: Any = data["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EndpointError(
                f"model endpoint {self.url} answered something that is not a chat completion: {text[:200]!r}"
            ) from exc
        if not isinstance(message, dict):
            raise EndpointError(f"model endpoint {self.url} answered a message that is not an object")
        return cast(dict[str, Any], message)
