"""Shared helpers for the sandbox tests: tools, a handler, start and checked close."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio

from openenv_mcp.sandbox import (
    BubblewrapSandbox,
    ExecResult,
    SandboxLimits,
    ToolReply,
    ToolSpec,
    sandbox_processes,
)

REPO = str(Path(__file__).resolve().parents[2])
"""This checkout on the host: a path no sandbox may see."""

TOOLS = [
    ToolSpec("echo", "Return the message unchanged.", ["message"], "(message: str) -> str"),
    ToolSpec("fail", "Always fails.", ["reason"], "(reason: str = 'no') -> None"),
]


async def handler(name: str, arguments: dict[str, Any]) -> ToolReply:
    """Echo `echo`'s message; answer `fail` with an error."""
    if name == "echo":
        return ToolReply(ok=True, value=arguments["message"])
    return ToolReply(ok=False, error=f"failed on purpose: {arguments.get('reason', 'no')}")


async def started(limits: SandboxLimits | None = None) -> BubblewrapSandbox:
    sandbox = BubblewrapSandbox(TOOLS, limits or SandboxLimits(wall_seconds=3.0))
    try:
        with anyio.fail_after(30):
            await sandbox.start()
    except BaseException:
        with anyio.CancelScope(shield=True):
            await sandbox.close()
        raise
    return sandbox


async def close_and_check(sandbox: BubblewrapSandbox) -> None:
    """Close `sandbox`; prove that no process of it, no workspace (nor its mount) and no cgroup remain."""
    cgroups = list(sandbox.cgroup.paths.values()) if sandbox.cgroup is not None else []
    with anyio.fail_after(30):
        await sandbox.close()
    assert sandbox_processes(sandbox.marker) == []
    assert not sandbox.workspace.exists()
    assert str(sandbox.workspace) not in await anyio.Path("/proc/self/mounts").read_text()
    assert not [path for path in cgroups if path.exists()], "the sandbox's cgroup outlived it"


async def attack(sandbox: BubblewrapSandbox, bystander: BubblewrapSandbox, code: str) -> ExecResult:
    """Run `code` while the bystander keeps answering; return the attack's result."""
    result: ExecResult | None = None

    async def run_attack() -> None:
        nonlocal result
        result = await sandbox.execute(code, wall_seconds=2.0)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(run_attack)
            for _ in range(3):
                assert (await bystander.execute("y + 1")).value == "43"
    assert result is not None
    return result


async def assert_recovers(sandbox: BubblewrapSandbox) -> None:
    with anyio.fail_after(30):
        assert (await sandbox.execute("6 * 7")).value == "42"
