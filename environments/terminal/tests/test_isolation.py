"""check() judges in a sandbox of its own: nothing the agent patched, ran or left behind takes part.

Each attack runs while a bystander episode keeps working, and every check is followed by
proof that its grader sandbox is gone and the agent's episode goes on.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial
from pathlib import Path

import anyio
import pytest

from openenv_mcp import CodeAction, StepResult, ToolCallAction
from openenv_mcp.sandbox import (
    BubblewrapSandbox,
    SandboxLimits,
    ToolSpec,
    bubblewrap_factory,
    sandbox_processes,
)
from openenv_mcp.sandbox.provider import SandboxProvider
from openenv_mcp_terminal import CheckResult, CommandResult, TerminalEnvironment, snapshot
from openenv_mcp_terminal.tasks import CheckContext, TaskInstance, Verdict

pytestmark = pytest.mark.sandbox


class Recording:
    """A sandbox factory that keeps every sandbox it made, to find the graders afterwards."""

    def __init__(self) -> None:
        self.made: list[BubblewrapSandbox] = []

    def __call__(self, tools: Sequence[ToolSpec], limits: SandboxLimits) -> BubblewrapSandbox:
        sandbox = bubblewrap_factory(tools, limits)
        self.made.append(sandbox)
        return sandbox


@pytest.fixture
def made() -> Recording:
    return Recording()


@pytest.fixture
async def env(made: Recording) -> AsyncIterator[TerminalEnvironment]:
    limits = TerminalEnvironment.sandbox_limits
    provider = SandboxProvider(TerminalEnvironment.code_tool_specs(), limits, factory=made, pool_size=0)
    environment = TerminalEnvironment(provider)
    yield environment
    with anyio.fail_after(30):
        await environment.close()
    assert all(sandbox_processes(sandbox.marker) == [] for sandbox in made.made)


@pytest.fixture
async def bystander() -> AsyncIterator[TerminalEnvironment]:
    """A neighbouring episode; it still solves its own task when the test is over."""
    environment = TerminalEnvironment()
    with anyio.fail_after(30):
        await environment.reset(seed=1, options={"task": "create_file"})
    yield environment
    try:
        assert environment.instance is not None
        for command in environment.instance.solution:
            await run(environment, command)
        assert (await checked(environment)).passed
    finally:
        with anyio.fail_after(30):
            await environment.close()


async def reset(env: TerminalEnvironment, seed: int, options: dict[str, str]) -> None:
    with anyio.fail_after(30):
        await env.reset(seed=seed, options=options)


async def step(env: TerminalEnvironment, action: ToolCallAction | CodeAction) -> StepResult:
    with anyio.fail_after(30):
        return await env.step(action)


async def run(env: TerminalEnvironment, command: str) -> CommandResult:
    result = await step(env, ToolCallAction(tool_name="run_command", parameters={"command": command}))
    assert isinstance(result.observation, CommandResult), result.observation
    return result.observation


async def code(env: TerminalEnvironment, source: str) -> str:
    result = await step(env, CodeAction(code=source))
    assert result.error is None, result.error
    return result.observation.to_text()


async def checked(env: TerminalEnvironment) -> CheckResult:
    result = await step(env, ToolCallAction(tool_name="check"))
    assert isinstance(result.observation, CheckResult), result.observation
    return result.observation


async def alongside(
    bystander: TerminalEnvironment, attack: Callable[[], Awaitable[CheckResult]]
) -> CheckResult:
    """Run `attack` while the bystander's commands keep answering."""
    outcome: list[CheckResult] = []

    async def attacking() -> None:
        outcome.append(await attack())

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(attacking)
            for number in range(3):
                assert (await run(bystander, f"echo {number}")).stdout == f"{number}\n"
    return outcome[0]


