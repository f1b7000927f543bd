"""CodeAct in the Environment base: a sandbox per episode, tools callable from code."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import anyio
import pytest

from openenv_mcp import CodeAction, ToolCallAction, tool
from openenv_mcp.environment import CodeActEnvironment, CodeObservation
from openenv_mcp.errors import InvalidOptionsError
from openenv_mcp.sandbox import SandboxLimits, sandbox_processes

pytestmark = pytest.mark.sandbox


class Counter(CodeActEnvironment):
    """Tools that keep a tally, to see calls from code go through the dispatch."""

    name = "counter"
    sandbox_limits = SandboxLimits(wall_seconds=5.0)

    def __init__(self) -> None:
        super().__init__()
        self.tally = 0

    async def on_reset(self, options: object) -> str:
        self.tally = 0
        return "count with bump()"

    @tool
    def bump(self, by: int = 1) -> int:
        """Add to the tally and return it.

        Args:
            by: How much to add.
        """
        self.tally += by
        self.add_reward(0.5)
        if self.tally >= 100:
            self.end_episode(reason="reached 100")
        return self.tally


def code(source: str) -> CodeAction:
    return CodeAction(code=source)


async def started(**options: object) -> Counter:
    env = Counter()
    with anyio.fail_after(30):
        await env.reset(seed=0, options=dict(options))
    return env


@pytest.fixture
async def env() -> AsyncGenerator[Counter]:
    box = await started()
    yield box
    with anyio.fail_after(30):
        await box.close()


async def step(env: Counter, source: str) -> CodeObservation:
    with anyio.fail_after(30):
        result = await env.step(code(source))
    assert result.error is None, result.error
    assert isinstance(result.observation, CodeObservation)
    return result.observation


async def test_state_persists_between_code_actions(env: Counter) -> None:
    await step(env, "import math\ndef area(r):\n    return math.pi * r * r\nsaved = 2")
    observation = await step(env, "round(area(saved), 2)")
    assert observation.value == "12.57"
    assert env.step_count == 2


async def test_tools_are_functions_in_the_code_and_go_through_the_dispatch(env: Counter) -> None:
    with anyio.fail_after(30):
        result = await env.step(code("for _ in range(3):\n    last = bump(2)\nprint(last)"))
    assert isinstance(result.observation, CodeObservation)
    assert result.observation.stdout == "6\n"
    assert [call.name for call in result.observation.tool_calls] == ["bump"] * 3
    assert result.reward == pytest.approx(1.5)
    assert result.info["tool_calls"] == 3
    assert env.tally == 6 and env.code_tool_calls == 3


async def test_a_tool_error_raises_inside_the_code(env: Counter) -> None:
    observation = await step(env, "try:\n    bump('many')\nexcept ToolError as e:\n    print('caught', e)")
    assert "caught invalid arguments for tool 'bump'" in observation.stdout


async def test_the_signature_and_docstring_are_visible(env: Counter) -> None:
    observation = await step(env, "import inspect\nprint(inspect.signature(bump))\nprint(bump.__doc__)")
    assert "(by: int = 1) -> int" in observation.stdout
    assert "Add to the tally" in observation.stdout


async def test_a_tool_can_end_the_episode_from_code(env: Counter) -> None:
    with anyio.fail_after(30):
        result = await env.step(code("bump(100)\ntry:\n    bump()\nexcept ToolError as e:\n    print(e)"))
    assert result.terminated
    assert isinstance(result.observation, CodeObservation)
    assert "the episode has ended" in result.observation.stdout


async def test_the_wall_clock_limit_is_an_error_and_a_fresh_worker_follows() -> None:
    env = await started(sandbox={"wall_seconds": 1})
    try:
        await step(env, "kept = 1")
        with anyio.fail_after(30):
            killed = await env.step(code("while True:\n    pass"))
        assert killed.error is not None and "wall-clock limit of 1.0 s exceeded" in killed.error
        after = await step(env, "'kept' in globals()")
        assert after.value == "False"
    finally:
        await env.close()


async def test_reset_gives_a_clean_worker(env: Counter) -> None:
    await step(env, "secret = 41")
    with anyio.fail_after(30):
        await env.reset()
    observation = await step(env, "'secret' in globals()")
    assert observation.value == "False"


async def test_sandbox_limits_can_be_lowered_but_not_raised() -> None:
    env = Counter()
    with pytest.raises(InvalidOptionsError, match="exceeds the maximum"):
        await env.reset(options={"sandbox": {"wall_seconds": 60}})
    with pytest.raises(InvalidOptionsError, match="unknown sandbox limit 'gpus'"):
        await env.reset(options={"sandbox": {"gpus": 1}})
    await env.close()


async def test_tool_calls_and_code_actions_share_one_episode(env: Counter) -> None:
    with anyio.fail_after(30):
        await env.step(ToolCallAction(tool_name="bump", parameters={"by": 5}))
    observation = await step(env, "bump()")
    assert observation.value == "6"


async def test_close_leaves_no_sandbox_process() -> None:
    before = set(sandbox_processes())
    env = await started()
    await step(env, "import subprocess\np = subprocess.Popen(['sleep', '600'])")
    assert set(sandbox_processes()) - before
    with anyio.fail_after(30):
        await env.close()
    assert set(sandbox_processes()) - before == set()
    assert env.sandbox is None
