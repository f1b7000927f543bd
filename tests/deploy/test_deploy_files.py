"""The deployment examples in deploy/ stay consistent with the command line and with each other.

Fast and offline: no Docker, systemd or nginx. Every `openenv-mcp serve` command in the systemd
unit (its ExecStart, and the no-code drop-in in its comments) and in the compose file is parsed
by the CLI's own argparse parser; the stop timeouts must outlast --drain + --shutdown-grace; the
compose port is published on loopback only; nginx keeps what MCP's Streamable HTTP needs.
Each check returns its problems as text, so the tests at the end can prove that a broken copy
of each file is caught.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import pytest

from openenv_mcp.cli import _parser, _quotas  # pyright: ignore[reportPrivateUsage]
from openenv_mcp.errors import OpenEnvError

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNIT = DEPLOY / "openenv-mcp.service"
COMPOSE = DEPLOY / "compose.yaml"
NGINX = DEPLOY / "nginx.conf"

SHUTDOWN_MARGIN = 5.0
"""Seconds a stop timeout must leave after drain + grace: closing every episode and sandbox."""
CODE_ENVIRONMENTS = {"python", "terminal"}
"""Environments that run model-written code, and so need the sandbox whole."""
SANDBOX_BREAKERS = {
    "ProtectKernelTunables": "bwrap cannot open /proc/sys/user/max_user_namespaces",
    "ProtectControlGroups": "the cgroup layers need a writable /sys/fs/cgroup",
    "RestrictNamespaces": "bwrap cannot create its namespaces",
    "PrivateUsers": "setpriv cannot switch to a sandbox uid",
    "ProcSubset": "bwrap reads /proc/sys/kernel/overflowuid",
    "SystemCallFilter": "the server is killed by SIGSYS",
    "ProtectHostname": "bwrap cannot name the sandbox's host",
}
"""systemd options tried under a real systemd 252 with the unit serving python, and what broke."""


# --- the command line ------------------------------------------------------------------------


@dataclass(frozen=True)
class Serve:
    """One `openenv-mcp serve` command found in a deploy file."""

    where: str
    args: argparse.Namespace


def parse_serve(argv: list[str], where: str) -> Serve | str:
    """`argv` (from `serve` on) through the real parser and the CLI's own cross-flag checks."""
    if argv[:1] != ["serve"]:
        return f"{where}: not an `openenv-mcp serve` command: {shlex.join(argv[:3])} ..."
    try:
        args = _parser().parse_args(argv)
    except SystemExit:
        return f"{where}: `openenv-mcp {shlex.join(argv)}` does not parse (argparse said why above)"
    try:
        _quotas(args)
    except OpenEnvError as exc:
        return f"{where}: {exc}"
    return Serve(where, args)


def serve_problems(serve: Serve) -> list[str]:
    """What every deployment must say: HTTP, production, a token file, a shutdown it can drain."""
    args = serve.args
    problems: list[str] = []
    if args.transport != "http":
        problems.append(f"{serve.where}: --transport must be http, not {args.transport}")
    if args.mode != "production":
        problems.append(f"{serve.where}: --mode must be production, not {args.mode}")
    if not (args.auth_tokens or args.oauth_issuer):
        problems.append(f"{serve.where}: no --auth-tokens or --oauth-issuer: anyone could call the tools")
    if not args.allowed_host:
        problems.append(f"{serve.where}: no --allowed-host: a proxy's Host header would get 421")
    return problems


def shutdown_seconds(serve: Serve) -> float:
    return float(serve.args.drain) + float(serve.args.shutdown_grace)


