"""OpenTelemetry traces of each step: environment, tool, episode, client and outcome.

Spans go through the OpenTelemetry API, a no-op until a tracer provider is configured.
``serve --otlp-endpoint URL`` configures the standard SDK to export them over OTLP/HTTP
(the ``otel`` extra: ``uv sync --extra otel``); any other provider set by the embedding
program is used as it is.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import Span, TracerProvider

from openenv_mcp.errors import OpenEnvError

__all__ = ["configure_otlp", "step_span", "use_provider"]

logger = logging.getLogger(__name__)

_provider: TracerProvider | None = None


def use_provider(provider: TracerProvider | None) -> None:
    """Send this library's spans to `provider` (None: the global one)."""
    global _provider
    _provider = provider


@contextmanager
def step_span(env: str, tool: str, episode_id: str, client: str) -> Generator[Span]:
    """A span around one step; set ``openenv.outcome`` on it before it ends.

    Where no tracer provider is set (the API's default proxy), the span is the API's invalid
    one and nothing else is done: a no-op span through the API costs a third of a step.
    """
    provider = _provider or trace.get_tracer_provider()
    if isinstance(provider, trace.ProxyTracerProvider | trace.NoOpTracerProvider):
        yield trace.INVALID_SPAN
        return
    tracer = provider.get_tracer("openenv_mcp")
    attributes = {"openenv.env": env, "openenv.tool": tool, "openenv.episode_id": episode_id}
    attributes["openenv.client"] = client
    with tracer.start_as_current_span("openenv.step", attributes=attributes) as span:
        yield span


def configure_otlp(endpoint: str, service: str = "openenv-mcp") -> TracerProvider:
    """Export spans over OTLP/HTTP to `endpoint` (e.g. ``http://127.0.0.1:4318/v1/traces``).

    Raises:
        OpenEnvError: the OpenTelemetry SDK or its OTLP exporter is not installed.
    """
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider as SdkTracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError as exc:
        raise OpenEnvError(
            f"--otlp-endpoint needs the OpenTelemetry SDK and OTLP exporter ({exc.name} is missing): "
            "install the otel extra (uv sync --extra otel, or pip install 'openenv-mcp[otel]')"
        ) from None
    provider = SdkTracerProvider(resource=Resource.create({"service.name": service}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    trace.set_tracer_provider(provider)
    use_provider(provider)
    logger.info("exporting step traces over OTLP to %s", endpoint)
    return provider
