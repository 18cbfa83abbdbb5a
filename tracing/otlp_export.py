"""Sending finished traces as OTLP/HTTP through the OpenTelemetry SDK, off the request path.

The spans of a trace are handed to the SDK's ``BatchSpanProcessor``, whose own thread batches
them into the ``OTLPSpanExporter``; both read the standard ``OTEL_*`` variables (endpoint,
headers, timeout, compression, ``OTEL_BSP_*``). The queue is bounded: when the collector is slow
or gone, traces beyond it are dropped whole instead of growing memory or holding a request. The
SDK logs each failed batch and each retry; with a collector down that is a line per batch, so
its exporter's log, like ours, is let through at most once a minute.
"""

from __future__ import annotations

import atexit
import logging
import os
import time
from collections.abc import Mapping, Sequence

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Attributes, Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.util.instrumentation import InstrumentationScope

from tracing.document_spans import spans_of
from tracing.wire import Document

logger = logging.getLogger("tracing")

FAILURE_LOG_INTERVAL = 60.0
# A feed request is a few hundred spans; the SDK's default queue (2,048) holds only a handful.
DEFAULT_QUEUE_SIZE = 16_384
SDK_EXPORTER_LOGGER = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
SCOPE = InstrumentationScope("xray_board.tracing")


class OncePerInterval(logging.Filter):
    """Lets one record through per interval; the rest of the interval's records are dropped."""

    def __init__(self, interval: float = FAILURE_LOG_INTERVAL) -> None:
        super().__init__()
        self._interval = interval
        self._last = float("-inf")

    def filter(self, record: logging.LogRecord) -> bool:
        return self.due()

    def due(self) -> bool:
        now = time.monotonic()
        if now - self._last < self._interval:
            return False
        self._last = now
        return True


class OtlpExporter:
    """A ``TraceExporter`` handing each trace's spans to the batch processor, whole or not at all.

    The processor's own queue drops single spans when full (and logs a warning for each, on the
    caller's thread); a trace missing spans has holes in its tree. So the spans still waiting
    are counted here, and a trace that would not fit is dropped whole before it reaches the SDK.
    """

    def __init__(
        self, processor: SpanProcessor, counter: ExportCounter, queue_size: int, resource: Resource
    ) -> None:
        self._processor = processor
        self._counter = counter
        self._queue_size = queue_size
        self._resource = resource
        self._handed = 0  # written by the request side only
        self._dropped = 0
        self._failure_log = OncePerInterval()

    @classmethod
    def from_env(cls, service_name: str, environ: Mapping[str, str] = os.environ) -> OtlpExporter:
        """The SDK's OTLP/HTTP exporter and batch processor, configured by ``OTEL_*``."""
        _quiet_sdk_exporter_log()
        queue_size = _queue_size(environ)
        counter = ExportCounter(OTLPSpanExporter())
        processor = BatchSpanProcessor(counter, max_queue_size=queue_size)
        atexit.register(processor.shutdown)
        return cls(processor, counter, queue_size, resource_for(service_name))

    def export(self, trace: Document) -> None:
        """Queue the trace's spans for export; never raises, never waits for the network."""
        try:
            spans = spans_of(trace, self._resource, SCOPE)
            if self._handed - self._counter.done + len(spans) > self._queue_size:
                self._dropped += 1
                self._report("export queue full (collector slow or unreachable?)")
                return
            self._handed += len(spans)
            for span in spans:
                self._processor.on_end(span)
        except Exception as error:  # tracing must never fail a request
            self._report(f"trace {trace.get('trace_id')} not exported: {error}")

    def shutdown(self) -> None:
        """Export what is queued (within the exporter's timeout) and stop the export thread."""
        atexit.unregister(self._processor.shutdown)
        self._processor.shutdown()

    def _report(self, problem: str) -> None:
        if self._failure_log.due():
            logger.warning("OTLP: %s; %d traces dropped so far", problem, self._dropped)


class ExportCounter(SpanExporter):
    """Passes batches on to the real exporter and counts the spans that have left the queue."""

    def __init__(self, exporter: SpanExporter) -> None:
        self._exporter = exporter
        self.done = 0  # written by the export thread only

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            return self._exporter.export(spans)
        finally:
            self.done += len(spans)

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30_000) -> bool:
        return self._exporter.force_flush(timeout_millis)


def resource_for(service_name: str) -> Resource:
    """``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` when given, else the tracing name."""
    detected = Resource.create()
    if str(detected.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        detected = detected.merge(Resource({SERVICE_NAME: service_name}))
    return HashedOnce(detected.attributes, detected.schema_url)


class HashedOnce(Resource):
    """A resource whose hash is computed once.

    The SDK's encoder groups a batch's spans by resource and hashes it for every span, each time
    JSON-encoding its attributes: a sixth of the encoding time of a feed trace (95 spans,
    measured with cProfile). Every span of ours shares one resource that never changes.
    """

    def __init__(self, attributes: Attributes, schema_url: str | None = None) -> None:
        super().__init__(attributes, schema_url)
        self._hash = super().__hash__()

    def __hash__(self) -> int:
        return self._hash


def _queue_size(environ: Mapping[str, str]) -> int:
    raw = environ.get("OTEL_BSP_MAX_QUEUE_SIZE", "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else DEFAULT_QUEUE_SIZE


def _quiet_sdk_exporter_log() -> None:
    sdk_logger = logging.getLogger(SDK_EXPORTER_LOGGER)
    if not any(isinstance(known, OncePerInterval) for known in sdk_logger.filters):
        sdk_logger.addFilter(OncePerInterval())