def duration(text: str) -> float:
    """Seconds in a systemd time span ("45", "45s", "1min 30s") or a compose duration ("1m30s").

    >>> duration("1min 30s"), duration("1m30s"), duration("45"), duration("2h")
    (90.0, 90.0, 45.0, 7200.0)
    """
    units = {"": 1.0, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "hr": 3600.0, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([a-z]*)", text.strip())
    if not parts or re.sub(r"[\d.\sa-z]", "", text.strip()):
        raise ValueError(f"not a duration: {text!r}")
    total = 0.0
    for number, unit in parts:
        if unit not in units:
            raise ValueError(f"unknown unit {unit!r} in {text!r}")
        total += float(number) * units[unit]
    return total


# --- the systemd unit ------------------------------------------------------------------------


def unit_settings(text: str) -> dict[str, list[str]]:
    """The `[Service]` assignments of a unit (continuation lines joined, comments dropped)."""
    settings: dict[str, list[str]] = {}
    section = ""
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith(("#", ";"))):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
        elif section == "Service" and "=" in line:
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def commented_dropin(text: str) -> str:
    """The drop-in that the unit's closing comment offers ("#   [Service]" to the end), uncommented."""
    start = text.find("#   [Service]")
    if start < 0:
        return ""
    return "\n".join(line.removeprefix("#").removeprefix("   ") for line in text[start:].splitlines())


def unit_serve(settings: dict[str, list[str]], where: str) -> Serve | str:
    starts = [value for value in settings.get("ExecStart", []) if value]
    if len(starts) != 1:
        return f"{where}: expected one ExecStart, found {len(starts)}"
    argv = shlex.split(starts[0])
    if Path(argv[0]).name != "openenv-mcp":
        return f"{where}: ExecStart runs {argv[0]}, not openenv-mcp"
    return parse_serve(argv[1:], where)


def unit_problems(text: str) -> list[str]:
    settings = unit_settings(text)
    serve = unit_serve(settings, "unit ExecStart")
    if isinstance(serve, str):
        return [serve]
    problems = serve_problems(serve)

    def one(key: str) -> str:
        return settings.get(key, [""])[-1]

    stop = duration(one("TimeoutStopSec") or "90")
    if stop < shutdown_seconds(serve) + SHUTDOWN_MARGIN:
        problems.append(
            f"unit: TimeoutStopSec={stop:g}s does not outlast --drain + --shutdown-grace "
            f"({shutdown_seconds(serve):g}s) by {SHUTDOWN_MARGIN:g}s: systemd would SIGKILL a clean shutdown"
        )
    expected = {
        "KillSignal": "SIGTERM",
        "Restart": "on-failure",
        "LimitNOFILE": "65536",
        "NoNewPrivileges": "yes",
    }
    problems += [
        f"unit: {key}={one(key) or '(unset)'}, want {want}"
        for key, want in expected.items()
        if one(key) != want
    ]
    if one("ProtectSystem") not in ("strict", "full", "yes"):
        problems.append("unit: ProtectSystem is not set")
    if one("PrivateTmp") != "yes":
        problems.append("unit: PrivateTmp is not yes")
    credentials = {value.partition(":")[0] for value in settings.get("LoadCredential", [])}
    token_file = str(serve.args.auth_tokens or "")
    if token_file.startswith(("%d/", "${CREDENTIALS_DIRECTORY}/")):
        name = token_file.partition("/")[2]
        if name not in credentials:
            problems.append(
                f"unit: --auth-tokens {token_file} names no LoadCredential= (have {sorted(credentials)})"
            )
    if set(serve.args.envs) & CODE_ENVIRONMENTS:
        for key, why in SANDBOX_BREAKERS.items():
            if one(key) not in ("", "no", "false"):
                problems.append(f"unit: {key}={one(key)} breaks the sandbox of {serve.args.envs}: {why}")
    dropin_text = commented_dropin(text)
    if dropin_text:
        dropin = unit_serve(
            {**settings, "ExecStart": unit_settings(dropin_text).get("ExecStart", [])}, "drop-in"
        )
        if isinstance(dropin, str):
            problems.append(dropin)
        else:
            problems += serve_problems(dropin)
            if set(dropin.args.envs) & CODE_ENVIRONMENTS:
                problems.append(f"drop-in: locked down for no code, but serves {dropin.args.envs}")
            if stop < shutdown_seconds(dropin) + SHUTDOWN_MARGIN:
                problems.append(f"drop-in: TimeoutStopSec={stop:g}s does not outlast its drain + grace")
    return problems


# --- the compose file ------------------------------------------------------------------------

Yaml: TypeAlias = str | list["Yaml"] | dict[str, "Yaml"]
_KEY = re.compile(r"^([A-Za-z0-9_.\-/]+):(?:\s+(.*))?$")


