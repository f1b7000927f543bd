"""Limits that count everything: /dev/shm and /tmp sizes, the memory cgroup (memfd too), cpu, quotas.

Hitting each is an observation that names the limit, and the next step works. The cgroup and
quota layers need root to build; as another user, `openenv-mcp doctor` reports them absent.
"""

from __future__ import annotations

import gc

import anyio
import pytest

from openenv_mcp.errors import SandboxError
from openenv_mcp.sandbox import BubblewrapSandbox, SandboxLimits
from openenv_mcp.sandbox.cgroup import CGROUP_ROOT

from .support import TOOLS, assert_recovers, close_and_check, started

pytestmark = pytest.mark.sandbox

_MiB = 1024 * 1024


@pytest.mark.parametrize("folder", ["/dev/shm", "/tmp"])
async def test_tmpfs_folders_have_a_size(sandbox: BubblewrapSandbox, folder: str) -> None:
    """Many files, each under the 16 MiB file-size rlimit, as the review's 768 MiB in /dev/shm were."""
    code = (
        "chunk = b'x' * (1 << 20)\nwritten = 0\n"
        "try:\n    while written < 256:\n"
        f"        with open(f'{folder}/fill{{written // 8}}', 'ab', buffering=0) as file:\n"
        "            file.write(chunk)\n        written += 1\n"
        "except OSError as exc:\n    print(exc)\nwritten"
    )
    with anyio.fail_after(20):
        result = await sandbox.execute(code)
    assert "No space left on device" in result.stdout, result.render()
    assert result.value is not None and int(result.value) <= SandboxLimits().tmp_bytes // _MiB
    await assert_recovers(sandbox)


@pytest.mark.root
async def test_memfd_pages_count_against_the_memory_cgroup(bystander: BubblewrapSandbox) -> None:
    box = await started(SandboxLimits(wall_seconds=10.0, total_memory_bytes=128 * _MiB))
    try:
        assert box.cgroup is not None and "memory" in box.cgroup.paths
        code = (
            "import os\nchunk = b'x' * (1 << 20)\nheld = []\n"
            "for _ in range(64):\n    held.append(os.memfd_create('hoard'))\n"
            "    for _ in range(8):\n        os.write(held[-1], chunk)\n"
        )
        with anyio.fail_after(30):
            result = await box.execute(code)
        assert result.killed is not None and "memory limit of 128 MiB" in result.killed, result.render()
        await assert_recovers(box)
        with anyio.fail_after(10):
            assert (await bystander.execute("y")).value == "42"
    finally:
        await close_and_check(box)


@pytest.mark.root
async def test_the_workspace_has_a_byte_quota(bystander: BubblewrapSandbox) -> None:
    box = await started(SandboxLimits(wall_seconds=10.0, workspace_bytes=8 * _MiB))
    try:
        assert box.quota
        code = (
            "chunk = b'x' * (1 << 20)\nmade = 0\n"
            "try:\n    for n in range(64):\n        open(f'part{n}', 'wb').write(chunk)\n        made += 1\n"
            "except OSError as exc:\n    print(exc)\nmade"
        )
        with anyio.fail_after(20):
            result = await box.execute(code)
        assert "No space left on device" in result.stdout and result.value is not None
        assert int(result.value) <= 8
        assert result.limits_hit == [f"the workspace is full: its quota is {8 * _MiB} bytes"]
        assert "[sandbox limit reached: the workspace is full" in result.render()
        await assert_recovers(box)
    finally:
        await close_and_check(box)


@pytest.mark.root
async def test_the_workspace_has_a_file_count_quota() -> None:
    box = await started(SandboxLimits(wall_seconds=10.0, workspace_files=50))
    try:
        code = (
            "made = 0\ntry:\n    for n in range(500):\n"
            "        open(f'empty{n}', 'w').close()\n        made += 1\n"
            "except OSError as exc:\n    print(exc)\nmade"
        )
        with anyio.fail_after(20):
            result = await box.execute(code)
        assert "No space left on device" in result.stdout and result.value is not None
        assert int(result.value) < 50
        assert result.limits_hit == ["the workspace holds its most files and folders: 50"]
    finally:
        await close_and_check(box)


@pytest.mark.root
async def test_the_cgroup_bounds_cpu_and_processes() -> None:
    box = await started(SandboxLimits(wall_seconds=5.0, cpus=0.5, max_processes=16))
    try:
        cgroup = box.cgroup
        assert cgroup is not None and {"cpu", "pids"} <= set(cgroup.paths)
        cpu = cgroup.paths["cpu"]
        quota_file = cpu / ("cpu.max" if (cpu / "cpu.max").exists() else "cpu.cfs_quota_us")
        assert quota_file.read_text().split()[0] == "50000"
        assert (cgroup.paths["pids"] / "pids.max").read_text().strip() == "18"
        assert set(cgroup.pids()) >= {box.pid}
    finally:
        await close_and_check(box)
    assert not any(path.exists() for path in cgroup.paths.values()), "the cgroup outlived the sandbox"


@pytest.mark.root
async def test_close_leaves_no_mount_and_no_cgroup() -> None:
    box = await started()
    workspace, cgroup = box.workspace, box.cgroup
    assert cgroup is not None
    await close_and_check(box)
    assert str(workspace) not in await anyio.Path("/proc/self/mounts").read_text()
    assert not any(path.exists() for path in cgroup.paths.values())
    assert not await anyio.Path(workspace).exists()


@pytest.mark.root
async def test_a_sandbox_never_closed_leaves_no_mount_once_collected() -> None:
    box = BubblewrapSandbox(TOOLS, SandboxLimits())
    workspace = str(box.workspace)
    assert workspace in await anyio.Path("/proc/self/mounts").read_text()
    del box
    gc.collect()
    assert workspace not in await anyio.Path("/proc/self/mounts").read_text()


@pytest.mark.root
async def test_a_start_that_fails_leaves_no_cgroup(monkeypatch: pytest.MonkeyPatch) -> None:
    box = BubblewrapSandbox(TOOLS, SandboxLimits())
    monkeypatch.setattr(box, "_bwrap", "/nonexistent/bwrap")
    with anyio.fail_after(30), pytest.raises(SandboxError, match="failed to start"):
        await box.start()
    assert not list(CGROUP_ROOT.glob(f"*/{box.marker}")) and not (CGROUP_ROOT / box.marker).exists()
    await close_and_check(box)


@pytest.mark.root
async def test_a_refused_process_names_the_limit(bystander: BubblewrapSandbox) -> None:
    box = await started(SandboxLimits(wall_seconds=5.0, max_processes=8))
    try:
        code = "import subprocess\ntry:\n    for _ in range(32):\n        subprocess.Popen(['sleep', '30'])\n"
        code += "except OSError as exc:\n    print(type(exc).__name__)"
        with anyio.fail_after(20):
            result = await box.execute(code)
        assert "BlockingIOError" in result.stdout, result.render()
        assert result.limits_hit == ["the sandbox's process limit of 8 refused a new process"]
        with anyio.fail_after(10):
            assert (await box.execute("1")).limits_hit == []
            assert (await bystander.execute("y")).value == "42"
    finally:
        await close_and_check(box)
