"""The `openenv-mcp` command: list, claude-config, serve over HTTP as a real process."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import anyio
import httpx2
import mcp
import pytest
from anyio.streams.text import TextReceiveStream
from mcp.client.streamable_http import streamable_http_client

from openenv_mcp.cli import claude_config, main
from openenv_mcp.client import EnvClient
from openenv_mcp.testing.serving import served_process

CLI = [sys.executable, "-m", "openenv_mcp"]


def test_list_shows_installed_environments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "echo" in out and "tools: echo" in out


def test_claude_config_starts_this_interpreter_over_stdio() -> None:
    server = claude_config("echo")["mcpServers"]["openenv-echo"]
    assert Path(server["command"]).is_absolute()
    assert server["args"][-4:] == ["--transport", "stdio", "--mode", "training"]


def test_claude_config_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["claude-config", "echo"]) == 0
    assert "openenv-echo" in json.loads(capsys.readouterr().out)["mcpServers"]


def test_an_unknown_environment_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "chess", "--transport", "stdio"]) == 2
    err = capsys.readouterr().err
    assert "no environment named 'chess'; installed environments:" in err
    assert "echo" in err


def test_stdio_serves_exactly_one_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "echo", "echo", "--transport", "stdio"]) == 2
    assert "stdio serves exactly one environment" in capsys.readouterr().err


@pytest.mark.subprocess
def test_the_claude_desktop_entry_starts_the_server() -> None:
    server = claude_config("echo")["mcpServers"]["openenv-echo"]
    command = [server["command"], *server["args"]]
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "claude-desktop-like", "version": "1"},
        },
    }
    done = subprocess.run(
        command, input=json.dumps(initialize) + "\n", capture_output=True, text=True, timeout=60, env={}
    )
    reply = json.loads(done.stdout.splitlines()[0])
    assert reply["result"]["serverInfo"]["name"] == "echo"


@pytest.mark.subprocess
async def test_serve_http_as_a_process() -> None:
    command = [*CLI, "serve", "echo", "--port", "0"]
    with anyio.fail_after(60):
        async with await anyio.open_process(command) as process:
            assert process.stderr is not None
            seen, served = (
                "",
                re.compile(r"serving (http://127\.0\.0\.1:(\d+))/envs/echo/mcp \(training mode\)"),
            )
            async for chunk in TextReceiveStream(process.stderr):
                seen += chunk
                if served.search(seen):
                    break
            running = re.search(r"Uvicorn running on http://127\.0\.0\.1:(\d+)", seen)
            found = served.search(seen)
            assert running is not None and found is not None, seen
            # The port really bound is logged with each endpoint, not the 0 asked for.
            assert found.group(2) == running.group(1) != "0"
            url = found.group(1)
            async with mcp.Client(f"{url}/envs/echo/mcp", mode="2026-07-28") as client:
                result = await client.call_tool("reset", {"seed": 1})
                assert result.structured_content is not None
            process.terminate()


@pytest.mark.sandbox
def test_doctor_prints_every_layer_and_exits_by_them() -> None:
    ran = subprocess.run([*CLI, "doctor"], capture_output=True, text=True, timeout=60, check=False)
    for name in ("uid", "namespaces", "seccomp", "landlock", "cgroup_memory", "workspace_quota"):
        assert name in ran.stdout
    assert "production mode:" in ran.stdout
    as_json = subprocess.run(
        [*CLI, "doctor", "--sandbox", "none", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    report = json.loads(as_json.stdout)
    assert as_json.returncode == 1 and report["backend"] == "none"
    assert report["layers"]["seccomp"]["present"] is False
    assert ran.returncode == (0 if "MISSING" not in ran.stdout else 1)


def test_production_code_without_layers_will_not_start(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "python", "--mode", "production", "--sandbox", "none"]) == 2
    err = capsys.readouterr().err
    assert "refuses to serve code" in err and "--allow-missing-layer" in err


@pytest.mark.parametrize(
    ("flags", "problem"),
    [
        (["--oauth-issuer", "https://idp.test"], "--oauth-issuer and --oauth-audience go together"),
        (["--oauth-audience", "aud"], "--oauth-issuer and --oauth-audience go together"),
        (["--oauth-jwks-uri", "https://idp.test/jwks"], "--oauth-jwks-uri needs --oauth-issuer"),
        (["--auth-tokens", "/nonexistent/tokens"], "cannot read the token file /nonexistent/tokens"),
        (["--client-episodes", "300"], "--client-episodes 300 is more than the --capacity 256"),
    ],
)
def test_flags_that_do_not_fit_together_are_refused(
    flags: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "echo", *flags]) == 2
    assert problem in capsys.readouterr().err


def test_stdio_takes_no_authentication(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("a-token-of-sixteen-chars openenv:tools\n")
    assert main(["serve", "echo", "--transport", "stdio", "--auth-tokens", str(tokens)]) == 2
    assert "authentication is for HTTP" in capsys.readouterr().err


def test_a_malformed_token_file_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("# ok\na-token-of-sixteen-chars openenv:admin\n")
    assert main(["serve", "echo", "--auth-tokens", str(tokens)]) == 2
    assert f"{tokens}, line 2: unknown scope openenv:admin" in capsys.readouterr().err


@pytest.mark.subprocess
async def test_serve_with_a_token_file_refuses_strangers_and_serves_its_principals(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens"
    tokens.write_text("agent-token-0123456789 openenv:tools team-a\n")
    tokens.chmod(0o600)
    command = [*CLI, "serve", "echo", "--port", "0", "--mode", "production", "--auth-tokens", str(tokens)]
    with anyio.fail_after(60):
        async with served_process(command, "/envs/echo/mcp") as served:
            async with httpx2.AsyncClient() as http:
                refused = await http.post(served.url, json={})
            assert refused.status_code == 401 and refused.json()["reason"] == "missing"
            async with EnvClient(served.url, auth="agent-token-0123456789", mode="2026-07-28") as env:
                assert [tool.name for tool in env.tools()] == ["echo"]


@pytest.mark.subprocess
@pytest.mark.parametrize(("trusted", "seen"), [("127.0.0.1", "203.0.113.7"), ("192.0.2.1", "127.0.0.1")])
async def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(trusted: str, seen: str) -> None:
    command = [
        *CLI,
        "serve",
        "echo",
        "--port",
        "0",
        "--client-episodes",
        "1",
        "--forwarded-allow-ips",
        trusted,
    ]
    with anyio.fail_after(60):
        async with served_process(command, "/envs/echo/mcp") as served:
            http = httpx2.AsyncClient(headers={"X-Forwarded-For": "203.0.113.7"})
            transport = streamable_http_client(served.url, http_client=http)
            async with mcp.Client(transport, mode="2026-07-28") as client:
                await client.call_tool("reset", {})
                refused = await client.call_tool("reset", {})
    assert f"quota: client {seen} may hold 1 live episodes" in str(refused.content)
