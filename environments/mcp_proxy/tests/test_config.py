"""The proxy's configuration: one target, credentials kept secret, the default child."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import openenv_mcp_mcp_proxy
from openenv_mcp.errors import DefinitionError
from openenv_mcp_mcp_proxy import (
    CONFIG_VARIABLE,
    NODE_DIR_VARIABLE,
    ProxyConfig,
    default_config,
)
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


def test_the_default_is_the_toolbox_shipped_in_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CONFIG_VARIABLE, raising=False)
    config = default_config()
    assert config.name == "toolbox" and config.per_episode and config.allow is None
    assert config.command is not None and config.command[0] == sys.executable
    package = Path(openenv_mcp_mcp_proxy.__file__).parent
    assert Path(config.command[1]) == package / "toolbox.py"
    assert CONFIG_VARIABLE in (config.description or "")  # says how to serve another child


def test_a_missing_node_package_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NODE_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(DefinitionError, match="npm ci"):
        node_server_entry("server-everything")


def test_without_a_node_folder_the_node_servers_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(NODE_DIR_VARIABLE, raising=False)
    with pytest.raises(DefinitionError, match=NODE_DIR_VARIABLE):
        node_server_entry("server-everything")
