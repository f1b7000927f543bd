"""Transports: stdio (one environment per process) and Streamable HTTP (every environment)."""

from openenv_mcp.transports.http import build_app, serve_http
from openenv_mcp.transports.stdio import serve_stdio

__all__ = ["build_app", "serve_http", "serve_stdio"]
