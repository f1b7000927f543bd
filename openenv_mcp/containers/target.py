"""An environment's image as a client target: `docker run -i --rm --network none IMAGE` over stdio."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

from mcp import StdioServerParameters

from openenv_mcp.containers.build import image_tag
from openenv_mcp.containers.engine import LABEL, OWNER_LABEL, owner
from openenv_mcp.containers.errors import DockerUnavailableError
from openenv_mcp.containers.limits import ContainerLimits

__all__ = ["ImageTarget"]

_CLIENT_ENV = ("DOCKER_HOST", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "HOME", "PATH")


@dataclass(frozen=True)
class ImageTarget:
    """Run an environment's image for one client connection, off the network, removed afterwards.

    >>> ImageTarget("echo", image="e:1").stdio_parameters().args[-3:]
    ['e:1', '--transport', 'stdio']
    """

    env: str
    image: str | None = None
    limits: ContainerLimits = field(default_factory=ContainerLimits)
    mode: str = "training"

    def stdio_parameters(self) -> StdioServerParameters:
        docker = shutil.which("docker")
        if docker is None:
            raise DockerUnavailableError("the docker command is needed to run an image: install docker")
        labels = ["--label", f"{LABEL}=1", "--label", f"{OWNER_LABEL}={owner()}"]
        flags = ["--network", "none", *labels, *self.limits.run_flags()]
        args = ["run", "-i", "--rm", *flags, self.image or image_tag(self.env)]
        if self.mode != "training":
            args += ["--transport", "stdio", "--mode", self.mode]
        else:
            args += ["--transport", "stdio"]
        environ = {key: os.environ[key] for key in _CLIENT_ENV if key in os.environ}
        return StdioServerParameters(command=docker, args=args, env=environ)
