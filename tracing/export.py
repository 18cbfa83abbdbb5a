"""Where a finished request trace leaves the library: the one seam every exporter plugs into.

The middleware hands each sampled request's whole tree to ``TraceExporter.export`` once the
response has gone out: the X-Ray segment document with every resolver, batch-load and SQL
subsegment nested in place (``tracing.wire.Document``). The X-Ray UDP emitter
(``tracing.emitter.BoundedUDPEmitter``) is one implementation; any other format (OTLP, a file,
a test's list) takes the same document.
"""

from __future__ import annotations

from typing import Protocol

from tracing.wire import Document


class TraceExporter(Protocol):
    def export(self, trace: Document) -> None:
        """Send one finished trace. Called on the event loop: it must neither block nor raise,
        since tracing trouble may never fail or slow a request."""
        ...