def _scalar(text: str) -> str:
    text = text.strip()
    if text.startswith('"'):
        return str(json.loads(text))
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    if text[:1] in "[{&*|>!":
        raise ValueError(f"beyond this test's YAML subset (flow, anchor, block scalar, tag): {text!r}")
    return re.sub(r"\s+#.*$", "", text)


def parse_yaml(text: str) -> Yaml:
    """A YAML subset: block mappings, block sequences of scalars, plain and quoted scalars.

    Enough for compose.yaml without a YAML library; anything beyond it fails loudly.

    >>> parse_yaml("a:\\n  b: '1'\\n  c:\\n    - x\\n    - \\"y z\\"\\n")
    {'a': {'b': '1', 'c': ['x', 'y z']}}
    """
    lines = [
        (len(raw) - len(raw.lstrip(" ")), raw.strip())
        for raw in text.splitlines()
        if raw.strip() and not raw.strip().startswith("#")
    ]

    def block(index: int, indent: int) -> tuple[Yaml, int]:
        if lines[index][1].startswith("- "):
            items: list[Yaml] = []
            while index < len(lines) and lines[index][0] == indent and lines[index][1].startswith("- "):
                items.append(_scalar(lines[index][1][2:]))
                index += 1
            return items, index
        mapping: dict[str, Yaml] = {}
        while index < len(lines) and lines[index][0] == indent:
            match = _KEY.match(lines[index][1])
            if match is None:
                raise ValueError(f"beyond this test's YAML subset: {lines[index][1]!r}")
            key, value = match.group(1), match.group(2)
            index += 1
            if value is not None and value.strip():
                mapping[key] = _scalar(value)
            elif index < len(lines) and lines[index][0] > indent:
                mapping[key], index = block(index, lines[index][0])
            else:
                mapping[key] = ""
        return mapping, index

    value, end = block(0, lines[0][0]) if lines else ({}, 0)
    if end != len(lines):
        raise ValueError(f"beyond this test's YAML subset, at {lines[end][1]!r}")
    return value


def interpolate(text: str) -> str:
    """Compose's `${VAR:-default}` and `${VAR}` as they read with nothing set."""
    return re.sub(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}", lambda m: m.group(1) or "", text)


def _strings(value: Yaml | None) -> list[str]:
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return shlex.split(value) if isinstance(value, str) else []


def compose_problems(text: str) -> list[str]:
    document = parse_yaml(text)
    services = document.get("services") if isinstance(document, dict) else None
    if not isinstance(services, dict) or not services:
        return ["compose: no services"]
    problems: list[str] = []
    for name, service in services.items():
        if not isinstance(service, dict):
            problems.append(f"compose {name}: not a mapping")
            continue
        argv = _strings(service.get("entrypoint")) + _strings(service.get("command"))
        if argv[:1] != ["openenv-mcp"]:
            problems.append(f"compose {name}: entrypoint is not openenv-mcp (the image's is replaced whole)")
            continue
        serve = parse_serve(argv[1:], f"compose {name}")
        if isinstance(serve, str):
            problems.append(serve)
            continue
        problems += serve_problems(serve)
        grace = service.get("stop_grace_period")
        stop = duration(grace) if isinstance(grace, str) else 10.0
        if stop < shutdown_seconds(serve) + SHUTDOWN_MARGIN:
            problems.append(
                f"compose {name}: stop_grace_period {stop:g}s does not outlast --drain + --shutdown-grace "
                f"({shutdown_seconds(serve):g}s) by {SHUTDOWN_MARGIN:g}s: Docker would SIGKILL it (exit 137)"
            )
        ports = [interpolate(port) for port in _strings(service.get("ports"))]
        problems += [
            f"compose {name}: port {port} is not published on 127.0.0.1 only"
            for port in ports
            if not port.startswith("127.0.0.1:")
        ]
        container_ports = {port.rsplit(":", 1)[-1].split("/")[0] for port in ports}
        if str(serve.args.port) not in container_ports:
            problems.append(
                f"compose {name}: serves on {serve.args.port}, publishes {sorted(container_ports)}"
            )
        health = service.get("healthcheck")
        test = _strings(health.get("test")) if isinstance(health, dict) else []
        if not any("/readyz" in part for part in test):
            problems.append(f"compose {name}: the healthcheck does not ask /readyz")
        secrets = set(_strings(service.get("secrets")))
        token_file = str(serve.args.auth_tokens or "")
        if token_file and token_file.removeprefix("/run/secrets/") not in secrets:
            problems.append(
                f"compose {name}: --auth-tokens {token_file} is not one of its secrets {sorted(secrets)}"
            )
        if service.get("read_only") != "true":
            problems.append(f"compose {name}: read_only is not true")
        if "ALL" not in _strings(service.get("cap_drop")):
            problems.append(f"compose {name}: cap_drop does not drop ALL")
    return problems


