"""The `openenv-mcp` command: list, serve, doctor, claude-config and build."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
from collections.abc import Sequence
from typing import TypedDict

import anyio

from openenv_mcp import discovery
from openenv_mcp.auth import Authenticator, JwtVerifier, OAuthSettings, StaticTokens
from openenv_mcp.containers import cli as containers_cli
from openenv_mcp.episodes import RegistryLimits
from openenv_mcp.errors import OpenEnvError
from openenv_mcp.evaluation import cli as eval_cli
from openenv_mcp.ray import cli as ray_cli
from openenv_mcp.rewards import cli as rewards_cli
from openenv_mcp.sandbox import layers
from openenv_mcp.sandbox.provider import BACKENDS
from openenv_mcp.scaffold import cli as scaffold_cli
from openenv_mcp.server import EnvServer, Mode, audit, tracing
from openenv_mcp.server.quotas import QuotaLimits, production_share
from openenv_mcp.trajectories import cli as trajectories_cli
from openenv_mcp.transports import serve_http, serve_stdio
from openenv_mcp.transports.connections import REQUEST_TIMEOUT_SECONDS
from openenv_mcp.transports.http import (
    KEEP_ALIVE_SECONDS,
    MAX_CONNECTIONS,
    MAX_SESSIONS,
    SHUTDOWN_GRACE_SECONDS,
)
from openenv_mcp.validation import cli as validate_cli

__all__ = ["ClaudeServerEntry", "claude_config", "main"]

logger = logging.getLogger("openenv_mcp")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="openenv-mcp", description="MCP-first environments for agentic RL.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the installed environments")
    serve = commands.add_parser("serve", help="serve environments over stdio or Streamable HTTP")
    serve.add_argument("envs", nargs="*", metavar="ENV", help="environments to serve (HTTP: default all)")
    serve.add_argument("--transport", choices=["stdio", "http"], default="http")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.TRAINING.value)
    serve.add_argument("--capacity", type=int, default=256, help="live episodes per environment")
    serve.add_argument(
        "--idle-ttl", type=float, default=600.0, help="seconds before an idle episode closes; 0: never"
    )
    serve.add_argument("--allowed-host", action="append", default=[], help="Host header to accept (HTTP)")
    serve.add_argument(
        "--keep-alive",
        type=int,
        default=KEEP_ALIVE_SECONDS,
        help="seconds an idle HTTP connection stays open (longer than clients' pools keep theirs)",
    )
    serve.add_argument(
        "--client-episodes",
        type=int,
        default=None,
        help="live episodes one client (its principal, else its address) may hold; 0: no limit; "
        "default: no limit in training, a quarter of the capacity in production",
    )
    serve.add_argument(
        "--client-steps-per-second",
        type=float,
        default=None,
        help="steps a second one client may take (bursts of a second's worth); default: no limit",
    )
    _add_auth_options(serve)
    rewards_cli.add_reward_option(serve)
    serve.add_argument(
        "--audit-log",
        metavar="FILE",
        help="append a JSON line per control action and refused call to FILE",
    )
    serve.add_argument(
        "--otlp-endpoint",
        metavar="URL",
        help="export a trace span per step over OTLP/HTTP to URL (needs the otel extra)",
    )
    serve.add_argument(
        "--session-idle-timeout",
        type=float,
        default=None,
        metavar="SECONDS",
        help="seconds an unused handshake-era HTTP session is kept (default: the idle TTL, else 600)",
    )
    serve.add_argument(
        "--max-sessions",
        type=int,
        default=MAX_SESSIONS,
        help="handshake-era HTTP sessions open at once per environment (beyond: 503)",
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        metavar="ADDRESSES",
        help="proxies whose X-Forwarded-For/-Proto headers are believed, comma-separated (HTTP); "
        "default: 127.0.0.1, or $FORWARDED_ALLOW_IPS",
    )
    serve.add_argument(
        "--max-connections",
        type=int,
        default=MAX_CONNECTIONS,
        help="connections and requests at once before new requests get 503 (HTTP)",
    )
    serve.add_argument(
        "--request-timeout",
        type=float,
        default=REQUEST_TIMEOUT_SECONDS,
        help="seconds a request may take to arrive, headers and body; slower connections are closed (HTTP)",
    )
    serve.add_argument(
        "--shutdown-grace",
        type=float,
        default=SHUTDOWN_GRACE_SECONDS,
        help="seconds in-flight calls may finish after SIGTERM before they are cancelled (HTTP)",
    )
    serve.add_argument(
        "--drain",
        type=float,
        default=0.0,
        help="seconds to keep serving after SIGTERM with /readyz failing, for a load balancer (HTTP)",
    )
    serve.add_argument(
        "--sandbox",
        choices=BACKENDS,
        default="bubblewrap",
        help="where CodeAct code runs; 'none' runs it unsandboxed (development only, UNSAFE)",
    )
    serve.add_argument(
        "--warm-pool", type=int, default=2, help="started sandboxes kept ready per environment"
    )
    serve.add_argument(
        "--allow-missing-layer",
        action="append",
        default=[],
        choices=layers.LAYERS,
        metavar="LAYER",
        help=f"serve code in production without this sandbox layer (repeatable): {', '.join(layers.LAYERS)}",
    )
    trajectories_cli.add_record_option(serve)
    trajectories_cli.add_replay_command(commands)
    ray_cli.add_ray_options(serve)
    serve.add_argument("--log-level", choices=["debug", "info", "warning", "error"], default="info")
    doctor = commands.add_parser("doctor", help="which sandbox layers this machine gives")
    doctor.add_argument("--sandbox", choices=BACKENDS, default="bubblewrap")
    doctor.add_argument("--json", action="store_true", help="print the report as JSON")
    config = commands.add_parser("claude-config", help="print a claude_desktop_config.json entry")
    config.add_argument("env", metavar="ENV")
    config.add_argument("--mode", choices=[m.value for m in Mode], default=Mode.TRAINING.value)
    containers_cli.add_docker_options(config)
    containers_cli.add_build_command(commands)
    scaffold_cli.add_init_command(commands)
    validate_cli.add_validate_command(commands)
    eval_cli.add_eval_command(commands)
    return parser


def _add_auth_options(serve: argparse.ArgumentParser) -> None:
    auth = serve.add_argument_group("authentication (HTTP; stdio is a local process and takes none)")
    auth.add_argument(
        "--auth-tokens",
        metavar="FILE",
        help="static bearer tokens, one 'TOKEN SCOPE[,SCOPE] [PRINCIPAL]' a line ('#' starts a comment)",
    )
    auth.add_argument("--oauth-issuer", metavar="URL", help="accept JWT access tokens of this OAuth issuer")
    auth.add_argument("--oauth-audience", metavar="AUD", help="the audience those tokens must carry")
    auth.add_argument(
        "--oauth-jwks-uri", metavar="URL", help="the issuer's key set (default: from the issuer's metadata)"
    )
    auth.add_argument(
        "--public-url",
        metavar="URL",
        help="this server's URL as clients reach it (behind a proxy), for the resource metadata",
    )


def _authenticator(args: argparse.Namespace) -> Authenticator | None:
    """The bearer check the flags ask for, or None; a clear error for flags that do not fit together."""
    wanted = args.auth_tokens or args.oauth_issuer or args.oauth_audience or args.oauth_jwks_uri
    if not wanted:
        return None
    if args.transport == "stdio":
        raise OpenEnvError("authentication is for HTTP: stdio serves the local process that started it")
    if bool(args.oauth_issuer) != bool(args.oauth_audience):
        raise OpenEnvError("--oauth-issuer and --oauth-audience go together: give both")
    if args.oauth_jwks_uri and not args.oauth_issuer:
        raise OpenEnvError("--oauth-jwks-uri needs --oauth-issuer")
    static = StaticTokens.from_file(args.auth_tokens) if args.auth_tokens else None
    oauth = None
    if args.oauth_issuer:
        settings = OAuthSettings(args.oauth_issuer, args.oauth_audience, jwks_uri=args.oauth_jwks_uri)
        oauth = JwtVerifier(settings)
    return Authenticator(static=static, oauth=oauth, public_url=args.public_url)


def _quotas(args: argparse.Namespace) -> QuotaLimits:
    episodes: int | None = args.client_episodes
    if episodes is None and args.mode == Mode.PRODUCTION.value:
        episodes = production_share(args.capacity)
    if episodes is not None and episodes > args.capacity:
        raise OpenEnvError(f"--client-episodes {episodes} is more than the --capacity {args.capacity}")
    return QuotaLimits(episodes=episodes or None, steps_per_second=args.client_steps_per_second)


def _list() -> int:
    for name in discovery.available():
        env_class = discovery.load(name)
        listed = ", ".join(d.name for d in env_class.actions())
        tools = "(listed by the environment when it serves)" if env_class.lists_tools_at_runtime() else listed
        print(f"{name:16} {env_class.description}\n{'':16} tools: {tools}")
    return 0


def _servers(args: argparse.Namespace) -> list[EnvServer]:
    names: list[str] = list(args.envs) or discovery.available()
    if args.transport == "stdio" and len(names) != 1:
        raise OpenEnvError(f"stdio serves exactly one environment; got {len(names)}: name one ENV")
    limits = RegistryLimits(capacity=args.capacity, idle_ttl=args.idle_ttl or None)
    servers = [
        EnvServer(
            discovery.load(name),
            mode=args.mode,
            limits=limits,
            sandbox=args.sandbox,
            warm_pool=args.warm_pool,
            allow_missing_layers=args.allow_missing_layer,
            quotas=_quotas(args),
        )
        for name in names
    ]
    trajectories_cli.record_servers(servers, args.record)
    ray_cli.use_ray(servers, args)
    return servers


def _ignore(signum: int, frame: object) -> None:
    """A SIGTERM handler that does nothing: uvicorn's own shut the server down already."""