async def check_leaving_nothing(env: TerminalEnvironment, made: Recording) -> CheckResult:
    """check(), then proof that its grader's processes and workspace are gone and the episode goes on."""
    before = len(made.made)
    result = await checked(env)
    graders = made.made[before:]
    assert len(graders) == 1 and graders[0] is not env.sandbox
    assert sandbox_processes(graders[0].marker) == [] and not graders[0].workspace.exists()
    if not result.passed:  # code, as a command would sweep away what the agent left running
        assert await code(env, "print('still here')") == "still here"
    return result


GOOD_STATS = """
import statistics
mean, median = statistics.fmean, statistics.median
def spread(values):
    return max(values) - min(values)
"""
REDIRECT_TO_GOOD_STATS = f"""
import os, subprocess
os.makedirs('/tmp/good', exist_ok=True)
with open('/tmp/good/stats.py', 'w') as file:
    file.write({GOOD_STATS!r})
real_popen = subprocess.Popen
def redirected(*args, **kwargs):
    kwargs['cwd'] = '/tmp/good'
    return real_popen(*args, **kwargs)
subprocess.Popen = redirected
"""
COUNT_FOR_THE_SCRIPT = """
import subprocess
real_popen = subprocess.Popen
def counted(args, *rest, **kwargs):
    if isinstance(args, list) and len(args) == 3:
        args = [*args[:2], args[2].replace('./bin/count-word.sh', 'grep -c -- {word}')]
    return real_popen(args, *rest, **kwargs)
subprocess.Popen = counted
"""
PATCHES = {
    "fix_script": (REDIRECT_TO_GOOD_STATS, "printf 'def mean(v):\\n    return 0\\n' > stats.py"),
    "shell_script": (
        COUNT_FOR_THE_SCRIPT,
        "mkdir -p bin && printf '#!/bin/sh\\necho 3\\n' > bin/count-word.sh && chmod +x bin/count-word.sh",
    ),
}


async def patch_by_code_action(env: TerminalEnvironment, patch: str) -> None:
    await code(env, patch)


async def patch_unseen(env: TerminalEnvironment, patch: str) -> None:
    """Patch the worker the way a command that ptrace-attaches it would: no code action shows it."""
    assert env.sandbox is not None
    with anyio.fail_after(30):
        done = await env.sandbox.execute(patch)
    assert done.error is None, done.render()


@pytest.mark.parametrize("task", list(PATCHES))
@pytest.mark.parametrize("patch_with", [patch_by_code_action, patch_unseen], ids=["code action", "unseen"])
async def test_a_patched_worker_cannot_fake_the_check(
    env: TerminalEnvironment,
    bystander: TerminalEnvironment,
    made: Recording,
    task: str,
    patch_with: Callable[[TerminalEnvironment, str], Awaitable[None]],
) -> None:
    await reset(env, seed=0, options={"task": task})
    patch, wrong = PATCHES[task]
    await run(env, wrong)
    await patch_with(env, patch.replace("{word}", _word(env)))
    result = await alongside(bystander, partial(check_leaving_nothing, env, made))
    assert not result.passed, result.message
    assert env.state().extra["solved"] is False
    patched = await code(env, "import subprocess\nprint(subprocess.Popen.__name__)")
    assert patched in ("redirected", "counted")  # the agent's worker is as it left it: it fools only itself


def _word(env: TerminalEnvironment) -> str:
    statement = env.instance.statement if env.instance else ""
    return statement.split(" that contain ")[1].split()[0] if " that contain " in statement else ""


class Probe:
    """A verifier that runs `command` in the grader's sandbox and keeps what it printed."""

    def __init__(self, env: TerminalEnvironment, command: str) -> None:
        self.command, self.saw = command, ""
        env.instance = TaskInstance(statement="probe", files={}, verify=self, solution=())

    async def __call__(self, context: CheckContext) -> Verdict:
        self.saw = (await context.run(self.command)).stdout
        return Verdict(False, "probed")


