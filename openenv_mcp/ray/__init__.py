"""Episodes on a Ray cluster: one actor per episode, placed by the resources it declares.

`serve --ray ADDRESS` keeps the MCP front door here and the episodes in actors
(`RayEpisodes`, the registry's provider); `EpisodePool` gives a trainer already on Ray the
same episodes without HTTP. See rfcs/007-ray-episodes.md and docs/scaling.md.
"""

from openenv_mcp.ray._ray import RayUnavailableError, connect
from openenv_mcp.ray.actor import Placement
from openenv_mcp.ray.pool import EpisodePool, PoolEpisode
from openenv_mcp.ray.provider import DEFAULT_NAMESPACE, RayEpisodes
from openenv_mcp.ray.resources import RayResources

__all__ = [
    "DEFAULT_NAMESPACE",
    "EpisodePool",
    "Placement",
    "PoolEpisode",
    "RayEpisodes",
    "RayResources",
    "RayUnavailableError",
    "connect",
]
