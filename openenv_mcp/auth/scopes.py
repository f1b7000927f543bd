"""The scopes a token can carry, and who a verified token's principal is.

``openenv:control`` is the trainer's: the control tools (reset, step, step_batch, state,
close) and the rewards in results, and the inner tools too, since `step` reaches them anyway.
``openenv:tools`` is the agent's: the inner tools only, with no control tool listed and no
reward reported, as production mode gives everyone. ``openenv:metrics`` lets a scraper read
``/metrics`` and nothing else.

>>> sorted(SCOPES)
['openenv:control', 'openenv:metrics', 'openenv:tools']
"""

from __future__ import annotations

from mcp.server.auth.provider import AccessToken

__all__ = ["CONTROL", "ENVIRONMENT_SCOPES", "METRICS", "SCOPES", "TOOLS", "principal_of"]

CONTROL = "openenv:control"
TOOLS = "openenv:tools"
METRICS = "openenv:metrics"
SCOPES = frozenset({CONTROL, TOOLS, METRICS})
ENVIRONMENT_SCOPES = frozenset({CONTROL, TOOLS})
"""Either of these opens an environment's MCP endpoint."""


def principal_of(token: AccessToken) -> str:
    """The principal a verified token speaks for: its subject, else its client."""
    return token.subject or token.client_id