NAMESPACES = "readlink /proc/self/ns/ipc /proc/self/ns/pid /proc/self/ns/mnt /proc/self/ns/uts"
LOOK_AROUND = (
    f"ls -A /tmp /dev/shm; cat /proc/[0-9]*/cmdline | tr '\\0' ' '; echo; {NAMESPACES}; cat mine.txt; "
    "echo from the grader > left-by-grader.txt"
)
LEAVE_BY_COMMAND = "echo poison > /tmp/poison && echo poison > /dev/shm/poison && echo mine-7 > mine.txt"
LEAVE_BY_CODE = """
import subprocess
from multiprocessing import shared_memory
keeper = subprocess.Popen(['sleep', '1000'])
segment = shared_memory.SharedMemory(name='poison', create=True, size=64)
open('/tmp/poison', 'w').write('poison')
open('mine.txt', 'w').write('mine-7')
"""


@pytest.mark.parametrize("leave_with", ["command", "code action"])
async def test_what_the_agent_leaves_running_or_lying_around_is_not_in_the_graders_sandbox(
    env: TerminalEnvironment, bystander: TerminalEnvironment, made: Recording, leave_with: str
) -> None:
    await reset(env, seed=0, options={"task": "create_file"})
    own = set((await run(env, NAMESPACES)).stdout.split())
    probe = Probe(env, LOOK_AROUND)
    if leave_with == "command":
        await run(env, LEAVE_BY_COMMAND)
    else:
        await code(env, LEAVE_BY_CODE)
    result = await alongside(bystander, partial(check_leaving_nothing, env, made))
    assert result.message == "probed" and "mine-7" in probe.saw, probe.saw
    assert "poison" not in probe.saw and "sleep" not in probe.saw, probe.saw
    assert len(own) == 4 and not own & set(probe.saw.split()), "the grader shares a namespace with the agent"
    if leave_with == "code action":  # the agent's sandbox keeps all of it, and its worker its state
        assert (await code(env, "print(keeper.poll(), segment.name)")).startswith("None ")
    assert (await run(env, "cat /tmp/poison")).stdout.strip() == "poison"
    assert "left-by-grader.txt" not in (await run(env, "ls -A")).stdout


async def test_links_to_host_files_are_not_followed_by_the_copy(
    env: TerminalEnvironment, bystander: TerminalEnvironment, made: Recording, tmp_path: Path
) -> None:
    await reset(env, seed=2, options={"task": "log_search"})
    assert env.instance is not None
    answer = (await run(env, f"{env.instance.solution[0]} && cat answer.txt && rm answer.txt")).stdout
    on_the_host = tmp_path / "answer.txt"  # the right answer, where only the host can read it
    on_the_host.write_text(answer)
    links = {"answer.txt": str(on_the_host), "passwd": "/etc/passwd", "environ": "/proc/self/environ"}
    await run(env, " && ".join(f"ln -s {target} {name}" for name, target in links.items()))
    result = await alongside(bystander, partial(check_leaving_nothing, env, made))
    assert not result.passed and "answer.txt is missing" in result.message

    probe = Probe(env, "for f in answer.txt passwd environ; do readlink $f; cat $f; echo; done")
    await alongside(bystander, partial(check_leaving_nothing, env, made))
    assert all(target in probe.saw for target in links.values()), probe.saw
    assert answer.strip() not in probe.saw and "root:" not in probe.saw, probe.saw
    own = set((await run(env, "cat /proc/self/environ")).stdout.split("\0"))
    assert [entry for entry in host_environ() - own if entry and entry in probe.saw] == []


def host_environ() -> set[str]:
    """The entries of this process's /proc/self/environ, which a followed link would copy."""
    return set(Path("/proc/self/environ").read_bytes().decode(errors="replace").split("\0"))


async def test_a_workspace_too_large_to_copy_fails_the_check_with_the_reason(
    env: TerminalEnvironment, made: Recording, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot, "COPY_BYTES", 1024 * 1024)
    await reset(env, seed=0, options={"task": "count_matches"})
    await run(env, "head -c 2000000 /dev/zero > big.bin")
    result = await check_leaving_nothing(env, made)
    assert not result.passed and "too large to check (more than 1 MiB of files)" in result.message
    await run(env, "rm big.bin && grep -r TODO project | wc -l > answer.txt")
    assert (await checked(env)).passed
