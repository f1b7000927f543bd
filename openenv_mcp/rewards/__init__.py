"""Rewards from outside (OpenEnv's "external rewards"): reward functions beside the environment's own.

- ``Rubric([Reward(func, weight=, name=, on="end"|"step"), ...], env_weight=1.0)``: a
  weighted sum; each `func` has TRL's signature, ``func(prompts, completions, **kwargs) ->
  list[float | None]`` (the columns it gets: `openenv_mcp.rewards.context`).
- On the server: ``reward_server(server, rubric)``, or ``openenv-mcp serve --reward
  MODULE:CALLABLE[=WEIGHT]``. On the client: ``RewardedClient(EnvClient(...), rubric)`` and
  ``RewardedVectorClient(VectorEnvClient(...), rubric)``.
- Every scored step's `info` gets ``external_rewards`` ({name: value or None}),
  ``combined_reward``, and ``external_reward_errors`` ({name: why}) where one failed; the
  step's `reward` stays the environment's.
- Built-ins: `ExactMatch`, `Regex`, `UnitTests` (in the sandbox, with the python
  environment's grader) and `LLMJudge` (any OpenAI-compatible endpoint).
"""

from openenv_mcp.rewards.builtin import ExactMatch, Regex, answer_match
from openenv_mcp.rewards.client import RewardedClient, RewardedVectorClient
from openenv_mcp.rewards.context import EpisodeContext, completion_text
from openenv_mcp.rewards.endpoint import ChatEndpoint, EndpointError
from openenv_mcp.rewards.errors import RewardError
from openenv_mcp.rewards.judge import LLMJudge
from openenv_mcp.rewards.loading import load_reward, load_rubric
from openenv_mcp.rewards.rubric import Reward, Rubric, Scores
from openenv_mcp.rewards.server import reward_server
from openenv_mcp.rewards.unit_tests import UnitTests

__all__ = [
    "ChatEndpoint",
    "EndpointError",
    "EpisodeContext",
    "ExactMatch",
    "LLMJudge",
    "Regex",
    "Reward",
    "RewardError",
    "RewardedClient",
    "RewardedVectorClient",
    "Rubric",
    "Scores",
    "UnitTests",
    "answer_match",
    "completion_text",
    "load_reward",
    "load_rubric",
    "reward_server",
]
