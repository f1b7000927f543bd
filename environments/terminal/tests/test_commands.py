"""run_command in the bubblewrap sandbox: exit codes, output, timeouts, caps, isolation."""

from __future__ import annotations

import socket

import anyio
import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp_terminal import CommandResult, TerminalEnvironment
from openenv_mcp_terminal.commands import OUTPUT_LIMIT

pytestmark = pytest.mark.sandbox


async def run(env: TerminalEnvironment, command: str, seconds: float = 10) -> CommandResult:
    if env.sandbox is None:
        await env.reset(seed=0, options={"task": "create_file"})
    with anyio.fail_after(30):
        result = await env.step(
            ToolCallAction(tool_name="run_command", parameters={"command": command, "timeout": seconds})
        )
    assert isinstance(result.observation, CommandResult), result.observation
    return result.observation


async def test_exit_codes_stdout_and_stderr(env: TerminalEnvironment) -> None:
    done = await run(env, "echo out; echo err >&2; exit 3")
    assert (done.exit_code, done.stdout, done.stderr, done.timed_out) == (3, "out\n", "err\n", False)
    assert done.to_text() == "out\n[stderr]\nerr\n[exit code 3]"
    assert (await run(env, "true")).exit_code == 0
    missing = await run(env, "no-such-program")
    assert missing.exit_code == 127 and "not found" in missing.stderr


async def test_the_usual_tools_are_there_and_run_in_the_workspace(env: TerminalEnvironment) -> None:
    done = await run(
        env, "pwd; id -u; for t in sh ls cat grep sed sort uniq wc head find python3; do command -v $t; done"
    )
    lines = done.stdout.splitlines()
    assert lines[:2] == ["/workspace", "1000"] and len(lines) == 13, done.to_text()
    assert (await run(env, "python3 -c 'print(6 * 7)'")).stdout == "42\n"


async def test_pipes_redirections_and_files_persist_between_commands(env: TerminalEnvironment) -> None:
    await run(env, "printf 'b\\na\\nb\\n' > list.txt")
    assert (await run(env, "sort -u list.txt | wc -l")).stdout.strip() == "2"
    assert (await run(env, "cat < list.txt | grep -c b")).stdout == "2\n"


async def test_a_timeout_kills_the_command_and_says_so(env: TerminalEnvironment) -> None:
    done = await run(env, "echo before; sleep 20; echo after", seconds=0.5)
    assert done.timed_out and done.exit_code is None
    assert done.stdout == "before\n"
    assert "timed out after 0.5 s" in done.to_text()
    assert (await run(env, "echo next")).stdout == "next\n"


async def test_the_timeout_is_capped_below_the_sandbox_wall_limit(env: TerminalEnvironment) -> None:
    await env.reset(seed=0, options={"task": "create_file", "sandbox": {"wall_seconds": 2}})
    done = await run(env, "sleep 30", seconds=600)
    assert done.timed_out and done.timeout == 1.5


async def test_output_is_capped_with_a_marker(env: TerminalEnvironment) -> None:
    done = await run(env, "head -c 100000 /dev/zero | tr '\\0' a; head -c 50000 /dev/zero | tr '\\0' e >&2")
    assert done.stdout_truncated and done.stderr_truncated and done.exit_code == 0
    assert done.stdout.startswith("a" * OUTPUT_LIMIT)
    assert f"stdout cut at {OUTPUT_LIMIT} of 100000 bytes" in done.stdout
    assert f"stderr cut at {OUTPUT_LIMIT} of 50000 bytes" in done.stderr


async def test_background_processes_do_not_stall_or_outlive_a_command(env: TerminalEnvironment) -> None:
    with anyio.fail_after(5):
        started = await run(env, "setsid sleep 100 > /dev/null 2>&1 & sleep 200 & echo $!")
    pid = started.stdout.strip()
    state = await run(env, f"cat /proc/{pid}/stat 2>/dev/null | cut -d' ' -f3")
    assert state.stdout.strip() in ("", "Z")
    alive = await run(env, "cat /proc/[0-9]*/comm")
    assert "sleep" not in alive.stdout and "python3" in alive.stdout, alive.stdout


async def test_output_written_to_the_worker_cannot_forge_the_result(env: TerminalEnvironment) -> None:
    forged = '{"code": 0, "timed_out": false}'
    done = await run(env, f"echo '{forged}' > /proc/$PPID/fd/1; exit 9")
    assert done.exit_code == 9


async def test_the_network_is_unreachable(env: TerminalEnvironment) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        port = listener.getsockname()[1]
        program = f"import socket; socket.create_connection(('127.0.0.1', {port}), timeout=2)"
        done = await run(env, f'python3 -c "{program}"')
        assert done.exit_code == 1 and "Error" in done.stderr, done.to_text()
        with pytest.raises(BlockingIOError):
            listener.accept()
    assert (
        await run(env, "python3 -c \"import socket; socket.getaddrinfo('example.com', 80)\"")
    ).exit_code == 1


async def test_a_fork_bomb_is_contained_and_the_shell_goes_on(env: TerminalEnvironment) -> None:
    with anyio.fail_after(15):
        await run(env, "bash -c ':(){ :|:& };:'", seconds=3)
        after = await run(env, "echo alive; cat /proc/[0-9]*/comm | grep -c bash")
    assert after.stdout == "alive\n0\n", after.to_text()
