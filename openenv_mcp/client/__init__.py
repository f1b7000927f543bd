"""The trainer's side: remote environments as Gymnasium-style clients over MCP.

`EnvClient` runs one episode, `SyncEnvClient` is the same without `await`,
`VectorEnvClient` runs many episodes at once with autoreset, and `SharedConnection` lets
many `EnvClient`s (an agent loop's rollouts, each at its own pace) share one connection
with their concurrent steps sent together.
"""

from openenv_mcp.client.env_client import EnvClient
from openenv_mcp.client.episode import ActionLike
from openenv_mcp.client.results import ClientError, RemoteStepResult
from openenv_mcp.client.shared import SharedConnection
from openenv_mcp.client.sync import SyncEnvClient
from openenv_mcp.client.targets import Target
from openenv_mcp.client.vector import AutoresetMode, VectorEnvClient

__all__ = [
    "ActionLike",
    "AutoresetMode",
    "ClientError",
    "EnvClient",
    "RemoteStepResult",
    "SharedConnection",
    "SyncEnvClient",
    "Target",
    "VectorEnvClient",
]