def _doctor(args: argparse.Namespace) -> int:
    """Print the layer report and a trial sandbox's; exit 1 when a layer is missing or the trial fails."""
    report = layers.probe(args.sandbox)
    try:
        seen, failed = anyio.run(layers.trial, args.sandbox), False
    except OpenEnvError as exc:
        seen, failed = [f"a trial sandbox FAILED: {exc}"], True
    if args.json:
        print(json.dumps({**report.to_json(), "trial": {"ok": not failed, "seen": seen}}, indent=2))
        return 1 if report.missing or failed else 0
    print(report.to_text())
    print("\n".join(f"  {line}" for line in seen))
    missing = ", ".join(layer.name for layer in report.missing)
    verdict = f"would refuse code without: {missing}" if missing else "would serve code (every layer present)"
    print(f"production mode: {verdict}")
    return 1 if report.missing or failed else 0


def _serve(args: argparse.Namespace) -> int:
    authenticator = _authenticator(args)
    servers = _servers(args)
    rewards_cli.reward_servers(servers, args.reward)
    if args.audit_log:
        audit.log_to(args.audit_log)
    if args.otlp_endpoint:
        tracing.configure_otlp(args.otlp_endpoint)
    logging.getLogger().setLevel(args.log_level.upper())
    if args.transport == "stdio":
        logger.info("serving %s over stdio (%s mode)", servers[0].name, args.mode)
        anyio.run(serve_stdio, servers[0])
        return 0
    # uvicorn raises the signal it shut down for again once it is done: ours ends the process with 0.
    signal.signal(signal.SIGTERM, _ignore)
    anyio.run(
        lambda: serve_http(
            servers,
            host=args.host,
            port=args.port,
            allowed_hosts=args.allowed_host,
            log_level=args.log_level,
            keep_alive=args.keep_alive,
            shutdown_grace=args.shutdown_grace,
            drain=args.drain,
            max_connections=args.max_connections,
            request_timeout=args.request_timeout,
            authenticator=authenticator,
            forwarded_allow_ips=args.forwarded_allow_ips,
            session_idle_timeout=args.session_idle_timeout,
            max_sessions=args.max_sessions,
        )
    )
    return 0


