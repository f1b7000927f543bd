"""A typed-action OpenEnv 0.10 environment for the bridge's tests: guess a number (OpenEnv's API only).

Run by OpenEnv's own python: `python -I game_remote.py --port PORT`. The secret is drawn from
the reset's seed, 1 to `high` (a reset option, default 100); each `GuessAction` is answered
higher, lower or correct. Correct: reward 1, done. Out of guesses (7): reward 0, done.
`GET /sessions` says how many sessions are alive, and the pid.
"""

from __future__ import annotations

import argparse
import os
import random
from typing import Any
from uuid import uuid4

import uvicorn
from openenv.core.env_server.http_server import create_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Action, Observation, State
from pydantic import Field

LIVE: set[int] = set()
GUESSES = 7


class GuessAction(Action):
    """Guess the secret number."""

    guess: int = Field(ge=1, le=1000, description="Your guess.")


class GuessObservation(Observation):
    message: str = Field(default="", description="higher, lower or correct")
    guesses_left: int = GUESSES


class GameState(State):
    guesses: list[int] = Field(default_factory=list)


class GuessGame(Environment[GuessAction, GuessObservation, GameState]):
    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self) -> None:
        super().__init__()
        self._state = GameState(episode_id=str(uuid4()), step_count=0)
        self._secret = 0
        LIVE.add(id(self))

    def reset(
        self, seed: int | None = None, episode_id: str | None = None, high: int = 100, **kwargs: Any
    ) -> GuessObservation:
        self._secret = random.Random(seed).randint(1, high)
        self._state = GameState(episode_id=episode_id or str(uuid4()), step_count=0)
        return GuessObservation(message=f"guess a number from 1 to {high}", reward=0.0)

    def step(self, action: GuessAction, timeout_s: float | None = None, **kwargs: Any) -> GuessObservation:
        self._state.step_count += 1
        self._state.guesses.append(action.guess)
        left = GUESSES - len(self._state.guesses)
        if action.guess == self._secret:
            return GuessObservation(message="correct", guesses_left=left, reward=1.0, done=True)
        message = "higher" if action.guess < self._secret else "lower"
        return GuessObservation(message=message, guesses_left=left, reward=0.0, done=left <= 0)

    @property
    def state(self) -> GameState:
        return self._state

    def close(self) -> None:
        LIVE.discard(id(self))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--max-sessions", type=int, default=64)
    args = parser.parse_args()
    app = create_app(
        GuessGame, GuessAction, GuessObservation, env_name="guess", max_concurrent_envs=args.max_sessions
    )

    @app.get("/sessions")
    def sessions() -> dict[str, int]:
        return {"live": len(LIVE), "pid": os.getpid()}

    uvicorn.run(app, host=args.host, port=args.port, log_level="info", access_log=False)


if __name__ == "__main__":
    main()
