"""Which exporters a finished trace goes to: ``xray``, ``otlp`` or ``both`` of them.

``configure`` takes one ``TraceExporter``; this picks it from the app's choice (the board reads
``BOARD_TRACE_EXPORTER``): the default X-Ray daemon, OTLP through the OpenTelemetry SDK, or both
in turn, for a move from one to the other.
"""

from __future__ import annotations

from enum import StrEnum

from tracing.config import TracingConfig
from tracing.emitter import BoundedUDPEmitter
from tracing.export import TraceExporter
from tracing.otlp_export import OtlpExporter
from tracing.wire import Document


class ExporterChoice(StrEnum):
    XRAY = "xray"
    """Segment documents over UDP to the X-Ray daemon (``AWS_XRAY_DAEMON_ADDRESS``)."""
    OTLP = "otlp"
    """OpenTelemetry spans over OTLP/HTTP (``OTEL_EXPORTER_OTLP_*``)."""
    BOTH = "both"


class FanOut:
    """A ``TraceExporter`` handing each trace to several exporters in turn."""

    def __init__(self, *exporters: TraceExporter) -> None:
        self.exporters = exporters

    def export(self, trace: Document) -> None:
        for exporter in self.exporters:
            exporter.export(trace)


def chosen_exporter(choice: ExporterChoice, config: TracingConfig) -> TraceExporter | None:
    """The exporter for ``choice``; ``None`` leaves ``configure`` its default, the X-Ray daemon."""
    if choice is ExporterChoice.XRAY:
        return None
    otlp = OtlpExporter.from_env(config.service_name)
    if choice is ExporterChoice.OTLP:
        return otlp
    return FanOut(BoundedUDPEmitter(config.daemon_address), otlp)
