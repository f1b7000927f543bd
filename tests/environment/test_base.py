from __future__ import annotations

import pytest

from openenv_mcp import CodeAction, Environment, ToolCallAction, tool
from openenv_mcp.errors import InvalidOptionsError
from openenv_mcp_echo import EchoEnvironment


def echo(message: str) -> ToolCallAction:
    return ToolCallAction(tool_name="echo", parameters={"message": message})


async def test_the_same_seed_gives_the_same_episode() -> None:
    first, second = EchoEnvironment(), EchoEnvironment()
    assert (await first.reset(seed=7)).observation == (await second.reset(seed=7)).observation
    assert first.greeting == second.greeting
    draws = {(await EchoEnvironment().reset(seed=s)).observation for s in range(20)}
    assert len(draws) > 1


async def test_a_minted_seed_survives_a_javascript_number() -> None:
    """Seeds the server picks stay below 2**53, so a browser client can send them back exactly."""
    seeds: list[int | None] = []
    for _ in range(200):
        env = EchoEnvironment()
        await env.reset()
        seeds.append(env.seed)
    assert all(isinstance(seed, int) and 0 <= seed < 2**53 for seed in seeds)
    assert len(set(seeds)) == len(seeds)


async def test_reset_without_a_seed_keeps_the_random_stream_going() -> None:
    env = EchoEnvironment()
    await env.reset(seed=3)
    after_seed = env.rng.random()
    await env.reset()
    assert env.seed == 3
    assert env.rng.random() != after_seed


async def test_a_step_is_counted_rewarded_and_recorded() -> None:
    env = EchoEnvironment()
    await env.reset(seed=1, options={"reward_scale": 0.5})
    result = await env.step(echo("four"))
    assert result.observation == "four"
    assert result.reward == 2.0
    assert env.step_count == 1
    assert env.total_reward == 2.0
    assert env.history[-1].action == echo("four")


async def test_the_episode_is_truncated_at_max_steps() -> None:
    env = EchoEnvironment()
    await env.reset(options={"max_steps": 2})
    assert not (await env.step(echo("a"))).done
    last = await env.step(echo("b"))
    assert last.truncated and not last.terminated
    assert last.info["end_reason"] == "step budget of 2 reached"
    after = await env.step(echo("c"))
    assert after.error is not None and "call reset" in after.error
    assert env.step_count == 2


async def test_bad_actions_are_error_observations_and_the_episode_goes_on() -> None:
    env = EchoEnvironment()
    await env.reset()
    unknown = await env.step(ToolCallAction(tool_name="shout"))
    assert unknown.error is not None and "unknown tool 'shout'" in unknown.error and "echo" in unknown.error
    missing = await env.step(ToolCallAction(tool_name="echo"))
    assert missing.error is not None and "'message' is a required property" in missing.error
    code = await env.step(CodeAction(code="print(1)"))
    assert code.error is not None and "does not accept code actions" in code.error
    assert (await env.step(echo("still here"))).observation == "still here"


async def test_bad_options_name_the_problem() -> None:
    env = EchoEnvironment()
    with pytest.raises(InvalidOptionsError, match="max_steps"):
        await env.reset(options={"max_steps": -1})
    with pytest.raises(InvalidOptionsError, match="Extra inputs"):
        await env.reset(options={"colour": "red"})


async def test_a_failing_tool_is_an_error_observation() -> None:
    class Fragile(Environment):
        name = "fragile"

        @tool
        def divide(self, by: int) -> float:
            """Divide one by a number."""
            return 1 / by

    env = Fragile()
    await env.reset()
    result = await env.step(ToolCallAction(tool_name="divide", parameters={"by": 0}))
    assert result.error is not None and "ZeroDivisionError" in result.error
    assert (await env.step(ToolCallAction(tool_name="divide", parameters={"by": 4}))).observation == 0.25


async def test_a_tool_can_end_the_episode() -> None:
    class Door(Environment):
        name = "door"

        @tool
        def open_door(self) -> str:
            """Open the door and leave."""
            self.add_reward(1.0)
            self.end_episode(reason="left the room")
            return "You are outside."

    env = Door()
    await env.reset()
    result = await env.step(ToolCallAction(tool_name="open_door"))
    assert result.terminated and result.reward == 1.0 and result.info["end_reason"] == "left the room"
    assert env.state().terminated


async def test_state_reports_the_episode() -> None:
    env = EchoEnvironment()
    env.episode_id = "abc"
    await env.reset(seed=5)
    await env.step(echo("hi"))
    state = env.state()
    assert (state.episode_id, state.environment, state.step_count, state.seed) == ("abc", "echo", 1, 5)
    assert state.extra["messages"] == 1


class Plain(Environment):
    """No options model, a default budget: max_steps still works, from the base."""

    name = "plain"
    default_max_steps = 3

    @tool()
    def ping(self) -> str:
        """Answer."""
        return "pong"


async def test_max_steps_is_an_option_of_every_environment() -> None:
    env = Plain()
    await env.reset()
    assert env.max_steps == 3
    await env.reset(options={"max_steps": 2})
    ping = ToolCallAction(tool_name="ping", parameters={})
    assert not (await env.step(ping)).truncated and (await env.step(ping)).truncated
    schema = Plain.options_schema()["properties"]["max_steps"]
    assert schema["type"] == "integer" and schema["default"] == 3 and schema["minimum"] == 1


@pytest.mark.parametrize("bad", [0, -1, "10", 2.5, True, 10**7])
async def test_a_bad_max_steps_is_refused_and_changes_nothing(bad: object) -> None:
    env = Plain()
    await env.reset(options={"max_steps": 5})
    with pytest.raises(InvalidOptionsError, match="max_steps must be a whole number from 1 to 1,000,000"):
        await env.reset(options={"max_steps": bad})
    assert env.max_steps == 5


async def test_other_options_of_an_environment_without_a_model_are_refused() -> None:
    with pytest.raises(
        InvalidOptionsError, match="takes no episode options but max_steps; got \\['colour'\\]"
    ):
        await Plain().reset(options={"colour": "red"})


def test_each_environment_declares_its_budget_once() -> None:
    for cls in (EchoEnvironment,):
        assert "max_steps" not in (cls.options_model.model_fields if cls.options_model else {})
        assert cls.options_schema()["properties"]["max_steps"]["default"] == cls.default_max_steps == 10
