"""Each check fails the broken environment it is for, and passes a sound one."""

from __future__ import annotations

import random
import sys
from typing import Any, ClassVar

import anyio
import pytest

from openenv_mcp import Environment, ToolCallAction, tool
from openenv_mcp.validation import validate
from openenv_mcp.validation.report import Report


class Secret(Environment):
    """Guess a number from 0 to 9: reward 1 for the right one. Sound: the base of the broken ones."""

    name = "validation_secret"
    description = "Guess the secret digit."
    default_max_steps = 5
    floor_margin: ClassVar[float] = 0.5

    async def on_reset(self, options: Any) -> str:
        self.secret, self.tries = self.rng.randrange(10), 0
        return "Guess a digit from 0 to 9."

    def state_extra(self) -> dict[str, Any]:
        return {"tries": self.tries}

    @tool
    def guess(self, digit: int) -> str:
        """Guess the digit.

        Args:
            digit: 0 to 9.
        """
        self.tries += 1
        if digit == self.secret:
            self.add_reward(1.0)
            self.end_episode(reason="guessed")
            return "right"
        return "wrong"

    def example_actions(self) -> list[ToolCallAction]:
        return [ToolCallAction(tool_name="guess", parameters={"digit": 11})]

    def oracle_action(self) -> ToolCallAction | None:
        if self.terminated or self.truncated:
            return None
        return ToolCallAction(tool_name="guess", parameters={"digit": self.secret})

    def reward_range(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def hidden_answers(self) -> list[str]:
        return [f"secret={self.secret}"]


class WrongOracle(Secret):
    name = "validation_wrong_oracle"

    def oracle_action(self) -> ToolCallAction | None:
        if self.step_count:
            return None
        return ToolCallAction(tool_name="guess", parameters={"digit": (self.secret + 1) % 10})


class Generous(Secret):
    """Pays for any guess: a no-op or random policy scores like the oracle."""

    name = "validation_generous"

    @tool
    def guess(self, digit: int) -> str:
        """Guess the digit.

        Args:
            digit: 0 to 9.
        """
        self.add_reward(1.0)
        self.end_episode(reason="any guess wins")
        return "right"


class Leaky(Secret):
    name = "validation_leaky"

    async def on_reset(self, options: Any) -> str:
        await super().on_reset(options)
        return f"Guess a digit (debug: secret={self.secret})."


class Unseeded(Secret):
    """Draws its secret from the global generator: the seed does not control the episode."""

    name = "validation_unseeded"

    async def on_reset(self, options: Any) -> str:
        self.secret, self.tries = random.randrange(10), 0
        return f"Guess a digit; this board's number is {random.random()}."


class Shared(Secret):
    """Keeps its guesses on the class: two episodes side by side see each other's."""

    name = "validation_shared"
    guesses: ClassVar[list[int]] = []

    async def on_reset(self, options: Any) -> str:
        type(self).guesses.clear()
        return await super().on_reset(options)

    @tool
    def guess(self, digit: int) -> str:
        """Guess the digit.

        Args:
            digit: 0 to 9.
        """
        type(self).guesses.append(digit)
        return f"guessed so far: {type(self).guesses}"


class Broken(Secret):
    name = "validation_broken"

    @tool
    def guess(self, digit: int) -> str:
        """Guess the digit.

        Args:
            digit: 0 to 9.
        """
        raise RuntimeError("broken")


class Unfenced(Secret):
    """Runs an agent's code in a plain child process on the host: no sandbox, the host's network."""

    name = "validation_unfenced"

    async def run_code(self, code: str) -> str:
        done = await anyio.run_process([sys.executable, "-I", "-c", code], check=False)
        return done.stdout.decode() + done.stderr.decode()


async def _report(env_class: type[Environment]) -> Report:
    with anyio.fail_after(60):
        return await validate(env_class, max_steps=6)


def _status(report: Report) -> dict[str, str]:
    return {result.id: result.status for result in report.results}


async def test_a_sound_environment_passes_every_check() -> None:
    report = await _report(Secret)
    assert report.exit_code() == 0, report.table()
    assert set(_status(report).values()) == {"pass"}, report.table()


@pytest.mark.parametrize(
    ("env_class", "check"),
    [
        (WrongOracle, "semantic.oracle_max"),
        (Generous, "semantic.floor_gap"),
        (Leaky, "semantic.no_solution_leakage"),
        (Unseeded, "runtime.seed_control"),
        (Shared, "runtime.episode_isolation"),
        (Broken, "runtime.tool_liveness"),
        (Unfenced, "runtime.network_policy"),
    ],
    ids=lambda value: getattr(value, "name", value),
)
async def test_each_check_fails_the_environment_it_is_for(env_class: type[Environment], check: str) -> None:
    report = await _report(env_class)
    assert _status(report)[check] == "fail", report.table()
    assert report.exit_code() == 1


async def test_the_contract_fails_a_tool_that_always_raises() -> None:
    assert _status(await _report(Broken))["runtime.contract"] == "fail"
