"""Functional behaviour of a bubblewrap sandbox: state, values, errors, output, tools."""

from __future__ import annotations

from pathlib import PurePosixPath

import anyio
import pytest

from openenv_mcp.sandbox import BubblewrapSandbox, SandboxLimits, UnsafeProcessSandbox, sandbox_processes
from openenv_mcp.sandbox.bubblewrap import SANDBOX_WORKER_PATH

from .support import REPO, TOOLS, close_and_check, handler, started

pytestmark = pytest.mark.sandbox


async def run(sandbox: BubblewrapSandbox, code: str, **kwargs: float) -> str | None:
    with anyio.fail_after(15):
        result = await sandbox.execute(code, tools=handler, **kwargs)
    assert result.error is None, result.render()
    return result.value


async def test_state_persists_between_executions(sandbox: BubblewrapSandbox) -> None:
    await run(sandbox, "import math\nx = 20\ndef double(v):\n    return 2 * v")
    assert await run(sandbox, "double(x) + math.floor(2.5)") == "42"


async def test_last_expression_gives_the_value(sandbox: BubblewrapSandbox) -> None:
    assert await run(sandbox, "'a' * 3") == "'aaa'"
    assert await run(sandbox, "x = 1") is None
    assert await run(sandbox, "None") is None


async def test_exception_traceback_names_only_sandbox_paths(sandbox: BubblewrapSandbox) -> None:
    with anyio.fail_after(10):
        result = await sandbox.execute("def f():\n    return 1 / 0\nf()")
    assert result.error is not None
    assert result.error.type == "ZeroDivisionError"
    assert 'File "<code>", line 2, in f' in result.error.traceback
    for host_path in (REPO, ".venv", "worker.py", str(PurePosixPath(SANDBOX_WORKER_PATH).parent)):
        assert host_path not in result.error.traceback
    assert "ZeroDivisionError: division by zero" in result.render()


async def test_syntax_error_is_a_result(sandbox: BubblewrapSandbox) -> None:
    with anyio.fail_after(10):
        result = await sandbox.execute("1 +")
    assert result.error is not None and result.error.type == "SyntaxError"
    assert "ast.py" not in result.error.traceback


async def test_stdout_and_stderr_are_captured(sandbox: BubblewrapSandbox) -> None:
    code = "import sys, subprocess\nprint('out')\nprint('err', file=sys.stderr)\n"
    code += "subprocess.run(['echo', 'child'])"
    with anyio.fail_after(10):
        result = await sandbox.execute(code)
    assert result.stdout == "out\nchild\n"
    assert result.stderr == "err\n"


async def test_output_is_truncated_with_a_marker() -> None:
    box = await started(SandboxLimits(output_bytes=1000))
    try:
        with anyio.fail_after(10):
            result = await box.execute("print('x' * 5000)")
        assert result.stdout_truncated and len(result.stdout) == 1000
        assert "[... output truncated at 1000 bytes ...]" in result.render()
    finally:
        await close_and_check(box)


async def test_tools_are_functions_in_the_namespace(sandbox: BubblewrapSandbox) -> None:
    with anyio.fail_after(10):
        result = await sandbox.execute("echo('hi') + echo(message='!')", tools=handler)
    assert result.value == "'hi!'"
    assert [(call.name, call.arguments, call.ok) for call in result.tool_calls] == [
        ("echo", {"message": "hi"}, True),
        ("echo", {"message": "!"}, True),
    ]


async def test_a_failing_tool_raises_tool_error(sandbox: BubblewrapSandbox) -> None:
    code = "try:\n    fail('x')\nexcept ToolError as exc:\n    caught = str(exc)\ncaught"
    assert await run(sandbox, code) == "'failed on purpose: x'"
    with anyio.fail_after(10):
        result = await sandbox.execute("fail()", tools=handler)
    assert result.error is not None and result.error.type == "ToolError"
    assert result.tool_calls[0].error == "failed on purpose: no"


async def test_tool_signature_and_docstring_are_visible(sandbox: BubblewrapSandbox) -> None:
    assert await run(sandbox, "import inspect\nstr(inspect.signature(echo))") == "'(message: str) -> str'"
    assert await run(sandbox, "str(inspect.signature(fail))") == "\"(reason: str = 'no') -> None\""
    with anyio.fail_after(10):
        result = await sandbox.execute("help(echo)")
    assert "echo(message: str) -> str" in result.stdout
    assert "Return the message unchanged." in result.stdout


async def test_tool_without_handler_raises_tool_error(sandbox: BubblewrapSandbox) -> None:
    with anyio.fail_after(10):
        result = await sandbox.execute("echo('hi')")
    assert result.error is not None and result.error.type == "ToolError"


async def test_workspace_is_shared_with_the_host(sandbox: BubblewrapSandbox) -> None:
    (sandbox.workspace / "in.txt").write_text("from host")
    assert (
        await run(sandbox, "import os\nopen('out.txt', 'w').write('hi')\nopen('in.txt').read()")
        == "'from host'"
    )
    assert (sandbox.workspace / "out.txt").read_text() == "hi"
    assert await run(sandbox, "os.getcwd()") == "'/workspace'"


async def test_close_is_idempotent_and_leaves_nothing() -> None:
    box = await started()
    await run(box, "import subprocess\np = subprocess.Popen(['sleep', '1000'])")
    assert len(sandbox_processes(box.marker)) >= 3
    await close_and_check(box)
    await close_and_check(box)


async def test_unsafe_sandbox_runs_the_same_worker() -> None:
    box = UnsafeProcessSandbox(TOOLS, SandboxLimits(wall_seconds=3.0))
    with anyio.fail_after(30):
        await box.start()
        result = await box.execute(
            "import os\nx = echo('hi')\nx, os.getcwd() == str(HOME)".replace(
                "str(HOME)", repr(str(box.workspace))
            ),
            tools=handler,
        )
        assert result.value == "('hi', True)"
        await box.close()
    assert sandbox_processes(box.marker) == []
    assert not box.workspace.exists()
