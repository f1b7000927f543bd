"""The MCP side: one server per environment, over stdio and Streamable HTTP."""

from openenv_mcp.server.control import META_ERROR, META_ROLE, META_STEP
from openenv_mcp.server.env_server import EnvServer, Mode

__all__ = ["META_ERROR", "META_ROLE", "META_STEP", "EnvServer", "Mode"]
