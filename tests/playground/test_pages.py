"""The playground's routes without a browser: what is served, with which headers, and what still works."""

from __future__ import annotations

import re
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager

import anyio
import httpx2
import pytest

from openenv_mcp.environment import Environment
from openenv_mcp.playground import CONTENT_SECURITY_POLICY, Pages
from openenv_mcp.server import EnvServer
from openenv_mcp.testing import running_http
from openenv_mcp.transports import build_app
from openenv_mcp_connect_four import ConnectFourEnvironment
from openenv_mcp_echo import EchoEnvironment


@asynccontextmanager
async def client(*envs: type[Environment]) -> AsyncGenerator[httpx2.AsyncClient]:
    app = build_app([EnvServer(env) for env in envs])
    with anyio.fail_after(30):
        async with running_http(app) as base, httpx2.AsyncClient(base_url=base) as http:
            yield http


async def test_the_pages_and_their_assets_carry_the_policy() -> None:
    async with client(EchoEnvironment, ConnectFourEnvironment) as http:
        catalogue, play = await http.get("/"), await http.get("/envs/echo/play")
        script, style = await http.get("/playground/play.js"), await http.get("/playground/playground.css")
    for response in (catalogue, play, script, style):
        assert response.status_code == 200
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
    assert catalogue.headers["content-type"].startswith("text/html") and "catalogue.js" in catalogue.text
    assert '<script type="module" src="/playground/play.js">' in play.text
    assert script.headers["content-type"].startswith("text/javascript")
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "path", ["/envs/nothing/play", "/playground/play.html", "/playground/../pages.py", "/playground/x.js"]
)
async def test_what_is_not_ours_is_not_found(path: str) -> None:
    async with client(EchoEnvironment) as http:
        assert (await http.get(path)).status_code == 404


async def test_no_page_has_inline_script_or_style_or_a_foreign_address() -> None:
    for name, text in Pages(["echo"]).assets.items():
        page = text.decode()
        assert " style=" not in page and "<style" not in page, name
        assert "http://" not in page.replace("http://www.w3.org/2000/svg", ""), name
        assert "https://" not in page, name
        if name.endswith(".html"):
            assert "<script>" not in page and not re.search(r"<[^>]*\son[a-z]+=", page), name


async def test_a_foreign_host_gets_nothing() -> None:
    async with client(EchoEnvironment) as http:
        for path in ("/", "/envs/echo/play", "/playground/play.js"):
            assert (await http.get(path, headers={"Host": "evil.example"})).status_code == 421
        hostile = await http.get("/envs/echo/play", headers={"Origin": "http://evil.example"})
        assert hostile.status_code == 403


async def test_one_environment_keeps_openenv_at_the_root_beside_the_catalogue() -> None:
    async with client(EchoEnvironment) as http:
        page, health = await http.get("/"), await http.get("/health")
        reset = await http.post("/reset", json={"seed": 1})
    assert page.headers["content-type"].startswith("text/html")
    assert health.json()["status"] == "healthy"
    assert reset.status_code == 200 and "observation" in reset.json()
