"""A typed EnvClient written the way OpenEnv documents it (its `openenv init` template), for echo.

argv[1]: the echo environment's OpenEnv base URL; prints what the typed client read.
"""

import json
import sys
from typing import Any

from openenv.core import EnvClient
from openenv.core.client_types import StepResult
from openenv.core.env_server.types import Action, Observation, State


class EchoAction(Action):
    """Send a message to echo."""

    message: str


class EchoObservation(Observation):
    """What echo answers: the text the agent reads."""

    text: str = ""


class EchoEnv(EnvClient[EchoAction, EchoObservation, State]):
    """The echo environment's client."""

    def _step_payload(self, action: EchoAction) -> dict[str, Any]:
        return {"type": "call_tool", "tool_name": "echo", "arguments": {"message": action.message}}

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[EchoObservation]:
        obs_data = payload.get("observation", {})
        observation = EchoObservation(
            text=obs_data.get("text", ""),
            done=payload.get("done", False),
            reward=payload.get("reward"),
            metadata=payload.get("metadata", {}),
        )
        return StepResult(
            observation=observation, reward=payload.get("reward"), done=payload.get("done", False)
        )

    def _parse_state(self, payload: dict[str, Any]) -> State:
        return State(episode_id=payload.get("episode_id"), step_count=payload.get("step_count", 0))


def main() -> None:
    with EchoEnv(base_url=sys.argv[1], message_timeout_s=60.0).sync() as client:
        first = client.reset(seed=7)
        result = client.step(EchoAction(message="Hello!"))
        state = client.state()
    report = {
        "reset": first.observation.text,
        "text": result.observation.text,
        "reward": result.reward,
        "done": result.done,
        "state": {"episode_id": state.episode_id, "step_count": state.step_count},
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
