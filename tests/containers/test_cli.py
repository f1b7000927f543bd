"""`openenv-mcp build` and `claude-config --docker`: their output and their errors, no engine needed."""

from __future__ import annotations

import json
import sys

import pytest

from openenv_mcp.cli import main
from openenv_mcp.containers import ContainerError, DockerEngine, DockerUnavailableError
from openenv_mcp.containers.context import dockerfile, find_source


def test_claude_config_docker_runs_the_image_off_the_network(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claude-config", "wordle", "--docker", "--image", "me/wordle:1"]) == 0
    entry = json.loads(capsys.readouterr().out)["mcpServers"]["openenv-wordle"]
    assert entry["command"].endswith("docker")
    assert entry["args"][:5] == ["run", "-i", "--rm", "--network", "none"]
    assert entry["args"][-5:] == ["me/wordle:1", "--transport", "stdio", "--mode", "training"]
    assert "--read-only" in entry["args"] and "--memory" in entry["args"]


def test_no_docker_sdk_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "docker", None)
    with pytest.raises(DockerUnavailableError, match=r"pip install 'openenv-mcp\[docker\]'"):
        DockerEngine.connect()


def test_no_engine_says_to_start_dockerd(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("docker")
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["build", "echo"]) == 2
    assert "Docker engine not reachable: start dockerd" in capsys.readouterr().err


def test_an_environment_without_a_dockerfile_is_named() -> None:
    with pytest.raises(ContainerError, match="images exist for: echo"):
        dockerfile(find_source(), "chess")
