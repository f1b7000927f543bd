"""The proxy's configuration: one target, credentials kept secret, the default child."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from openenv_mcp.errors import DefinitionError
from openenv_mcp_mcp_proxy import CONFIG_VARIABLE, NODE_DIR_VARIABLE, ProxyConfig, default_config
from openenv_mcp_mcp_proxy.config import node_server_entry


def test_exactly_one_of_command_and_url() -> None:
    with pytest.raises(ValidationError, match="exactly one"):
        ProxyConfig(name="x")
    with pytest.raises(ValidationError, match="exactly one"):
        ProxyConfig(name="x", command=["a"], url="http://127.0.0.1:1/mcp")


def test_a_workspace_needs_a_child_per_episode() -> None:
    with pytest.raises(ValidationError, match="per_episode"):
        ProxyConfig(name="x", command=["a", "{workspace}"], workspace=True, per_episode=False)


def test_credentials_never_show_in_the_config() -> None:
    config = ProxyConfig(name="x", command=["a"], env={"API_TOKEN": "tok-123456"})
    assert "tok-123456" not in repr(config)
    assert "tok-123456" not in config.model_dump_json()
    assert config.secrets() == ["tok-123456"]


def test_the_default_reads_the_file_named_by_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "proxy.json"
    path.write_text(json.dumps({"name": "mine", "command": ["my-server"], "deny": ["rm"]}))
    monkeypatch.setenv(CONFIG_VARIABLE, str(path))
    config = default_config()
    assert (config.name, config.command, config.deny) == ("mine", ["my-server"], ["rm"])


def test_the_default_is_the_everything_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_VARIABLE, raising=False)
    config = default_config()
    assert config.name == "everything"
    assert config.command is not None and config.command[-1] == "stdio"


def test_a_missing_node_package_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NODE_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(DefinitionError, match="npm ci"):
        node_server_entry("server-everything")
