"""OpenEnv's wire protocol (0.10) on our app: every environment speaks it beside its MCP endpoint.

``http://HOST:PORT/envs/<name>`` is an environment's OpenEnv base URL (and the root, on a
one-environment server): the session WebSocket ``/ws``, the HTTP routes ``/reset``,
``/step``, ``/state``, ``/health``, ``/metadata``, ``/schema`` and ``/openapi.json``, the
Task API, and OpenEnv's JSON-RPC ``/mcp`` beside our Streamable HTTP MCP endpoint at the same
path (`mount.speaks_mcp` routes between them). Every OpenEnv session is one of our episodes.
See docs/openenv.md.
"""

from openenv_mcp.openenv_wire.mount import OpenEnvSurface, speaks_mcp

__all__ = ["OpenEnvSurface", "speaks_mcp"]
