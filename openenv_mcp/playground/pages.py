"""The playground's routes: ``/`` (the catalogue), ``/envs/<name>/play``, and its static assets.

The pages carry no data (the script reads the catalogue and speaks MCP with the caller's
token), so they need no token themselves; each route is handed to `guard` (the app's Host and
Origin check). Every answer forbids inline script and style, framing, and any fetch that
is not to this origin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from importlib import resources

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ASSET_PATH", "CONTENT_SECURITY_POLICY", "Pages"]

ASSET_PATH = "/playground"
"""Where the static assets are served."""

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # an environment's SVG view, shown as an image: no script runs in one
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}
_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class Pages:
    """The playground of the environments `names` (the pages and their assets)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)
        folder = resources.files("openenv_mcp.playground") / "static"
        # Read once: the set of files served is fixed, so no request path ever reaches the disk.
        self.assets = {
            item.name: item.read_bytes()
            for item in folder.iterdir()
            if item.is_file() and any(item.name.endswith(suffix) for suffix in _TYPES)
        }

    def routes(self, guard: Callable[[ASGIApp], ASGIApp]) -> list[BaseRoute]:
        pages: list[tuple[str, Callable[[Request], Response]]] = [
            ("/", self.catalogue),
            ("/envs/{name}/play", self.play),
            (ASSET_PATH + "/{asset}", self.asset),
        ]
        return [Route(path, guard(_Endpoint(page)), methods=["GET", "HEAD"]) for path, page in pages]

    def catalogue(self, request: Request) -> Response:
        return self._file("index.html")

    def play(self, request: Request) -> Response:
        if request.path_params["name"] not in self.names:
            return PlainTextResponse("no such environment here", status_code=404, headers=_HEADERS)
        return self._file("play.html")

    def asset(self, request: Request) -> Response:
        name = request.path_params["asset"]
        if name.endswith(".html") or name not in self.assets:
            return PlainTextResponse("not found", status_code=404, headers=_HEADERS)
        return self._file(name)

    def _file(self, name: str) -> Response:
        suffix = name[name.rfind(".") :]
        return Response(self.assets[name], media_type=_TYPES[suffix], headers=_HEADERS)


class _Endpoint:
    """A page as a plain ASGI app, so that the Host check can wrap it."""

    def __init__(self, render: Callable[[Request], Response]) -> None:
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.render(Request(scope, receive))(scope, receive, send)