# --- nginx -----------------------------------------------------------------------------------


def nginx_directives(text: str) -> list[list[str]]:
    """Each directive of an nginx config as its words (comments dropped; blocks flattened)."""
    code = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    return [statement.split() for statement in re.split(r"[;{}]", code) if statement.split()]


def nginx_problems(text: str, allowed_hosts: set[str], port: int) -> list[str]:
    directives = nginx_directives(text)

    def has(*words: str) -> bool:
        return any(d[: len(words)] == list(words) for d in directives)

    problems: list[str] = []
    needs = {
        ("proxy_buffering", "off"): "SSE responses would be held back until they end",
        ("proxy_http_version", "1.1"): "HTTP/1.0 to the server breaks chunked SSE streams and keep-alive",
        ("proxy_set_header", "Host", "$host"): "the server's --allowed-host check needs the client's Host",
        (
            "proxy_set_header",
            "X-Forwarded-Proto",
            "$scheme",
        ): "the server would not know the client used https",
    }
    problems += [f"nginx: no `{' '.join(words)}`: {why}" for words, why in needs.items() if not has(*words)]
    forwarded = [d for d in directives if d[:2] == ["proxy_set_header", "X-Forwarded-For"]]
    if not forwarded:
        problems.append("nginx: no X-Forwarded-For: every anonymous client would share nginx's quota")
    for directive in directives:
        if directive[0] == "proxy_read_timeout" and duration(directive[1]) < 300:
            problems.append(
                f"nginx: proxy_read_timeout {directive[1]} cuts quiet SSE streams (a long tool call)"
            )
        if directive[:2] == ["proxy_set_header", "Authorization"]:
            problems.append(
                "nginx: Authorization is overwritten: the client's bearer token must pass through"
            )
    if not has("proxy_read_timeout"):
        problems.append("nginx: proxy_read_timeout is nginx's 60s default: it cuts quiet SSE streams")
    listens = [d[1] for d in directives if d[0] == "listen"]
    if not any(address.startswith("127.0.0.1:") for address in listens):
        problems.append(f"nginx: no listen on 127.0.0.1 (listens {listens})")
    names = {name for d in directives if d[0] == "server_name" for name in d[1:]}
    problems += [
        f"nginx: server_name {name} is not in the server's --allowed-host {sorted(allowed_hosts)}"
        for name in sorted(names - allowed_hosts)
    ]
    upstreams = [d[1] for d in directives if d[0] == "server" and len(d) > 1]
    if f"127.0.0.1:{port}" not in upstreams:
        problems.append(f"nginx: the upstream {upstreams} is not the server's 127.0.0.1:{port}")
    return problems


def unit_serve_args() -> argparse.Namespace:
    serve = unit_serve(unit_settings(UNIT.read_text()), "unit")
    assert isinstance(serve, Serve), serve
    return serve.args


# --- the tests -------------------------------------------------------------------------------


def test_the_unit_serves_with_flags_the_cli_takes_and_stops_within_its_timeout() -> None:
    assert unit_problems(UNIT.read_text()) == []


def test_the_compose_file_serves_with_flags_the_cli_takes_on_loopback_only() -> None:
    assert compose_problems(COMPOSE.read_text()) == []


def test_nginx_keeps_what_streamable_http_needs_and_matches_the_server() -> None:
    args = unit_serve_args()
    assert nginx_problems(NGINX.read_text(), set(args.allowed_host), args.port) == []


