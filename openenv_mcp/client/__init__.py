"""The trainer's side: remote environments as Gymnasium-style clients over MCP.

`EnvClient` runs one episode, `SyncEnvClient` is the same without `await`, and
`VectorEnvClient` runs many episodes at once with autoreset.
"""

from openenv_mcp.client.env_client import EnvClient
from openenv_mcp.client.episode import ActionLike
from openenv_mcp.client.results import ClientError, RemoteStepResult
from openenv_mcp.client.sync import SyncEnvClient
from openenv_mcp.client.targets import Target
from openenv_mcp.client.vector import AutoresetMode, VectorEnvClient

__all__ = [
    "ActionLike",
    "AutoresetMode",
    "ClientError",
    "EnvClient",
    "RemoteStepResult",
    "SyncEnvClient",
    "Target",
    "VectorEnvClient",
]
