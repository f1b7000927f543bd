"""Moved to `openenv_mcp.testing` (the kit environment authors use too); kept for the tests that import it here."""

from openenv_mcp.testing import running_http, text

__all__ = ["running_http", "text"]
