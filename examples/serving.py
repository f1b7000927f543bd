"""Moved to `openenv_mcp.testing.serving`; kept as a name for the scripts that import it from here."""

from openenv_mcp.testing.serving import Served, running_http, served, served_command, served_process

__all__ = ["Served", "running_http", "served", "served_command", "served_process"]
