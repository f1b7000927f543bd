"""The layer report: what doctor and /healthz say, and production refusing code without a layer."""

from __future__ import annotations

import logging
import os

import anyio
import httpx2
import pytest

from openenv_mcp.errors import SandboxUnavailableError
from openenv_mcp.sandbox import layers
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_python import PythonEnvironment

pytestmark = pytest.mark.sandbox


def test_the_report_names_every_layer_once() -> None:
    for backend in ("bubblewrap", "none"):
        report = layers.probe(backend)
        assert [layer.name for layer in report.layers] == list(layers.LAYERS)
        assert all(layer.detail for layer in report.layers)
        assert all(layer.remedy for layer in report.missing), "a missing layer must say how to get it"


def test_bubblewrap_gives_what_this_machine_can() -> None:
    report = {layer.name: layer for layer in layers.probe("bubblewrap").layers}
    for name in ("uid", "namespaces", "seccomp"):
        assert report[name].present, report[name]
    root_only = ("cgroup_memory", "cgroup_cpu", "cgroup_pids", "workspace_quota")
    if os.geteuid() == 0:
        assert all(report[name].present for name in root_only), [report[n] for n in root_only]
    else:
        assert not any(report[name].present for name in root_only)
        assert str(os.geteuid()) in report["uid"].detail


def test_none_is_missing_every_layer_that_confines() -> None:
    report = {layer.name: layer for layer in layers.probe("none").layers}
    for name in ("namespaces", "seccomp", "landlock", "workspace_quota"):
        assert not report[name].present
    assert report["uid"].present is (os.geteuid() != 0)


def test_production_refuses_code_without_a_layer_and_names_it() -> None:
    with pytest.raises(SandboxUnavailableError) as refused:
        EnvServer(PythonEnvironment, mode="production", sandbox="none", warm_pool=0)
    message = str(refused.value)
    assert "namespaces:" in message and "seccomp:" in message and "--allow-missing-layer" in message


def test_a_missing_layer_can_be_allowed_explicitly_and_only_by_name() -> None:
    missing = [layer.name for layer in layers.probe("none").missing]
    server = EnvServer(
        PythonEnvironment, mode="production", sandbox="none", warm_pool=0, allow_missing_layers=missing
    )
    assert server.sandbox_layers is not None and server.sandbox_layers.backend == "none"
    with pytest.raises(SandboxUnavailableError, match="unknown sandbox layer selinux"):
        EnvServer(PythonEnvironment, sandbox="none", allow_missing_layers=["selinux"])
    with pytest.raises(SandboxUnavailableError, match="Missing: seccomp"):
        allowed = [name for name in missing if name != "seccomp"]
        EnvServer(PythonEnvironment, mode="production", sandbox="none", allow_missing_layers=allowed)


def test_training_warns_and_serves(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="openenv_mcp.sandbox.layers"):
        server = EnvServer(PythonEnvironment, sandbox="none", warm_pool=0)
    assert server.sandbox_layers is not None
    assert "sandbox layer seccomp is missing" in caplog.text


async def test_healthz_carries_the_report() -> None:
    server = EnvServer(PythonEnvironment, warm_pool=0)
    with anyio.fail_after(30):
        async with running_http(build_app([server])) as base, httpx2.AsyncClient(base_url=base) as http:
            health = (await http.get("/healthz")).json()
    assert health["sandbox"]["python"] == layers.probe("bubblewrap").to_json()
    assert set(health["sandbox"]["python"]["layers"]) == set(layers.LAYERS)


async def test_a_trial_sandbox_is_checked_from_outside() -> None:
    with anyio.fail_after(60):
        seen = await layers.trial("bubblewrap")
    assert "ran code" in seen[0]
    assert "keyring: " in seen[1] and "not_dumpable: True" in seen[1]
    assert "seccomp mode 2, no_new_privs 1" in seen[2] and "uid 0" not in seen[2]
    with anyio.fail_after(60):
        process = await layers.trial("process")
    assert "seccomp: True" in process[1] and "seccomp mode 2" in process[2]
