"""Sending finished traces as OTLP/HTTP through the OpenTelemetry SDK's exporter, the network kept
off the event loop.

A request writes its finished trace as OTLP spans (``tracing.document_spans``,
``tracing.otlp_wire``) and queues their bytes; a thread of ours joins the queued spans into one
OTLP request and posts it with the HTTP client of the SDK's ``OTLPSpanExporter``, so the standard
``OTEL_EXPORTER_OTLP_*`` variables (endpoint, headers, timeout, compression, certificates) and the
SDK's retries apply as they would to the SDK's own spans. This replaces one ``ReadableSpan`` per
span handed to the SDK's ``BatchSpanProcessor`` and encoded by its ``encode_spans``: for a captured
feed trace, building and encoding cost 3.7-4.1 ms of CPU that way against 0.33 ms now (measured A/B
in one process; the SDK's encoder alone 2.1-3.3 ms, ``trace_pb2`` messages built directly 1.1-1.2
ms).

The spans are written when the trace is handed over, on the event loop after the response has
gone out, not by the thread: a document waiting in the queue is a few hundred dictionaries and
lists that outlive the young collections and cool in the cache, and written 20 requests later the
same feed trace cost the thread 0.43 ms against 0.175 ms written at once (compiled; in process,
feed requests one at a time, 24 alternating rounds: OTLP-traced CPU 0.849 -> 0.876 of untraced).
Queued bytes are not tracked by the garbage collector, and the thread is left joining and posting
them, 0.08 ms a trace. Posting takes 0.47 ms per batch of twenty feed traces, nearly all of it in
``requests`` under the SDK's client (a third in reading proxy settings from the environment on
every request), which is why batches are larger than the SDK's (``BatchSettings``).

The SDK exporter's ``export`` takes only ``ReadableSpan`` objects, so the encoded request goes to
its client's ``export(bytes)`` (``OTLPSpanExporter._client``, opentelemetry-exporter-otlp-proto-
http 1.45, pinned in constraints.txt). That is a private seam: it is looked up when the exporter
is made, so an SDK without it stops start-up instead of dropping every trace, and the tests send
through it to a real receiver (headers, gzip). What the SDK's ``export`` adds around it is left
out: its 64 MiB request limit (a batch is 2,048 spans by default, ~350 KB of feed traces) and its
internal metrics.

The queue is bounded in spans (``OTEL_BSP_MAX_QUEUE_SIZE``, spans still being sent included): when
the collector is slow or gone, a trace that does not fit is dropped whole instead of growing
memory or holding a request. ``OTEL_BSP_MAX_EXPORT_BATCH_SIZE`` and ``OTEL_BSP_SCHEDULE_DELAY``
shape the batches as they do for the SDK's processor, except that a trace is never split between
two. The SDK logs each failed batch and each retry; with a collector down that is a line per
batch, so its exporter's log, like ours, is let through at most once a minute.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.sdk.resources import SERVICE_NAME, Resource

from tracing.document_spans import encoded_spans
from tracing.otlp_wire import ExportRequests
from tracing.wire import Document

logger = logging.getLogger("tracing")

FAILURE_LOG_INTERVAL = 60.0
SDK_EXPORTER_LOGGER = "opentelemetry.exporter.otlp.proto.http.trace_exporter"
SCOPE_NAME = "xray_board.tracing"

Send = Callable[[bytes], object]
Spans = list[bytes]  # one trace's spans, as ``ScopeSpans.spans`` entries
Batch = list[Spans]


@dataclass(frozen=True)
class BatchSettings:
    """The ``OTEL_BSP_*`` settings, with the SDK's defaults but for the queue and the batch.

    A feed request is a hundred spans or more, where the SDK's defaults expect a few: its queue
    (2,048 spans) would hold a handful of traces, and its batch (512) sends a request per five,
    each costing the export thread 0.47-1.6 ms in the SDK's HTTP client (by the VM's speed that
    day; the module docstring has the latest). Batches of 2,048 spans
    (20 feed traces, ~350 KB; X-Ray takes 10,000 spans and 5 MB) took OTLP-traced CPU per request
    from 0.857 to 0.880 of untraced (alternating rounds in one process).
    """

    queue_size: int = 16_384
    batch_size: int = 2_048
    delay_seconds: float = 5.0
    shutdown_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> BatchSettings:
        def positive(name: str, default: float) -> float:
            raw = environ.get(name, "").strip()
            return int(raw) if raw.isdigit() and int(raw) > 0 else default

        return cls(
            queue_size=int(positive("OTEL_BSP_MAX_QUEUE_SIZE", cls.queue_size)),
            batch_size=int(positive("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", cls.batch_size)),
            delay_seconds=positive("OTEL_BSP_SCHEDULE_DELAY", cls.delay_seconds * 1000) / 1000,
            shutdown_seconds=positive("OTEL_BSP_EXPORT_TIMEOUT", cls.shutdown_seconds * 1000)
            / 1000,
        )


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
    """A ``TraceExporter`` writing each trace's spans and queueing them, whole or not at all, for
    the export thread to post."""

    def __init__(
        self,
        send: Send,
        resource: Resource,
        settings: BatchSettings = BatchSettings(),
        close: Callable[[], object] = lambda: None,
    ) -> None:
        self._requests = ExportRequests(resource.attributes, SCOPE_NAME)
        self._send = send
        self._close = close
        self._settings = settings
        self._queue = TraceQueue(settings)
        self._dropped = 0
        self._failure_log = OncePerInterval()
        self._thread = self._start()
        if hasattr(os, "register_at_fork"):  # a forked worker has the queue but not the thread
            restart = weakref.WeakMethod(self._restart_in_child)
            os.register_at_fork(after_in_child=lambda: (method := restart()) and method())

    @classmethod
    def from_env(cls, service_name: str, environ: Mapping[str, str] = os.environ) -> OtlpExporter:
        """The SDK's OTLP/HTTP exporter, configured by ``OTEL_*``, fed by a thread of ours."""
        _quiet_sdk_exporter_log()
        sdk_exporter = OTLPSpanExporter()
        # The one private name used (see the module docstring): missing, it fails here, loudly.
        send = sdk_exporter._client.export
        exporter = cls(
            send, resource_for(service_name), BatchSettings.from_env(environ), sdk_exporter.shutdown
        )
        atexit.register(exporter.shutdown)
        return exporter

    def export(self, trace: Document) -> None:
        """Queue the trace's spans for export; never raises, never waits for the network."""
        try:
            if self._queue.closed:
                return
            if not self._queue.put(encoded_spans(trace)):
                self._dropped += 1
                self._report("export queue full (collector slow or unreachable?)")
        except Exception as error:  # tracing must never fail a request
            self._report(f"trace {trace.get('trace_id')} not exported: {error}")

    def shutdown(self) -> None:
        """Export what is queued (within ``OTEL_BSP_EXPORT_TIMEOUT``) and stop the thread."""
        atexit.unregister(self.shutdown)
        self._queue.close()
        self._thread.join(self._settings.shutdown_seconds)
        self._close()

    def _start(self) -> threading.Thread:
        thread = threading.Thread(target=self._run, name="OtlpTraceExport", daemon=True)
        thread.start()
        return thread

    def _restart_in_child(self) -> None:
        self._queue = TraceQueue(self._settings)
        self._thread = self._start()

    def _run(self) -> None:
        queue = self._queue
        while batch := queue.next_batch():
            try:
                self._send(self._requests.of(span for spans in batch for span in spans))
            except Exception as error:  # the SDK's client logs its own failures; this is ours
                self._report(f"{len(batch)} traces not exported: {error}")
            finally:
                queue.done(batch)

    def _report(self, problem: str) -> None:
        if self._failure_log.due():
            logger.warning("OTLP: %s; %d traces dropped so far", problem, self._dropped)


