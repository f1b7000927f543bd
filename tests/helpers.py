"""Moved to `openenv_mcp.testing` (the kit authors use too); kept for the tests that import it from here."""

from openenv_mcp.testing import running_http, text

__all__ = ["running_http", "text"]
