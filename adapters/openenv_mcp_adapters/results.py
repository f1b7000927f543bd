"""A step's outcome as the text a model reads back.

>>> from openenv_mcp.spec import StepResult
>>> result_text(StepResult(observation={"score": 1}))
'{"score": 1}'
"""

from __future__ import annotations

import json

from openenv_mcp.spec import StepResult
from openenv_mcp.spec.data import jsonable

__all__ = ["is_error", "result_text"]


def result_text(result: StepResult | str) -> str:
    """The observation as text: strings as they are, anything else as JSON."""
    observation = result if isinstance(result, str) else result.observation
    if observation is None:
        return ""
    if isinstance(observation, str):
        return observation
    return json.dumps(jsonable(observation), ensure_ascii=False)


def is_error(result: StepResult | str) -> bool:
    """Whether the step failed (its info carries an error)."""
    return not isinstance(result, str) and result.error is not None
