"""Evaluation: ``openenv-mcp eval``, and the pieces for a trainer's own.

- ``evaluate(target, Plan(tasks, episodes=, concurrency=, max_steps=, success_threshold=),
  policy, rubric=None, progress=None) -> list[Outcome]``: every task `episodes` times over
  our client (in memory for an `EnvServer`, else a URL); a failing episode is an `Outcome`
  with its `error`.
- Policies: `oracle` (in-process), `random_policy`, `callable_policy(func)`, `load_policy(name)`,
  `model_policy(ChatModel)` (a chat model through the adapters: `Conversation`, shared with
  examples/agent_loop.py; `EndpointModel` for an OpenAI-compatible endpoint).
- `summary(outcomes, ks)`, `table`, `write_results`, `plot`; `pass_at_k` and `bootstrap_ci`.
"""

from openenv_mcp.evaluation.chat import ChatModel, Conversation, EndpointModel, Format, parse, reply
from openenv_mcp.evaluation.errors import EvaluationError
from openenv_mcp.evaluation.policies import (
    Player,
    PolicyFactory,
    Seat,
    callable_policy,
    load_policy,
    model_policy,
    oracle,
    random_policy,
)
from openenv_mcp.evaluation.report import plot, summary, table, write_results
from openenv_mcp.evaluation.runner import Outcome, Plan, evaluate
from openenv_mcp.evaluation.stats import bootstrap_ci, pass_at_k

__all__ = [
    "ChatModel",
    "Conversation",
    "EndpointModel",
    "EvaluationError",
    "Format",
    "Outcome",
    "Plan",
    "Player",
    "PolicyFactory",
    "Seat",
    "bootstrap_ci",
    "callable_policy",
    "evaluate",
    "load_policy",
    "model_policy",
    "oracle",
    "parse",
    "pass_at_k",
    "plot",
    "random_policy",
    "reply",
    "summary",
    "table",
    "write_results",
]
