"""OpenTelemetry set-up: one tracer provider per service, exporter chosen by configuration."""

from __future__ import annotations

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)


def build_tracer_provider(
    service: str,
    exporter: str = "none",
    endpoint: str | None = None,
    extra_exporter: SpanExporter | None = None,
) -> TracerProvider:
    """A tracer provider for `service` exporting to none, console or otlp.

    `extra_exporter` (for tests: an in-memory exporter) gets every span synchronously.
    The provider is returned, not installed globally: each service passes its tracer on.
    """
    provider = TracerProvider(resource=Resource.create({"service.name": f"knooppunt-{service}"}))
    if exporter == "console":
        provider.add_span_processor(BatchSpanProcessor(ConsoleSpanExporter()))
    elif exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    if extra_exporter is not None:
        provider.add_span_processor(SimpleSpanProcessor(extra_exporter))
    return provider