def test_the_unit_and_the_compose_file_agree_on_the_public_name() -> None:
    compose = parse_yaml(COMPOSE.read_text())
    assert isinstance(compose, dict)
    services = compose["services"]
    assert isinstance(services, dict)
    service = services["openenv-mcp"]
    assert isinstance(service, dict)
    argv = _strings(service.get("entrypoint")) + _strings(service.get("command"))
    compose_args = _parser().parse_args(argv[1:])
    unit_args = unit_serve_args()
    assert compose_args.public_url == unit_args.public_url
    assert set(compose_args.allowed_host) & set(unit_args.allowed_host)


Check: TypeAlias = Callable[[str], list[str]]
BROKEN: list[tuple[str, Path, Check, str, str, str]] = [
    # (what, file, check, replace, with, a word the problem must name)
    ("an unknown flag", UNIT, unit_problems, "--drain 5", "--drain-seconds 5", "does not parse"),
    (
        "a stop timeout shorter than drain + grace",
        UNIT,
        unit_problems,
        "TimeoutStopSec=45",
        "TimeoutStopSec=20",
        "TimeoutStopSec",
    ),
    ("a flag's bad value", UNIT, unit_problems, "--mode production", "--mode prod", "does not parse"),
    (
        "training mode",
        UNIT,
        unit_problems,
        "--mode production",
        "--mode training",
        "--mode must be production",
    ),
    (
        "a hardening option that breaks bubblewrap",
        UNIT,
        unit_problems,
        "ProtectClock=yes",
        "ProtectClock=yes\nProtectHostname=yes",
        "ProtectHostname",
    ),
    (
        "a credential the flag does not name",
        UNIT,
        unit_problems,
        "LoadCredential=tokens:",
        "LoadCredential=tokenz:",
        "LoadCredential",
    ),
    (
        "a drop-in with a bad flag",
        UNIT,
        unit_problems,
        "serve echo wordle connect_four",
        "serve echo --wat",
        "drop-in",
    ),
    (
        "a quota above the capacity",
        COMPOSE,
        compose_problems,
        '- "16"',
        '- "6400"',
        "more than the --capacity",
    ),
    (
        "a port on every address",
        COMPOSE,
        compose_problems,
        '"127.0.0.1:${OPENENV_MCP_PORT:-8000}:8000"',
        '"8000:8000"',
        "127.0.0.1",
    ),
    (
        "a short stop_grace_period",
        COMPOSE,
        compose_problems,
        "stop_grace_period: 40s",
        "stop_grace_period: 20s",
        "stop_grace_period",
    ),
    ("a healthcheck on /healthz", COMPOSE, compose_problems, "8000/readyz", "8000/healthz", "/readyz"),
    (
        "a token file that is no secret",
        COMPOSE,
        compose_problems,
        "- /run/secrets/openenv-mcp-tokens",
        "- /run/secrets/tokens",
        "secrets",
    ),
]


@pytest.mark.parametrize(("what", "path", "check", "old", "new", "named"), BROKEN, ids=[b[0] for b in BROKEN])
def test_a_broken_copy_is_caught(what: str, path: Path, check: Check, old: str, new: str, named: str) -> None:
    text = path.read_text()
    assert old in text, f"the test's anchor {old!r} is gone from {path.name}: update BROKEN"
    problems = check(text.replace(old, new, 1))
    assert any(named in problem for problem in problems), (what, problems)


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("proxy_buffering off;", "proxy_buffering on;", "proxy_buffering"),
        ("proxy_http_version 1.1;", "", "proxy_http_version"),
        ("proxy_read_timeout 1h;", "proxy_read_timeout 30s;", "proxy_read_timeout"),
        ("proxy_set_header Host $host;", "proxy_set_header Host backend;", "Host"),
        ("listen 127.0.0.1:8080;", "listen 8080;", "listen"),
        ("server_name mcp.example.org;", "server_name other.example.org;", "--allowed-host"),
    ],
)
def test_a_broken_nginx_conf_is_caught(old: str, new: str, named: str) -> None:
    text = NGINX.read_text()
    assert old in text, f"the test's anchor {old!r} is gone from nginx.conf"
    args = unit_serve_args()
    problems = nginx_problems(text.replace(old, new, 1), set(args.allowed_host), args.port)
    assert any(named in problem for problem in problems), problems


def test_a_yaml_beyond_the_subset_fails_loudly() -> None:
    with pytest.raises(ValueError, match="subset"):
        parse_yaml("services: {a: 1}\n")