class TraceQueue:
    """Traces waiting for export, bounded by their spans; batches of whole traces come out.

    Spans count against the bound until their batch has been sent, so a collector that holds
    a batch holds back the queue behind it.
    """

    def __init__(self, settings: BatchSettings) -> None:
        self._settings = settings
        self._traces: deque[Spans] = deque()
        self._spans = 0  # queued or being sent
        self._queued_spans = 0
        self.closed = False
        self._ready = threading.Condition(threading.Lock())

    def put(self, trace: Spans) -> bool:
        """Queue the trace's spans unless they would overfill the queue."""
        spans = len(trace)
        with self._ready:
            if self._spans + spans > self._settings.queue_size:
                return False
            self._traces.append(trace)
            self._spans += spans
            self._queued_spans += spans
            if self._queued_spans >= self._settings.batch_size:
                self._ready.notify()
        return True

    def next_batch(self) -> Batch:
        """Up to a batch's worth of spans (one trace at least), once a batch is full or the
        delay has passed; everything left once closed; an empty list when closed and empty."""
        with self._ready:
            if not self.closed and self._queued_spans < self._settings.batch_size:
                self._ready.wait(self._settings.delay_seconds)
            while not self._traces and not self.closed:
                self._ready.wait(self._settings.delay_seconds)
            return self._take()

    def done(self, batch: Batch) -> None:
        """The batch has been sent (or given up): its spans leave the bound."""
        with self._ready:
            self._spans -= sum(len(trace) for trace in batch)

    def close(self) -> None:
        with self._ready:
            self.closed = True
            self._ready.notify()

    def _take(self) -> Batch:
        batch: Batch = []
        taken = 0
        limit = self._settings.batch_size
        while self._traces and (not batch or taken + len(self._traces[0]) <= limit):
            batch.append(self._traces.popleft())
            taken += len(batch[-1])
        self._queued_spans -= taken
        return batch


def resource_for(service_name: str) -> Resource:
    """``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES`` when given, else the tracing name."""
    detected = Resource.create()
    if str(detected.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        detected = detected.merge(Resource({SERVICE_NAME: service_name}))
    return detected


def _quiet_sdk_exporter_log() -> None:
    sdk_logger = logging.getLogger(SDK_EXPORTER_LOGGER)
    if not any(isinstance(known, OncePerInterval) for known in sdk_logger.filters):
        sdk_logger.addFilter(OncePerInterval())
