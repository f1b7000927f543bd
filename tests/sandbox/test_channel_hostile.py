"""Code that writes to its own channel: the host checks and caps whatever the worker sends.

The code runs in the worker's process, so it can find the worker's write descriptor in
``sys.argv`` and forge any line. A forged `done` within the caps is just the code's own output;
anything else ends the execution as a malformed message, with a fresh worker next time.
"""

from __future__ import annotations

import time

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox, ExecResult, SandboxLimits
from openenv_mcp.sandbox import host as sandbox_host
from openenv_mcp.sandbox.channel import Channel
from openenv_mcp.sandbox.host import max_message

from .support import assert_recovers, attack, close_and_check, handler, started

pytestmark = pytest.mark.sandbox

LIMIT = SandboxLimits().output_bytes
KILLED = "; the worker was killed and its state is lost"
FORGE = (
    "import gc, json, os, sys, time\n"
    "def forge(line):\n"
    "    os.write(int(sys.argv[2]), line + b'\\n')\n"
    "running = next(o for o in gc.get_objects() if type(o).__name__ == '_Channel').execution\n"
    "done = dict(op='done', id=running, stdout='', stderr='', stdout_truncated=False,"
    " stderr_truncated=False, value=None, error=None)\n"
)
"""A forger as a hostile model would write one: it reads the running execution's id from the worker."""


def forging(*lines: str) -> str:
    """Code that can `forge(line)` onto its channel, with a well-formed `done` to start from."""
    return FORGE + "\n".join(lines)


def malformed(problem: str) -> str:
    return f"the sandbox sent a malformed message ({problem}){KILLED}"


async def assert_replaced(sandbox: BubblewrapSandbox) -> None:
    """The next execution gets a fresh worker: it answers, and the earlier state is gone."""
    await assert_recovers(sandbox)
    with anyio.fail_after(10):
        lost = await sandbox.execute("state")
    assert lost.error is not None and lost.error.type == "NameError"


async def test_a_forged_done_is_capped_like_any_output(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    code = forging(
        "done.update(stdout='x' * 3_000_000, stderr='é' * 100_000, value='v' * 500_000)",
        "done['error'] = dict(type='E' * 10_000, message='m' * 300_000, traceback='t' * 300_000)",
        "forge(json.dumps(done).encode())",
        "time.sleep(60)",
    )
    result = await attack(sandbox, bystander, code)
    assert result.killed is None
    assert result.stdout == "x" * LIMIT and result.stdout_truncated
    assert result.stderr == "é" * (LIMIT // 2) and result.stderr_truncated
    assert result.value == "v" * LIMIT
    assert result.error is not None and result.error.type == "E" * 256
    assert result.error.message == "m" * LIMIT
    assert result.error.traceback == "t" * LIMIT + f"\n[... traceback truncated at {LIMIT} bytes ...]"
    assert len(result.model_dump_json()) < 5 * LIMIT
    with anyio.fail_after(10):  # the code sleeps on after its forgery: the next run times out
        assert (await sandbox.execute("1", wall_seconds=0.5)).timed_out
    await assert_recovers(sandbox)


async def test_the_real_answer_after_a_forged_one_is_caught_and_the_worker_replaced(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    await sandbox.execute("state = 1")
    forged = await attack(
        sandbox, bystander, forging("done['value'] = 'forged'", "forge(json.dumps(done).encode())")
    )
    assert forged.value == "forged"
    with anyio.fail_after(10):  # the worker's own answer to the forging run comes in now
        stale = await sandbox.execute("1")
    assert stale.killed == malformed("a message that belongs to no running execution")
    await assert_replaced(sandbox)


async def test_a_forged_done_within_the_caps_is_the_code_s_output(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    result = await attack(
        sandbox,
        bystander,
        forging("done.update(stdout='forged', value='1')", "forge(json.dumps(done).encode())"),
    )
    assert (result.stdout, result.value, result.killed) == ("forged", "1", None)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("done['stdout'] = 1", "done.stdout: Input should be a valid string"),
        ("done['stderr'] = None", "done.stderr: Input should be a valid string"),
        ("done['value'] = [1]", "done.value: Input should be a valid string"),
        ("done['stdout_truncated'] = 'yes'", "done.stdout_truncated: Input should be a valid boolean"),
        ("done['error'] = 'boom'", "done.error: Input should be a valid dictionary or instance of _Error"),
        (
            "done['error'] = dict(type='E', message=1, traceback='')",
            "done.error.message: Input should be a valid string",
        ),
        ("del done['stderr']", "done.stderr: Field required"),
    ],
    ids=["stdout", "stderr", "value", "flag", "error", "error-message", "missing"],
)
async def test_a_done_with_wrong_fields_is_malformed(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, change: str, problem: str
) -> None:
    with anyio.fail_after(10):
        await sandbox.execute("state = 1")
    result = await attack(sandbox, bystander, forging(change, "forge(json.dumps(done).encode())"))
    assert result.killed == malformed(problem)
    assert result.stdout == "" and result.value is None and result.error is None
    await assert_replaced(sandbox)


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("b'not json'", "a line that is not JSON"),
        ("b'[1, 2]'", "JSON that is a list, not an object"),
        ("b'[' * 100_000", "a line that is not JSON"),
        ("b'[' + b'[],' * 200_000 + b'[]]'", "over 100,000 JSON values"),
        ("json.dumps({'op': 'hello'}).encode()", "an unknown op 'hello'"),
        (
            "json.dumps({**done, 'id': running - 1}).encode()",
            "a message that belongs to no running execution",
        ),
        (
            "json.dumps({'op': 'x' * 10**6}).encode()",
            "an unknown op '" + "x" * 39,
        ),
        (
            "json.dumps({'op': 'tool', 'id': running, 'name': 7, 'arguments': {}}).encode()",
            "a tool call without a name and arguments",
        ),
        (
            "json.dumps({'op': 'tool', 'id': running, 'name': 'echo', 'arguments': [1]}).encode()",
            "a tool call without a name and arguments",
        ),
    ],
    ids=[
        "text",
        "array",
        "deep",
        "many-values",
        "unknown-op",
        "stale-id",
        "long-op",
        "tool-name",
        "tool-arguments",
    ],
)
async def test_a_line_that_is_no_message_is_malformed(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, line: str, problem: str
) -> None:
    with anyio.fail_after(10):
        await sandbox.execute("state = 1")
    result = await attack(sandbox, bystander, forging(f"forge({line})", "time.sleep(60)"))
    assert result.killed == malformed(problem)
    await assert_replaced(sandbox)


