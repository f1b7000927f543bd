"""The server's reward hook: every episode's steps scored by a rubric, whichever path stepped them.

`reward_server(server, rubric)` makes each environment the server hands an episode report,
in every step's `info`, ``external_rewards`` ({name: value}) and ``combined_reward``
(``env_weight * reward + the weighted rewards from outside``), and
``external_reward_errors`` where one failed. The step's `reward` stays the environment's
own. The hook wraps the environment's own `reset` and `step`, so MCP calls, `step`,
`step_batch`, code and OpenEnv's `/ws` all see the same scores (and the recorder keeps them).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from openenv_mcp.environment import Environment
from openenv_mcp.rewards.context import EpisodeContext
from openenv_mcp.rewards.rubric import Rubric
from openenv_mcp.spec import CodeAction, ResetResult, StepResult, ToolCallAction

if TYPE_CHECKING:
    from openenv_mcp.server import EnvServer

__all__ = ["ScoredEnvironment", "reward_server"]


def reward_server(server: EnvServer, rubric: Rubric) -> None:
    """Score every episode `server` opens from now on with `rubric`."""
    server.env_hooks.append(partial(ScoredEnvironment.attach, rubric=rubric))


class ScoredEnvironment:
    """One environment's reset and step, wrapped to keep its episode's context and score each step."""

    def __init__(self, env: Environment, rubric: Rubric) -> None:
        self.env, self.rubric = env, rubric
        self._reset, self._step = env.reset, env.step
        # An episode adopted mid-way (another front door opened it) is scored from where it stands.
        self.context = EpisodeContext.joined(env.step_count, env.total_reward)

    @classmethod
    def attach(cls, env: Environment, rubric: Rubric) -> ScoredEnvironment:
        scored = cls(env, rubric)
        # On the instance: every caller of env.step (the episode, CodeAct, /ws) gets the scores.
        env.reset = scored.reset
        env.step = scored.step
        return scored

    async def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> ResetResult:
        first = await self._reset(seed=seed, options=options)
        self.context = EpisodeContext.start(first.observation, options)
        return first

    async def step(self, action: ToolCallAction | CodeAction) -> StepResult:
        result = await self._step(action)
        self.context.add(action, result)
        (scores,) = await self.rubric.score([self.context.row(result)], [result])
        return result.model_copy(update={"info": {**result.info, **scores.info()}})
