"""Every environment folder's `openenv.yaml` is what its code says, and in the scaffold's format."""

from __future__ import annotations

import os
import re

import pytest

from openenv_mcp import ToolCallAction
from openenv_mcp.scaffold.names import Names
from openenv_mcp.scaffold.render import PLAIN, render_files
from openenv_mcp_wordle import WordleEnvironment
from tests.openenv.manifests import ENVIRONMENTS, FACTS, manifest_path, render

WRITE = os.environ.get("OPENENV_MCP_WRITE_MANIFESTS") == "1"


@pytest.mark.parametrize("name", sorted(ENVIRONMENTS))
def test_the_manifest_matches_the_code(name: str) -> None:
    expected, path = render(ENVIRONMENTS[name]), manifest_path(name)
    if WRITE:
        path.write_text(expected, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == expected, (
        f"{path} drifted from the environment's code: rerun with OPENENV_MCP_WRITE_MANIFESTS=1"
    )


def test_every_generated_environment_has_its_folder_and_facts() -> None:
    folders = {p.parent.name for p in manifest_path("echo").parents[1].glob("*/Dockerfile")}
    # A new environment adds its facts to manifests.py (or ships a manifest of its own).
    assert set(ENVIRONMENTS) == set(FACTS) <= folders


def _keys(text: str) -> list[str]:
    """The manifest's keys, indented as they nest (comments and values dropped)."""
    return [m.group(1) for m in re.finditer(r"^(\s*[a-z_]+):", text, re.MULTILINE)]


def test_init_writes_the_same_format() -> None:
    template = _keys(render_files(Names("maze"), PLAIN)["openenv.yaml"])
    ours = _keys(render(ENVIRONMENTS["python"]))  # an environment with an oracle, as init's has
    assert [k for k in ours if k.strip() not in ("task_api", "declared_task_count")] == template


async def test_a_game_solved_at_once_earns_the_declared_wordle_maximum() -> None:
    env = WordleEnvironment()
    await env.reset(seed=1, options={"word": "metal", "max_guesses": 10})
    result = await env.step(ToolCallAction(tool_name="guess", parameters={"word": "metal"}))
    assert result.reward == pytest.approx(FACTS["wordle"].high) and result.terminated
