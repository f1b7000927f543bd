"""Child servers for the proxy tests: a toy Python server, a broken one, and the reference Node servers."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from openenv_mcp.client.results import result_text
from openenv_mcp.testing import step_meta as step_meta
from openenv_mcp_mcp_proxy import NODE_DIR_VARIABLE, ProxyConfig
from openenv_mcp_mcp_proxy.config import node_server_entry

CHILDREN = Path(__file__).parent / "children"
NODE_DIR = Path(os.environ.get(NODE_DIR_VARIABLE) or Path(__file__).resolve().parents[3] / "tests" / "node")
"""The Node servers this repository's tests use: `npm ci` in tests/node installs them."""


def toy_config(**changes: Any) -> ProxyConfig:
    """The toy Python server (echo, env_value, crash, sleep, pid) as a child."""
    command = [sys.executable, str(CHILDREN / "toy_server.py")]
    return ProxyConfig.model_validate({"name": "toy", "command": command, **changes})


def garbage_config(**changes: Any) -> ProxyConfig:
    command = [sys.executable, str(CHILDREN / "garbage_server.py")]
    return ProxyConfig.model_validate({"name": "junk", "command": command, "call_timeout": 2, **changes})


def filesystem_config(**changes: Any) -> ProxyConfig:
    """The reference filesystem server, confined to the episode's workspace."""
    entry = str(node_server_entry("server-filesystem", NODE_DIR))
    return ProxyConfig.model_validate(
        {"name": "fs", "command": ["node", entry, "{workspace}"], "workspace": True, **changes}
    )


def everything_config(**changes: Any) -> ProxyConfig:
    entry = str(node_server_entry("server-everything", NODE_DIR))
    return ProxyConfig.model_validate({"name": "everything", "command": ["node", entry, "stdio"], **changes})


text = result_text
"""Every text block of a result (a proxied tool may answer several), as the tests read it."""
