"""A trace span per step, with the environment, tool, episode, client and outcome."""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import anyio.to_thread
import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from openenv_mcp.server import EnvServer, tracing
from openenv_mcp.testing import running_http
from openenv_mcp_echo import EchoEnvironment
from tests.conftest import connect

ECHO = {"type": "tool_call", "tool_name": "echo", "parameters": {"message": "x"}}


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.use_provider(provider)
    yield exporter
    tracing.use_provider(None)


async def test_every_step_is_a_span(spans: InMemorySpanExporter) -> None:
    with anyio.fail_after(30):
        async with connect(EnvServer(EchoEnvironment), "2026-07-28") as client:
            reset = await client.call_tool("reset", {})
            assert reset.structured_content is not None
            episode = reset.structured_content["episode_id"]
            await client.call_tool("echo", {"message": "hi", "episode_id": episode})
            await client.call_tool("step", {"episode_id": episode, "action": ECHO})
            await client.call_tool("echo", {"message": 7, "episode_id": episode})
    steps = [s for s in spans.get_finished_spans() if s.name == "openenv.step"]
    assert [dict(s.attributes or {})["openenv.outcome"] for s in steps] == ["ok", "ok", "invalid_arguments"]
    first = dict(steps[0].attributes or {})
    assert first["openenv.env"] == "echo" and first["openenv.tool"] == "echo"
    assert first["openenv.episode_id"] == episode and first["openenv.client"] == "local"


async def test_configure_otlp_exports_to_a_real_receiver() -> None:
    """An OTLP/HTTP receiver in the test (a plain Starlette route): the SDK posts our spans to it."""
    received: list[tuple[str, bytes]] = []

    async def traces(request: Request) -> Response:
        received.append((request.headers.get("content-type", ""), await request.body()))
        return Response(b"", status_code=200, media_type="application/x-protobuf")

    receiver = Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])
    with anyio.fail_after(30):
        async with running_http(receiver) as base:
            provider = tracing.configure_otlp(f"{base}/v1/traces")
            try:
                async with connect(EnvServer(EchoEnvironment), "2026-07-28") as client:
                    reset = await client.call_tool("reset", {})
                    assert reset.structured_content is not None
                    episode = reset.structured_content["episode_id"]
                    await client.call_tool("echo", {"message": "hi", "episode_id": episode})
                assert isinstance(provider, TracerProvider)
                await anyio.to_thread.run_sync(provider.force_flush)
            finally:
                tracing.use_provider(None)
                if isinstance(provider, TracerProvider):
                    await anyio.to_thread.run_sync(provider.shutdown)
    assert received and received[0][0] == "application/x-protobuf"
    assert any(b"openenv.step" in body and episode.encode() in body for _, body in received)


def test_without_a_provider_a_step_costs_no_span(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API's default proxy provider: the step gets the invalid span and no tracer is made."""
    from opentelemetry import trace

    from openenv_mcp.server.tracing import step_span, use_provider

    use_provider(None)
    monkeypatch.setattr(trace, "get_tracer_provider", trace.ProxyTracerProvider)
    with step_span("echo", "echo", "e", "local") as span:
        assert span is trace.INVALID_SPAN
