"""The runtime checks: a seed controls the episode, episodes replay and stay apart, no network."""

from __future__ import annotations

import socket
import textwrap
from typing import TYPE_CHECKING

from openenv_mcp.environment import Environment
from openenv_mcp.spec import CodeAction
from openenv_mcp.spec.wire import observation_text
from openenv_mcp.validation.policies import random_policy
from openenv_mcp.validation.report import CheckResult

if TYPE_CHECKING:
    from openenv_mcp.validation.runner import Runs

__all__ = ["episode_determinism", "episode_isolation", "network_policy", "seed_control"]


async def _briefing(env_class: type[Environment], seed: int, task: str | None) -> str:
    env = env_class()
    try:
        first = await env.reset(seed=seed, options=None if task is None else {"task": task})
        return observation_text(first.observation)
    finally:
        await env.close()


async def seed_control(env_class: type[Environment], runs: Runs) -> CheckResult:
    """The same seed gives the same start; different seeds may differ."""
    check, task = "runtime.seed_control", runs.tasks[0]
    starts = [await _briefing(env_class, seed, task) for seed in (1, 1, 2, 3)]
    if starts[0] != starts[1]:
        return CheckResult(check, "fail", "two resets with seed 1 started differently")
    varies = len(set(starts)) > 1
    note = "different seeds start differently" if varies else "the start does not depend on the seed"
    return CheckResult(check, "pass", f"the same seed starts the same; {note}")


async def episode_determinism(env_class: type[Environment], runs: Runs) -> CheckResult:
    """A seeded random policy, played twice on the same seed, gives the same episode."""
    check, task = "runtime.episode_determinism", runs.tasks[0]
    first = await runs.episode(random_policy(7), 7, task)
    second = await runs.episode(random_policy(7), 7, task)
    if first.fingerprint() != second.fingerprint():
        step = next(
            i
            for i, (a, b) in enumerate(zip(first.fingerprint(), second.fingerprint(), strict=False))
            if a != b
        )
        return CheckResult(check, "fail", f"the two runs part at step {step + 1}")
    return CheckResult(check, "pass", f"{len(first.results)} steps replayed identically")


async def episode_isolation(env_class: type[Environment], runs: Runs) -> CheckResult:
    """Two episodes stepped in turn go as each goes alone: nothing is shared between instances."""
    check, task = "runtime.episode_isolation", runs.tasks[0]
    alone = [await runs.episode(random_policy(seed), seed, task) for seed in (11, 12)]
    envs = [env_class(), env_class()]
    try:
        options = None if task is None else {"task": task}
        for env, seed in zip(envs, (11, 12), strict=True):
            await env.reset(seed=seed, options=options)
        together: list[list[tuple[object, ...]]] = [[], []]
        for step in range(max(len(p.actions) for p in alone)):
            for index, env in enumerate(envs):
                if step < len(alone[index].actions):
                    result = await env.step(alone[index].actions[step])
                    text = observation_text(result.observation)
                    together[index].append((text, result.reward, result.terminated, result.truncated))
    finally:
        for env in envs:
            await env.close()
    for index in (0, 1):
        if together[index] != alone[index].fingerprint():
            return CheckResult(check, "fail", "an episode went differently while another one ran beside it")
    return CheckResult(check, "pass", "two episodes in turn went as each went alone")


_CONNECT = textwrap.dedent(
    """
    import socket
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        print("REACHED")
    except OSError as exc:
        print("REFUSED", type(exc).__name__)
    """
)


async def network_policy(env_class: type[Environment], runs: Runs) -> CheckResult:
    """The declared no-network policy holds: an agent's code cannot reach a port open on the host."""
    check = "runtime.network_policy"
    if not env_class.accepts_code():
        return CheckResult(check, "pass", "no agent code runs here; its tools reach no network")
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        env = env_class()
        try:
            await env.reset(seed=0, options=None if runs.tasks[0] is None else {"task": runs.tasks[0]})
            result = await env.step(CodeAction(code=_CONNECT.format(port=port)))
        finally:
            await env.close()
    text = observation_text(result.observation)
    if "REACHED" in text:
        return CheckResult(check, "fail", f"code in the sandbox reached 127.0.0.1:{port} on the host")
    return CheckResult(check, "pass", "code in the sandbox could not reach a port open on the host")
