"""The client is light: importing it loads none of the server's, the sandbox's or the containers' code."""

from __future__ import annotations

import subprocess
import sys

PROBE = (
    "import sys, openenv_mcp.client\n"
    "heavy = sorted(m for m in sys.modules if m.startswith(('openenv_mcp.server', 'openenv_mcp.sandbox',"
    " 'openenv_mcp.containers', 'openenv_mcp.transports', 'openenv_mcp.environment.codeact')))\n"
    "print(heavy)"
)


def test_importing_the_client_loads_no_server_sandbox_or_container_code() -> None:
    ran = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert ran.stdout.strip() == "[]", ran.stdout


def test_code_act_names_still_import_from_the_environment_package() -> None:
    from openenv_mcp.environment import CodeActEnvironment, CodeActOptions, CodeObservation

    assert CodeActEnvironment.__name__ == "CodeActEnvironment" and CodeActOptions and CodeObservation