async def run_beside(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, code: str
) -> tuple[ExecResult, float]:
    """Run `code` while the bystander executes trivial code back to back; the slowest answer's seconds."""
    result: ExecResult | None = None
    slowest = 0.0

    async def run_attack() -> None:
        nonlocal result
        result = await sandbox.execute(code, tools=handler, wall_seconds=3.0)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run_attack)
            while result is None:
                began = time.perf_counter()
                assert (await bystander.execute("y + 1")).value == "43"
                slowest = max(slowest, time.perf_counter() - began)
    assert result is not None
    return result, slowest


async def test_a_64_mib_line_is_refused_before_the_host_holds_it(
    monkeypatch: pytest.MonkeyPatch, bystander: BubblewrapSandbox
) -> None:
    opened: list[Channel] = []

    class RecordingChannel(Channel):
        def __init__(self, read_fd: int, write_fd: int, max_message: int) -> None:
            super().__init__(read_fd, write_fd, max_message)
            opened.append(self)

    monkeypatch.setattr(sandbox_host, "Channel", RecordingChannel)
    box = await started()
    try:
        result, slowest = await run_beside(box, bystander, forging("forge(b'x' * (64 << 20))"))
        maximum = max_message(box.limits)
        assert result.killed == malformed(f"a line over {maximum:,} bytes")
        assert len(opened) == 1 and opened[0].peak <= maximum + 1
        assert slowest < 1.0  # the whole line parsed on the event loop once took 2.25 s
        await assert_recovers(box)
    finally:
        await close_and_check(box)


async def test_a_flood_of_the_longest_tool_calls_leaves_neighbours_answering(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    longest = max_message(sandbox.limits) - 100
    code = f"for i in range(10):\n    assert len(echo('x' * {longest - 50})) == {longest - 50}"
    result, slowest = await run_beside(sandbox, bystander, code)
    assert result.error is None and result.killed is None, result.render()
    assert slowest < 1.0
    assert len(result.model_dump_json()) < 10_000


async def test_tool_calls_with_megabyte_arguments_give_a_small_result(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    code = "for i in range(12):\n    assert len(echo(message=str(i % 10) * 1_000_000)) == 1_000_000"
    with anyio.fail_after(30):
        result = await sandbox.execute(code, tools=handler)
    assert result.error is None, result.render()
    assert [(call.name, call.ok) for call in result.tool_calls] == [("echo", True)] * 12
    assert result.tool_calls[1].arguments["message"] == "1" * 120 + "… (1,000,000 characters)"
    assert len(result.model_dump_json()) < 12 * 1024


async def test_only_the_first_hundred_tool_calls_are_recorded(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    with anyio.fail_after(30):
        result = await sandbox.execute("for i in range(1000):\n    echo(i)", tools=handler)
    assert result.error is None, result.render()
    assert [call.arguments for call in result.tool_calls] == [{"message": i} for i in range(100)]
    assert result.tool_calls_omitted == 900


async def test_a_huge_exception_is_a_result_not_a_dead_worker(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    await sandbox.execute("kept = 1")
    result = await attack(sandbox, bystander, "raise ValueError('x' * 10**7)")
    assert result.killed is None and result.error is not None and result.error.type == "ValueError"
    assert (
        len(result.error.traceback) <= result.output_limit
        and len(result.error.message) <= result.output_limit
    )
    assert (await sandbox.execute("kept")).value == "1", "the worker must survive its code's exception"


async def test_a_tool_call_over_the_maximum_is_a_tool_error_in_the_code(
    sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox
) -> None:
    await sandbox.execute("kept = 1")
    code = "try:\n    echo('x' * (8 * 1024 * 1024))\nexcept ToolError as exc:\n    print(exc)\n'caught'"
    with anyio.fail_after(20):
        result = await sandbox.execute(code, tools=handler)
    assert result.value == "'caught'" and "bytes a call may carry" in result.stdout, result.render()
    assert (await sandbox.execute("kept")).value == "1"
    assert (await bystander.execute("y")).value == "42"