class ClaudeServerEntry(TypedDict):
    """One entry of `mcpServers` in claude_desktop_config.json."""

    command: str
    args: list[str]


def claude_config(env: str, mode: str = Mode.TRAINING.value) -> dict[str, dict[str, ClaudeServerEntry]]:
    """A `claude_desktop_config.json` document that starts `env` over stdio with this interpreter."""
    discovery.load(env)
    serve_args = ["-m", "openenv_mcp", "serve", env, "--transport", "stdio", "--mode", mode]
    return {"mcpServers": {f"openenv-{env}": {"command": sys.executable, "args": serve_args}}}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    try:
        if args.command == "list":
            return _list()
        if args.command == "eval":
            return eval_cli.run_eval(args)
        if args.command == "doctor":
            return _doctor(args)
        if args.command == "init":
            return scaffold_cli.init(args)
        if args.command == "replay":
            return trajectories_cli.run_replay(args)
        if args.command == "validate":
            return validate_cli.run_validate(args)
        if args.command == "build":
            return containers_cli.build(args)
        if args.command == "claude-config" and args.docker:
            return containers_cli.print_docker_config(args)
        if args.command == "claude-config":
            print(json.dumps(claude_config(args.env, args.mode), indent=2))
            return 0
        return _serve(args)
    except OpenEnvError as exc:
        print(f"openenv-mcp: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
