"""The web playground: a page per environment that plays it over MCP, and the catalogue at ``/``.

The pages are static files of this package (HTML, CSS and plain JavaScript modules, no
build step); the page speaks MCP 2026-07-28 to the environment's own endpoint, as every other
client does (rfcs/006-web-playground.md).
"""

from openenv_mcp.playground.pages import CONTENT_SECURITY_POLICY, Pages

__all__ = ["CONTENT_SECURITY_POLICY", "Pages"]
