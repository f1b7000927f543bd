"""A Claude Desktop entry that runs an environment's image over stdio, off the network."""

from __future__ import annotations

import shutil

from openenv_mcp.containers.build import image_tag
from openenv_mcp.containers.limits import ContainerLimits

__all__ = ["docker_claude_config"]


def docker_claude_config(
    env: str, *, image: str | None = None, mode: str = "training", limits: ContainerLimits | None = None
) -> dict[str, dict[str, dict[str, list[str] | str]]]:
    """The `claude_desktop_config.json` document for `docker run -i --rm --network none IMAGE`.

    >>> entry = docker_claude_config("echo", image="e:1")["mcpServers"]["openenv-echo"]
    >>> entry["args"][:5], entry["args"][-5:]
    (['run', '-i', '--rm', '--network', 'none'], ['e:1', '--transport', 'stdio', '--mode', 'training'])
    """
    docker = shutil.which("docker") or "docker"  # Claude's PATH is minimal: absolute when known
    flags = (limits or ContainerLimits()).run_flags()
    args = ["run", "-i", "--rm", "--network", "none", *flags, image or image_tag(env)]
    return {
        "mcpServers": {
            f"openenv-{env}": {"command": docker, "args": [*args, "--transport", "stdio", "--mode", mode]}
        }
    }
