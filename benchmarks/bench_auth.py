"""What authentication costs a step: the same echo server without auth, with a token file, and with JWTs.

    uv run python -m benchmarks.bench_auth [--steps 6000] [--blocks 3]

Each configuration is a real server process reached by the lean HTTP client (the sweep's
driver), at 1 and 64 concurrent episodes, in blocks whose order rotates so that drift hits
every configuration alike. The JWTs are RS256 tokens of an issuer this script serves on
loopback (its key set is fetched once, then cached). Ratios are within this one run.
"""

from __future__ import annotations

import argparse
import json
import secrets
import tempfile
import time
from collections.abc import AsyncGenerator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path

import anyio
import jwt
import uvicorn
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from benchmarks.mcp_drivers import OURS, JsonRpcDriver, serve_http
from benchmarks.scenarios import LevelRow, Tally, concurrent_level

LEVELS = (1, 64)


class _Issuer:
    """A loopback OAuth issuer: metadata naming its key set, and one RSA key."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.url = ""

    def app(self) -> Starlette:
        async def metadata(request: Request) -> JSONResponse:
            return JSONResponse({"issuer": self.url, "jwks_uri": f"{self.url}/jwks"})

        async def jwks(request: Request) -> JSONResponse:
            public = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return JSONResponse({"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]})

        routes = [Route("/.well-known/oauth-authorization-server", metadata), Route("/jwks", jwks)]
        return Starlette(routes=routes)

    def token(self, audience: str) -> str:
        claims: dict[str, object] = {"iss": self.url, "aud": audience, "sub": "bench"}
        claims.update(scope="openenv:control", exp=int(time.time()) + 3600)
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": "k1"})


@asynccontextmanager
async def _issuing() -> AsyncGenerator[_Issuer]:
    issuer = _Issuer()
    server = uvicorn.Server(uvicorn.Config(issuer.app(), host="127.0.0.1", port=0, log_level="warning"))
    async with anyio.create_task_group() as tg:
        tg.start_soon(server.serve)
        with anyio.fail_after(10):
            while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
                await anyio.sleep(0.01)
        issuer.url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        yield issuer
        server.should_exit = True


async def _drivers(stack: AsyncExitStack, folder: Path) -> list[JsonRpcDriver]:
    token = secrets.token_urlsafe(32)
    tokens = folder / "tokens"
    tokens.write_text(f"{token} openenv:control bench\n")
    tokens.chmod(0o600)
    issuer = await stack.enter_async_context(_issuing())
    audience = "openenv-mcp-bench"
    oauth = ["--oauth-issuer", issuer.url, "--oauth-audience", audience]
    configurations: list[tuple[str, list[str], dict[str, str]]] = [
        ("no auth", [], {}),
        ("token file", ["--auth-tokens", str(tokens)], {"authorization": f"Bearer {token}"}),
        ("JWT (RS256)", oauth, {"authorization": f"Bearer {issuer.token(audience)}"}),
    ]
    drivers: list[JsonRpcDriver] = []
    for label, extra, headers in configurations:
        served = await stack.enter_async_context(serve_http(OURS, extra=extra))
        driver = JsonRpcDriver(OURS, served.url, served.pid, headers=headers, label=label)
        stack.push_async_callback(driver.aclose)
        drivers.append(driver)
    return drivers


async def run(steps: int, blocks: int) -> list[LevelRow]:
    rows: list[LevelRow] = []
    with tempfile.TemporaryDirectory() as folder:
        async with AsyncExitStack() as stack:
            drivers = await _drivers(stack, Path(folder))
            for driver in drivers:
                await concurrent_level(driver, 4, 20)  # warm up, untimed
            rotation = 0
            for level in LEVELS:
                tallies = [Tally() for _ in drivers]
                latest: list[LevelRow | None] = [None] * len(drivers)
                steps_each = max(steps // level // blocks, 20)
                for block in range(blocks):
                    order = list(range(len(drivers)))
                    order = order[rotation % len(order) :] + order[: rotation % len(order)]
                    rotation += 1
                    for i in order:
                        print(
                            f"  {drivers[i].label}: {level} episodes, block {block + 1}/{blocks}", flush=True
                        )
                        latest[i] = await concurrent_level(drivers[i], level, steps_each, tally=tallies[i])
                rows += [row for row in latest if row is not None]
    return rows


def table(rows: list[LevelRow]) -> str:
    lines = [
        "| configuration | episodes | steps/s | vs no auth | p50 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    base = {row.episodes: row.steps_per_s for row in rows if row.driver == "no auth"}
    for row in rows:
        ratio = row.steps_per_s / base[row.episodes] if base.get(row.episodes) else float("nan")
        lines.append(
            f"| {row.driver} | {row.episodes} | {row.steps_per_s:,.0f} | {ratio:.2f} | "
            f"{row.p50_ms:.2f} | {row.p99_ms:.2f} | {row.errors} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_auth", description=__doc__)
    parser.add_argument("--steps", type=int, default=6000, help="steps per configuration and level, in all")
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    rows = anyio.run(run, args.steps, args.blocks)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps([vars(row) for row in rows], indent=2))
    return 1 if any(row.errors for row in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
